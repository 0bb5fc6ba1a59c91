// cohort-sync knows its cohorts by id, in its own table (cohort_sync.cohorts), against the built
// binary, a real slapd and a real PostgreSQL holding Moodle's tables. A site manager who edits a
// managed cohort's idnumber in Moodle gets it restored, with a warning, and the cohort keeps its
// members and course links; a managed cohort deleted in Moodle is created again and reported; two
// cohorts claiming one key are refused, never guessed; an install of an older version gets its
// cohorts recorded by its first run. The tests that write run against every Moodle fixture
// (tests/CMakeLists.txt).
#include "e2e_support.hpp"
#include "servers.hpp"
#include "small_university.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using nlohmann::json;

constexpr int k_students = 30;

class CohortIdentity : public SiteTest {
protected:
    void SetUp() override { open_site("identity", "apogee-inscriptions.csv", Directory::keep); }

    // The night before: every student synced, and a course enrolling the L1INFO cohort.
    void clean_night() {
        use_directory(k_students);
        add_accounts(m_students);
        write_export(m_export, export_rows(m_students));
        const auto result = run();
        ASSERT_EQ(result.exit_code, 0) << result.describe();
        ASSERT_EQ(members(), expected_members(m_students));
        const auto course = q("INSERT INTO mdl_course (category, fullname, shortname) VALUES (1, 'Algo',"
                              " 'ALGO1') RETURNING id");
        m_enrol = q("INSERT INTO mdl_enrol (enrol, status, courseid, roleid, customint1, customint2) SELECT"
                    " 'cohort', 0, " +
                    course + ", 5, id, 0 FROM mdl_cohort WHERE idnumber = 'etape-L1INFO' RETURNING id");
    }

    static std::string q(const std::string& sql) { return cst::servers().query_value(sql); }

    static std::string cohort_id(const std::string& idnumber) {
        return q("SELECT id FROM mdl_cohort WHERE idnumber = " + sql_literal(idnumber));
    }

    static std::string managed_cohorts() {
        return q("SELECT count(*) FROM mdl_cohort WHERE component = 'local_cohortsync'");
    }

    // cohort_sync.cohorts as "id=idnumber" pairs, by id.
    static std::string recorded() {
        return q(
            "SELECT string_agg(cohortid || '=' || idnumber, ' ' ORDER BY cohortid) FROM cohort_sync.cohorts");
    }

    json last_report() const {
        std::string newest;
        for (const auto& file : report_files(m_dir)) {
            if (newest.empty() || fs::last_write_time(file) > fs::last_write_time(newest)) {
                newest = file;
            }
        }
        return newest.empty() ? json() : json::parse(cst::read_file(newest));
    }

    static const json* cohort_in(const json& report, const std::string& idnumber) {
        for (const auto& cohort : report["plan"]["cohorts"]) {
            if (cohort["idnumber"] == idnumber) {
                return &cohort;
            }
        }
        return nullptr;
    }

    static std::string issue_with(const json& report, const std::string& needle) {
        for (const auto& issue : report["issues"]) {
            const auto message = issue["message"].get<std::string>();
            if (contains(message, needle)) {
                return issue["severity"].get<std::string>() + ": " + message;
            }
        }
        return {};
    }

    // A second run right after writes nothing to Moodle, restores and creates nothing.
    void expect_quiet_rerun() {
        const auto before = moodle_fingerprint();
        const auto ledger = recorded();
        const auto again = run();
        ASSERT_EQ(again.exit_code, 0) << again.describe();
        EXPECT_TRUE(contains(again.err, "plan: +0 -0 in 0 cohort(s), 0 new")) << again.describe();
        EXPECT_FALSE(contains(again.err, "restores")) << again.describe();
        EXPECT_EQ(moodle_fingerprint(), before);
        EXPECT_EQ(recorded(), ledger);
    }

    std::vector<Student> m_students = make_students(k_students);
    std::string m_enrol;
};

TEST_F(CohortIdentity, AnIdnumberEditedInMoodleIsRestoredWithItsMembersAndCourseLinks) {
    clean_night();
    const std::string l1 = cohort_id("etape-L1INFO");
    EXPECT_EQ(recorded(), cohort_id("etape-L1INFO") + "=etape-L1INFO " + cohort_id("etape-L2MATH") +
                              "=etape-L2MATH " + cohort_id("etape-M1GEO") + "=etape-M1GEO");
    const auto members_before =
        q("SELECT md5(string_agg(m::text, '|' ORDER BY m.id)) FROM mdl_cohort_members m");
    // The site manager's inline edit.
    cst::servers().psql("UPDATE mdl_cohort SET idnumber = 'L1 info (ancienne)' WHERE id = " + l1);

    // The dry run says it and writes nothing.
    const auto before = database_fingerprint();
    const auto dry = run({"--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_TRUE(contains(dry.out, "restore idnumber (cohort id " + l1 +
                                      "): it was changed in Moodle to 'L1 info (ancienne)'"))
        << dry.describe();
    EXPECT_EQ(database_fingerprint(), before);

    const auto result = run();

    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "plan: +0 -0 in 1 cohort(s), 0 new")) << result.describe();
    EXPECT_TRUE(contains(result.err, "cohort id " + l1 +
                                         ": its idnumber was changed in Moodle to 'L1 info (ancienne)'; "
                                         "cohort-sync restores 'etape-L1INFO'"))
        << result.describe();
    EXPECT_EQ(q("SELECT idnumber FROM mdl_cohort WHERE id = " + l1), "etape-L1INFO");
    EXPECT_EQ(managed_cohorts(), "3") << "no second cohort for the étape";
    EXPECT_EQ(q("SELECT md5(string_agg(m::text, '|' ORDER BY m.id)) FROM mdl_cohort_members m"),
              members_before);
    EXPECT_EQ(q("SELECT customint1 FROM mdl_enrol WHERE id = " + m_enrol), l1) << "the course link is intact";

    const auto report = last_report();
    const auto* cohort = cohort_in(report, "etape-L1INFO");
    ASSERT_NE(cohort, nullptr) << report.dump(2);
    EXPECT_EQ((*cohort)["restore_idnumber_from"], "L1 info (ancienne)");
    EXPECT_EQ((*cohort)["cohort_id"].dump(), l1);
    EXPECT_EQ(report["plan"]["totals"]["restores"], 1);
    EXPECT_EQ(report["applied"]["idnumbers_restored"], 1);
    const auto warning = issue_with(report, "L1 info (ancienne)");
    EXPECT_TRUE(warning.starts_with("warning: cohort id " + l1)) << warning;
    EXPECT_TRUE(contains(warning, "étape L1INFO")) << warning;

    expect_quiet_rerun();
}

TEST_F(CohortIdentity, AManagedCohortDeletedInMoodleIsCreatedAgainAndReported) {
    clean_night();
    const std::string old_id = cohort_id("etape-L2MATH");
    cst::servers().psql("DELETE FROM mdl_cohort_members WHERE cohortid = " + old_id +
                        "; DELETE FROM mdl_cohort WHERE id = " + old_id);

    const auto result = run();

    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "cohort 'etape-L2MATH': cohort id " + old_id +
                                         " was deleted in Moodle; it is created again"))
        << result.describe();
    EXPECT_EQ(members(), expected_members(m_students));
    const std::string new_id = cohort_id("etape-L2MATH");
    EXPECT_NE(new_id, old_id);
    EXPECT_EQ(managed_cohorts(), "3");
    EXPECT_TRUE(contains(recorded(), new_id + "=etape-L2MATH")) << recorded();
    EXPECT_FALSE(contains(recorded(), old_id + "=")) << recorded();

    const auto report = last_report();
    const auto* cohort = cohort_in(report, "etape-L2MATH");
    ASSERT_NE(cohort, nullptr) << report.dump(2);
    EXPECT_EQ((*cohort)["create"], true);
    EXPECT_EQ((*cohort)["recreates"].dump(), old_id);
    EXPECT_EQ(report["plan"]["totals"]["recreates"], 1);
    const auto warning = issue_with(report, "cohort id " + old_id + " (étape L2MATH)");
    EXPECT_TRUE(warning.starts_with("warning: ")) << warning;
    EXPECT_TRUE(contains(warning, "created again")) << warning;

    expect_quiet_rerun();
}

TEST_F(CohortIdentity, TwoManagedCohortsClaimingOneKeyAreRefusedNamingBoth) {
    clean_night();
    const std::string l1 = cohort_id("etape-L1INFO");
    // The manager changes the étape's cohort's idnumber, then gives another managed cohort (made
    // before cohort-sync recorded its cohorts) the étape's idnumber.
    cst::servers().psql(
        "UPDATE mdl_cohort SET idnumber = 'L1-old' WHERE id = " + l1 +
        "; INSERT INTO mdl_cohort (contextid, name, idnumber, description, descriptionformat, visible,"
        " component, timecreated, timemodified, theme) VALUES (1, 'L1 bis', 'etape-L1INFO', '', 1, 1,"
        " 'local_cohortsync', 100, 100, '')");
    const std::string other = cohort_id("etape-L1INFO");
    const auto before = moodle_fingerprint();

    const auto result = run();

    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before) << "neither cohort is touched, and none is created";
    const auto error = issue_with(last_report(), "both answer to idnumber 'etape-L1INFO'");
    EXPECT_TRUE(error.starts_with("error: étape L1INFO is skipped")) << error;
    EXPECT_TRUE(contains(error, "id " + l1 + " and id " + other)) << error;
    EXPECT_TRUE(contains(result.err, "both answer to idnumber 'etape-L1INFO'")) << result.describe();
    EXPECT_FALSE(contains(recorded(), other + "=")) << "a shared idnumber is recorded for nobody";

    // The manager deletes the cohort that is not the étape's: the next run restores the other.
    cst::servers().psql("DELETE FROM mdl_cohort WHERE id = " + other);
    const auto fixed = run();
    ASSERT_EQ(fixed.exit_code, 0) << fixed.describe();
    EXPECT_EQ(q("SELECT idnumber FROM mdl_cohort WHERE id = " + l1), "etape-L1INFO");
    EXPECT_EQ(members(), expected_members(m_students));
}

TEST_F(CohortIdentity, AnInstallOfAnOlderVersionGetsItsCohortsRecordedByItsFirstRun) {
    clean_night();
    // What 0.1.0 left: the runs and pending tables, no record of the cohorts.
    cst::servers().psql("DROP TABLE cohort_sync.cohorts");
    const auto before = moodle_fingerprint();

    const auto result = run();

    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
    EXPECT_EQ(q("SELECT count(*) FROM cohort_sync.cohorts"), "3");

    // Recorded from now on: an edit is restored.
    const std::string m1 = cohort_id("etape-M1GEO");
    cst::servers().psql("UPDATE mdl_cohort SET idnumber = NULL WHERE id = " + m1);
    const auto restored = run();
    ASSERT_EQ(restored.exit_code, 0) << restored.describe();
    EXPECT_EQ(q("SELECT idnumber FROM mdl_cohort WHERE id = " + m1), "etape-M1GEO");
    EXPECT_EQ(managed_cohorts(), "3");
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
