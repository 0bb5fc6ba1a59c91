// The course-impact preview and `cohort-sync status`, checked against Moodle's own tables: the
// figures a dry run announces are those enrol_cohort's sync will produce from mdl_enrol,
// mdl_user_enrolments and the gradebook, under each unenrol action; and status reports the runs
// and counts exactly what Moodle's hourly task has left to do.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;

std::string q(const std::string& sql) {
    return cst::servers().query_value(sql);
}
void sql(const std::string& statements) {
    cst::servers().psql(statements);
}

std::string run_id_of(const RunResult& result) {
    const auto line = line_with(result.err, "sync begin: run ");
    const auto at = line.find("sync begin: run ") + std::string("sync begin: run ").size();
    return line.substr(at, line.find(',', at) - at);
}

// Nine students. The first night: s1..s4 in L1INFO, s5 and s6 in L2MATH. The second night: s1
// and s2 withdrew (status 'A'), s4's row is gone, s9 joined L1INFO, s7 and s8 joined L2MATH.
class ImpactStatus : public SiteTest {
protected:
    void SetUp() override {
        open_site("impact-status");
        std::string ldif;
        std::vector<MoodleAccount> accounts;
        for (int i = 1; i <= 9; ++i) {
            const auto name = "s" + std::to_string(i);
            ldif += cst::make_student_ldif(name, number(i), {i <= 4 || i == 9 ? "L1INFO" : "L2MATH"}) + "\n";
            accounts.push_back({name, number(i)});
        }
        cst::servers().ldap_add_ldif(ldif);
        add_moodle_users(accounts);
        write_export(m_export, {row(1, "L1INFO"), row(2, "L1INFO"), row(3, "L1INFO"), row(4, "L1INFO"),
                                row(5, "L2MATH"), row(6, "L2MATH")});
    }

    static std::string number(int i) { return std::to_string(22900000 + i); }
    static ExportRow row(int i, const std::string& etape, const std::string& status = "E") {
        return {number(i), etape, etape == "L1INFO" ? "Licence 1 Informatique" : "Licence 2 Mathématiques",
                status};
    }

    void second_night() {
        write_export(m_export,
                     {row(1, "L1INFO", "A"), row(2, "L1INFO", "A"), row(3, "L1INFO"), row(9, "L1INFO"),
                      row(5, "L2MATH"), row(6, "L2MATH"), row(7, "L2MATH"), row(8, "L2MATH")});
    }

    // Moodle's side after the first night, as teachers and enrol_cohort's task made it:
    //   INFO101 enrols L1INFO (enabled): s1, s2, s3 active, s4 suspended
    //   INFO102 enrols L1INFO (instance disabled): s1, s2 active
    //   MATH201 enrols L2MATH (enabled): s5, s6 active, s8 suspended (left earlier, suspended)
    //   grades: INFO101 s1 12, s2 graded item without a final grade, s4 9; INFO102 s2 15; MATH201 s5 10
    void courses() {
        m_info101 = course("INFO101");
        m_info102 = course("INFO102");
        m_math201 = course("MATH201");
        const auto e1 = instance(m_info101, "etape-L1INFO", 0);
        const auto e2 = instance(m_info102, "etape-L1INFO", 1);
        const auto e3 = instance(m_math201, "etape-L2MATH", 0);
        enrol(e1, "s1", 0);
        enrol(e1, "s2", 0);
        enrol(e1, "s3", 0);
        enrol(e1, "s4", 1);
        enrol(e2, "s1", 0);
        enrol(e2, "s2", 0);
        enrol(e3, "s5", 0);
        enrol(e3, "s6", 0);
        enrol(e3, "s8", 1);
        grade(m_info101, "s1", "12");
        grade(m_info101, "s2", "NULL");
        grade(m_info101, "s4", "9");
        grade(m_info102, "s2", "15");
        grade(m_math201, "s5", "10");
    }

    static std::string course(const std::string& shortname) {
        return q("INSERT INTO mdl_course (category, fullname, shortname) VALUES (1, 'Cours " + shortname +
                 "', " + sql_literal(shortname) + ") RETURNING id");
    }
    static std::string instance(const std::string& course, const std::string& cohort, int status) {
        return q("INSERT INTO mdl_enrol (enrol, status, courseid, roleid, customint1, customint2) SELECT "
                 "'cohort', " +
                 std::to_string(status) + ", " + course +
                 ", 5, id, 0 FROM mdl_cohort WHERE idnumber = " + sql_literal(cohort) + " RETURNING id");
    }
    static void enrol(const std::string& enrol_id, const std::string& username, int status) {
        sql("INSERT INTO mdl_user_enrolments (status, enrolid, userid) VALUES (" + std::to_string(status) +
            ", " + enrol_id + ", " + user_id(username) + ")");
    }
    static void grade(const std::string& course, const std::string& username, const std::string& finalgrade) {
        const auto item = q("INSERT INTO mdl_grade_items (courseid, itemtype) VALUES (" + course +
                            ", 'course') RETURNING id");
        sql("INSERT INTO mdl_grade_grades (itemid, userid, finalgrade) VALUES (" + item + ", " +
            user_id(username) + ", " + finalgrade + ")");
    }
    static void unenrol_action(const std::string& value) {
        sql("UPDATE mdl_config_plugins SET value = " + sql_literal(value) +
            " WHERE plugin = 'enrol_cohort' AND name = 'unenrolaction'");
    }

    nlohmann::json dry_run_json() {
        const auto result = run({"--dry-run", "--format", "json"});
        EXPECT_EQ(result.exit_code, 0) << result.describe();
        return nlohmann::json::parse(result.out);
    }

    nlohmann::json course_json(const std::string& id, const std::string& shortname, int added, int removed,
                               int with_grades) const {
        return {{"course_id", std::stoll(id)},
                {"shortname", shortname},
                {"enrolments_added", added},
                {"enrolments_removed", removed},
                {"removed_with_grades", with_grades},
                {"groups", nlohmann::json::array()}}; // no instance here fills a course group
    }

    std::string m_info101;
    std::string m_info102;
    std::string m_math201;
};

// ---- Course impact ----------------------------------------------------------------------------

// On a real site the preview said 22 graded students would lose a course and Moodle deleted 20
// students' grades: two lost one enrolment but kept the course. Here s1 keeps COMP through a manual
// enrolment and s2 through a second cohort's instance; only s3 loses it, and only s3's grades count.
TEST_F(ImpactStatus, AStudentWhoKeepsTheCourseThroughAnotherEnrolmentLosesNeitherItNorGrades) {
    ASSERT_EQ(run().exit_code, 0);
    const auto comp = course("COMP");
    const auto by_etape = instance(comp, "etape-L1INFO", 0);
    for (const char* student : {"s1", "s2", "s3"}) {
        enrol(by_etape, student, 0);
        grade(comp, student, "14");
    }
    const auto manual = q("INSERT INTO mdl_enrol (enrol, status, courseid, roleid) VALUES ('manual', 0, " +
                          comp + ", 5) RETURNING id");
    enrol(manual, "s1", 0);
    sql("INSERT INTO mdl_cohort (id, contextid, name, idnumber, descriptionformat, component, timecreated,"
        " timemodified) VALUES (900, 1, 'Tuteurs', 'tuteurs', 1, '', 100, 100);"
        "INSERT INTO mdl_cohort_members (cohortid, userid) VALUES (900, " +
        user_id("s2") + ")");
    enrol(instance(comp, "tuteurs", 0), "s2", 0);
    write_export(m_export, {row(1, "L1INFO", "A"), row(2, "L1INFO", "A"), row(3, "L1INFO", "A"),
                            row(4, "L1INFO"), row(5, "L2MATH"), row(6, "L2MATH")});

    const auto impact = dry_run_json().at("course_impact");

    EXPECT_EQ(impact.at("courses"), nlohmann::json::array({course_json(comp, "COMP", 0, 3, 1)}))
        << impact.dump();
    EXPECT_EQ(impact.at("enrolments_removed"), 3) << "the cohort enrolments go all the same";
    EXPECT_EQ(impact.at("graded_students_removed"), 1) << "s3 only: s1 and s2 keep the course and its grades";
}

// A student moving between two étapes whose cohorts both enrol a course keeps it: enrol_cohort's
// sync enrols through the new cohort before it unenrols through the old one.
TEST_F(ImpactStatus, AStudentMovingBetweenTwoCohortsOfOneCourseKeepsIt) {
    ASSERT_EQ(run().exit_code, 0);
    const auto shared = course("SHARED");
    const auto info = instance(shared, "etape-L1INFO", 0);
    instance(shared, "etape-L2MATH", 0);
    enrol(info, "s3", 0);
    grade(shared, "s3", "11");
    cst::servers().ldap_add_ldif("dn: uid=s3," + std::string(cst::k_ldap_people_base) +
                                 "\nchangetype: modify\nreplace: supannEtuEtape\nsupannEtuEtape: L2MATH\n\n");
    write_export(m_export, {row(1, "L1INFO"), row(2, "L1INFO"), row(3, "L2MATH"), row(4, "L1INFO"),
                            row(5, "L2MATH"), row(6, "L2MATH")});

    const auto impact = dry_run_json().at("course_impact");

    EXPECT_EQ(impact.at("courses"), nlohmann::json::array({course_json(shared, "SHARED", 1, 1, 0)}))
        << impact.dump();
    EXPECT_EQ(impact.at("graded_students_removed"), 0);
}

TEST_F(ImpactStatus, UnenrolActionCountsEveryEnrolmentAndTheGradesAtStake) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    const auto before = moodle_fingerprint();
    const auto impact = dry_run_json().at("course_impact");
    EXPECT_EQ(moodle_fingerprint(), before) << "a dry run writes nothing";

    EXPECT_EQ(impact.at("unenrol_action"), 0);
    EXPECT_EQ(impact.at("cohort_enrol_enabled"), true);
    // INFO101: +s9; -s1 -s2 -s4 (suspended enrolments go too), s1 and s4 have final grades.
    // INFO102: its instance is disabled, so no one joins; s1 and s2 still lose it; s2 has a grade.
    // MATH201: +s7 (new), +s8 (unsuspended).
    EXPECT_EQ(impact.at("courses"), (nlohmann::json::array({course_json(m_info101, "INFO101", 1, 3, 2),
                                                            course_json(m_info102, "INFO102", 0, 2, 1),
                                                            course_json(m_math201, "MATH201", 2, 0, 0)})));
    EXPECT_EQ(impact.at("enrolments_added"), 3);
    EXPECT_EQ(impact.at("enrolments_removed"), 5);
    EXPECT_EQ(impact.at("graded_students_removed"), 3) << "s1 and s4 in INFO101, s2 in INFO102";

    const auto text = run({"--dry-run", "-v"});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    EXPECT_TRUE(contains(
        text.out, "courses: 3 enrolment(s) added, 5 removed in 3 course(s); enrol_cohort's unenrol "
                  "action: unenrol (grades are deleted with a student's last enrolment in a course)\n"))
        << text.out;
    EXPECT_TRUE(contains(text.out, "  course " + m_info101 + " ")) << text.out;
    EXPECT_TRUE(contains(text.out,
                         "WARNING: 3 student(s) to be removed have grades in the affected courses, and the "
                         "unenrol action deletes them"))
        << text.out;
    EXPECT_TRUE(contains(text.err, "3 of these students have grades there")) << text.err;
}

TEST_F(ImpactStatus, SuspendActionCountsOnlyActiveEnrolmentsAndSaysSuspended) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    unenrol_action("2");
    const auto impact = dry_run_json().at("course_impact");
    EXPECT_EQ(impact.at("unenrol_action"), 2);
    // s4's enrolment in INFO101 is already suspended: a suspend action leaves it as it is.
    EXPECT_EQ(impact.at("courses"), (nlohmann::json::array({course_json(m_info101, "INFO101", 1, 2, 1),
                                                            course_json(m_info102, "INFO102", 0, 2, 1),
                                                            course_json(m_math201, "MATH201", 2, 0, 0)})));
    EXPECT_EQ(impact.at("enrolments_removed"), 4);

    const auto text = run({"--dry-run"});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    EXPECT_TRUE(contains(text.out,
                         "courses: 3 enrolment(s) added, 4 suspended in 3 course(s); enrol_cohort's "
                         "unenrol action: suspend the enrolment, keep the roles\n"))
        << text.out;
    EXPECT_FALSE(contains(text.out, "WARNING")) << text.out;
    EXPECT_TRUE(contains(text.err, "4 to suspend in 3 course(s)")) << text.err;
}

// Moodle's settings page offers "suspend and remove roles" (3); enrol_cohort treats any action
// but 0 as a suspension.
TEST_F(ImpactStatus, SuspendNoRolesActionIsASuspensionToo) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    unenrol_action("3");
    const auto impact = dry_run_json().at("course_impact");
    EXPECT_EQ(impact.at("unenrol_action"), 3);
    EXPECT_EQ(impact.at("enrolments_removed"), 4);
    const auto text = run({"--dry-run"});
    EXPECT_TRUE(contains(text.out, "4 suspended in 3 course(s); enrol_cohort's unenrol action: suspend the "
                                   "enrolment and remove the roles\n"))
        << text.out;
}

// The students counted as "losing an enrolment where they have grades" are those whose enrolment
// the action touches: with a suspend action, s4's enrolment is already suspended and stays so,
// so only s1 (INFO101) and s2 (INFO102) count, as the per-course figures say.
TEST_F(ImpactStatus, SuspendActionCountsOnlyGradedStudentsWhoseEnrolmentChanges) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    unenrol_action("2");
    const auto impact = dry_run_json().at("course_impact");
    EXPECT_EQ(impact.at("graded_students_removed"), 2);
}

TEST_F(ImpactStatus, SiteThatNeverSavedTheSettingUsesUnenrol) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    sql("DELETE FROM mdl_config_plugins WHERE plugin = 'enrol_cohort' AND name = 'unenrolaction'");
    const auto impact = dry_run_json().at("course_impact");
    EXPECT_EQ(impact.at("unenrol_action"), 0);
    EXPECT_EQ(impact.at("enrolments_removed"), 5);
}

TEST_F(ImpactStatus, DisabledCohortPluginIsNoted) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    sql("UPDATE mdl_config SET value = 'manual,guest,self' WHERE name = 'enrol_plugins_enabled'");
    const auto impact = dry_run_json().at("course_impact");
    EXPECT_EQ(impact.at("cohort_enrol_enabled"), false);
    const auto text = run({"--dry-run"});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    EXPECT_TRUE(contains(text.out,
                         "  note: the 'cohort' enrolment plugin is disabled in Moodle: no course follows "
                         "cohorts until it is enabled\n"))
        << text.out;

    sql("UPDATE mdl_config SET value = 'manual,cohortx,self,cohort' WHERE name = 'enrol_plugins_enabled'");
    EXPECT_EQ(dry_run_json().at("course_impact").at("cohort_enrol_enabled"), true);
    sql("UPDATE mdl_config SET value = 'manual,cohortx' WHERE name = 'enrol_plugins_enabled'");
    EXPECT_EQ(dry_run_json().at("course_impact").at("cohort_enrol_enabled"), false)
        << "'cohortx' is not 'cohort'";
}

TEST_F(ImpactStatus, NoCourseUsesTheCohortsNoImpact) {
    ASSERT_EQ(run().exit_code, 0);
    second_night();
    const auto impact = dry_run_json().at("course_impact");
    EXPECT_EQ(impact.at("courses"), nlohmann::json::array());
    EXPECT_EQ(impact.at("enrolments_added"), 0);
    EXPECT_EQ(impact.at("enrolments_removed"), 0);
    EXPECT_EQ(impact.at("graded_students_removed"), 0);
}

// The report file of the dry run holds the same figures as its standard output.
TEST_F(ImpactStatus, ReportFileHasTheSameImpact) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    const auto printed = dry_run_json();
    std::optional<nlohmann::json> stored;
    for (const auto& file : report_files(m_dir)) {
        const auto json = nlohmann::json::parse(cst::read_file(file));
        if (json.at("run_id") == printed.at("run_id")) {
            stored = json;
        }
    }
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->at("course_impact"), printed.at("course_impact"));
    EXPECT_EQ(stored->at("outcome"), "dry-run");
}

// ---- status -----------------------------------------------------------------------------------

TEST_F(ImpactStatus, StatusBeforeAnyRun) {
    const auto status = run({"status"});
    ASSERT_EQ(status.exit_code, 0) << status.describe();
    EXPECT_EQ(status.out,
              "no run recorded yet in this Moodle database\n"
              "courses: 0 course enrolment instance(s) use the managed cohorts; 0 member(s) wait for their "
              "course enrolment, 0 enrolment(s) wait for removal\n");
}

TEST_F(ImpactStatus, StatusListsTheRunsNewestFirstWithTheirChanges) {
    const auto first = run();
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    courses();
    second_night();
    ASSERT_EQ(run({"--dry-run"}).exit_code, 0); // not recorded: a dry run leaves Moodle alone
    configure({{"guards", {{"max_removals", 2}}}});
    const auto refused = run();
    ASSERT_EQ(refused.exit_code, 3) << refused.describe();
    const auto forced = run({"--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced.describe();

    const auto status = run({"status"});
    ASSERT_EQ(status.exit_code, 0) << status.describe();
    const auto runs = lines_after(status.out, "last 3 run(s), newest first:");
    ASSERT_GE(runs.size(), 4u) << status.out; // three runs, then the courses line
    EXPECT_TRUE(runs[3].starts_with("courses: ")) << status.out;
    EXPECT_TRUE(contains(runs[0], " applied ")) << runs[0];
    EXPECT_TRUE(contains(runs[0], "+3 -3, 0 new; guards tripped: max_removals (--force)")) << runs[0];
    EXPECT_TRUE(runs[0].ends_with(run_id_of(forced))) << runs[0];
    EXPECT_TRUE(contains(runs[1], " refused ")) << runs[1];
    EXPECT_TRUE(contains(runs[1], "+3 -3, 0 new; guards tripped: max_removals")) << runs[1];
    EXPECT_FALSE(contains(runs[1], "--force")) << runs[1];
    EXPECT_TRUE(runs[1].ends_with(run_id_of(refused))) << runs[1];
    EXPECT_TRUE(contains(runs[2], " applied ")) << runs[2];
    EXPECT_TRUE(contains(runs[2], "+6 -0, 2 new")) << runs[2];
    EXPECT_TRUE(runs[2].ends_with(run_id_of(first))) << runs[2];

    const auto limited = run({"status", "-n", "1"});
    ASSERT_EQ(limited.exit_code, 0) << limited.describe();
    EXPECT_TRUE(contains(limited.out, "last 1 run(s), newest first:\n")) << limited.out;
    EXPECT_TRUE(contains(limited.out, run_id_of(forced))) << limited.out;
    EXPECT_FALSE(contains(limited.out, run_id_of(refused))) << limited.out;
}

// After the second night is applied, Moodle's hourly task has work left, counted exactly:
//   members without their enrolment (enabled instances only): s9 in INFO101, s7 (none) and s8
//   (suspended) in MATH201 = 3
//   enrolments without their member: s1, s2, s4 in INFO101, s1, s2 in INFO102 = 5 (unenrol), or the
//   active ones only, 4 (suspend)
//   instances: 3; a hand-made cohort's course instance and members are not ours and not counted.
TEST_F(ImpactStatus, StatusCountsWhatMoodlesTaskHasLeftToDo) {
    ASSERT_EQ(run().exit_code, 0);
    courses();
    second_night();
    ASSERT_EQ(run().exit_code, 0);
    const auto hand =
        q("INSERT INTO mdl_cohort (contextid, name, idnumber, description, descriptionformat, component,"
          " timecreated, timemodified) VALUES (1, 'Tuteurs', 'tuteurs', '', 1, '', 0, 0) RETURNING id");
    sql("INSERT INTO mdl_cohort_members (cohortid, userid, timeadded) VALUES (" + hand + ", " +
        user_id("s1") + ", 0)");
    const auto tutoring = course("TUTORAT");
    instance(tutoring, "tuteurs", 0);
    // A deleted account is never enrolled by enrol_cohort, so it does not wait for an enrolment.
    sql("UPDATE mdl_user SET deleted = 1 WHERE username = 's6'");
    sql("DELETE FROM mdl_user_enrolments WHERE userid = " + user_id("s6"));

    const auto status = run({"status"});
    ASSERT_EQ(status.exit_code, 0) << status.describe();
    EXPECT_TRUE(contains(status.out,
                         "courses: 3 course enrolment instance(s) use the managed cohorts; 3 member(s) "
                         "wait for their course enrolment, 5 enrolment(s) wait for removal\n"))
        << status.out;
    EXPECT_TRUE(contains(status.out, "enrol_cohort\\task\\enrol_cohort_sync")) << status.out;

    unenrol_action("2");
    const auto suspend = run({"status"});
    EXPECT_TRUE(contains(suspend.out,
                         "3 member(s) wait for their course enrolment, 4 enrolment(s) wait for removal\n"))
        << suspend.out;

    // Moodle's task runs (played in SQL): everything is in line, and status says nothing is left.
    sql("DELETE FROM mdl_user_enrolments ue USING mdl_enrol e WHERE e.id = ue.enrolid AND e.enrol = 'cohort'"
        " AND NOT EXISTS (SELECT 1 FROM mdl_cohort_members m WHERE m.cohortid = e.customint1 AND m.userid = "
        "ue.userid);"
        "UPDATE mdl_user_enrolments SET status = 0 WHERE status = 1;"
        "INSERT INTO mdl_user_enrolments (status, enrolid, userid) SELECT 0, e.id, m.userid FROM mdl_enrol e"
        " JOIN mdl_cohort_members m ON m.cohortid = e.customint1 JOIN mdl_user u ON u.id = m.userid AND "
        "u.deleted = 0"
        " WHERE e.enrol = 'cohort' AND e.status = 0 AND NOT EXISTS (SELECT 1 FROM mdl_user_enrolments x"
        " WHERE x.enrolid = e.id AND x.userid = m.userid)");
    const auto caught_up = run({"status"});
    EXPECT_TRUE(contains(caught_up.out,
                         "courses: 3 course enrolment instance(s) use the managed cohorts; 0 member(s) "
                         "wait for their course enrolment, 0 enrolment(s) wait for removal\n"))
        << caught_up.out;
    EXPECT_FALSE(contains(caught_up.out, "scheduled_task")) << caught_up.out;
}

// The copy of the report in cohort_sync.runs is the run's report, for the runs that record one.
TEST_F(ImpactStatus, TheRunsTableHoldsTheReport) {
    const auto first = run();
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    const auto id = run_id_of(first);
    EXPECT_EQ(q("SELECT report->>'run_id' FROM cohort_sync.runs WHERE run_id = " + sql_literal(id)), id);
    EXPECT_EQ(q("SELECT report->>'outcome' FROM cohort_sync.runs WHERE run_id = " + sql_literal(id)),
              "applied");
    EXPECT_EQ(
        q("SELECT report->'plan'->'totals'->>'adds' FROM cohort_sync.runs WHERE run_id = " + sql_literal(id)),
        "6");
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
