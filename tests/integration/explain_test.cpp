// `cohort-sync explain`: for a student in each situation an admin meets (a member, a student who
// withdrew, one without a Moodle account, one in a single source), the key lines of its answer;
// and input that would be dangerous in an LDAP filter or an SQL statement matches nobody and
// changes nothing.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <ctime>
#include <gtest/gtest.h>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;

using Lines = std::vector<std::string>;

std::string local_date(long long unix_seconds) {
    const std::time_t t = unix_seconds;
    std::tm local{};
    localtime_r(&t, &local);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &local);
    return text;
}

std::string q(const std::string& sql) {
    return cst::servers().query_value(sql);
}

class Explain : public SiteTest {
protected:
    void SetUp() override {
        open_site("explain");
        m_year = std::to_string(current_academic_year());
    }

    // Students in L1INFO, in LDAP, in the export (line 2 onwards, in order) and in Moodle.
    void students(const std::vector<std::string>& numbers, bool ldap = true, bool moodle = true) {
        std::string ldif;
        std::vector<MoodleAccount> accounts;
        for (const auto& number : numbers) {
            ldif += cst::make_student_ldif("etu" + number, number, {"L1INFO"}) + "\n";
            accounts.push_back({"etu" + number, number});
            m_rows.push_back({number, "L1INFO", "Licence 1 Informatique"});
        }
        if (ldap) {
            cst::servers().ldap_add_ldif(ldif);
        }
        if (moodle) {
            add_moodle_users(accounts);
        }
        write_export(m_export, m_rows);
    }

    RunResult explain(const std::string& key) {
        auto result = run({"explain", key});
        EXPECT_EQ(result.exit_code, 0) << result.describe();
        return result;
    }

    void sync() {
        const auto result = run({});
        ASSERT_EQ(result.exit_code, 0) << result.describe();
    }

    // A course enrolling the cohort through enrol_cohort, as a teacher would add it.
    std::string course_with_cohort(const std::string& shortname, const std::string& cohort_idnumber,
                                   int instance_status = 0) {
        const auto course = q("INSERT INTO mdl_course (category, fullname, shortname) VALUES (1, 'Cours " +
                              shortname + "', " + sql_literal(shortname) + ") RETURNING id");
        m_enrol = q("INSERT INTO mdl_enrol (enrol, status, courseid, roleid, customint1, customint2) SELECT "
                    "'cohort', " +
                    std::to_string(instance_status) + ", " + course +
                    ", 5, id, 0 FROM mdl_cohort WHERE idnumber = " + sql_literal(cohort_idnumber) +
                    " RETURNING id");
        return course;
    }

    void enrol(const std::string& username, int status = 0) {
        cst::servers().psql("INSERT INTO mdl_user_enrolments (status, enrolid, userid) VALUES (" +
                            std::to_string(status) + ", " + m_enrol + ", " + user_id(username) + ")");
    }

    void grade(const std::string& course, const std::string& username, const std::string& finalgrade) {
        const auto item = q("INSERT INTO mdl_grade_items (courseid, itemtype) VALUES (" + course +
                            ", 'course') RETURNING id");
        cst::servers().psql("INSERT INTO mdl_grade_grades (itemid, userid, finalgrade) VALUES (" + item +
                            ", " + user_id(username) + ", " + finalgrade + ")");
    }

    std::string m_year;
    std::vector<ExportRow> m_rows;
    std::string m_enrol;
};

TEST_F(Explain, AMemberIsWhereTheExportSaysAndNothingChanges) {
    students({"22800001", "22800002"});
    sync();
    const auto result = explain("etu22800001");
    const auto& out = result.out;
    EXPECT_TRUE(out.starts_with("explain 'etu22800001'\n")) << out;
    EXPECT_EQ(lines_after(out, "directory ("),
              (Lines{"  uid=etu22800001,ou=people,dc=univ-test,dc=fr",
                     "    login 'etu22800001', student number '22800001', Camille Étudiant",
                     "    supannEtuEtape 'L1INFO': étape L1INFO"}))
        << out;
    EXPECT_EQ(lines_after(out, "export ("),
              Lines{"  line 2: " + m_year +
                    " L1INFO version '101' status 'E' 'Licence 1 Informatique': active inscription"})
        << out;
    EXPECT_EQ(lines_after(out, "should be in:"),
              Lines{"  etape-L1INFO             'L1INFO: Licence 1 Informatique' because: export " +
                    m_export + ":2"})
        << out;
    EXPECT_EQ(
        lines_after(out, "Moodle accounts:"),
        Lines{"  id " + user_id("etu22800001") + " username 'etu22800001' idnumber '22800001' auth cas"})
        << out;
    const auto since =
        std::stoll(q("SELECT m.timeadded FROM mdl_cohort_members m JOIN mdl_user u ON u.id = m.userid"
                     " WHERE u.username = 'etu22800001'"));
    EXPECT_EQ(lines_after(out, "is in now:"),
              Lines{"  etape-L1INFO             'L1INFO: Licence 1 Informatique' since " + local_date(since) +
                    " (managed by cohort-sync)"})
        << out;
    EXPECT_EQ(lines_after(out, "the next run would:"), Lines{"  nothing"}) << out;
    EXPECT_EQ(lines_after(out, "courses (through enrol_cohort):"), Lines{"  no course enrols these cohorts"})
        << out;
}

TEST_F(Explain, TheStudentNumberFindsTheSameStudent) {
    students({"22800001"});
    sync();
    const auto result = explain("22800001");
    EXPECT_EQ(lines_after(result.out, "should be in:"),
              Lines{"  etape-L1INFO             'L1INFO: Licence 1 Informatique' because: export " +
                    m_export + ":2"})
        << result.out;
    EXPECT_EQ(lines_after(result.out, "the next run would:"), Lines{"  nothing"}) << result.out;
}

TEST_F(Explain, AWithdrawnStudentWouldLoseTheirGradedEnrolment) {
    students({"22800001", "22800002"});
    sync();
    const auto course = course_with_cohort("INFO101", "etape-L1INFO");
    enrol("etu22800001");
    enrol("etu22800002");
    grade(course, "etu22800002", "14.5");
    m_rows[1].status = "A"; // the second student withdrew: APOGÉE keeps the row, status 'A'
    write_export(m_export, m_rows);

    const auto result = explain("etu22800002");
    const auto& out = result.out;
    EXPECT_EQ(lines_after(out, "export ("),
              Lines{"  line 3: " + m_year +
                    " L1INFO version '101' status 'A' 'Licence 1 Informatique': not counted, status not in "
                    "apogee.active_statuses"})
        << out;
    EXPECT_EQ(lines_after(out, "should be in:"), Lines{"  no cohort"}) << out;
    const auto now = lines_after(out, "is in now:");
    ASSERT_EQ(now.size(), 1u) << out;
    EXPECT_TRUE(now[0].starts_with("  etape-L1INFO ")) << out;
    EXPECT_EQ(lines_after(out, "the next run would:"), Lines{"  remove from etape-L1INFO"}) << out;
    EXPECT_EQ(
        lines_after(out, "courses (through enrol_cohort):"),
        Lines{"  course " + course +
              " 'INFO101' via etape-L1INFO: enrolled, will lose this enrolment at Moodle's next cohort sync "
              "(has grades in this course)"})
        << out;

    // The classmate who stays keeps the enrolment, and is told nothing will happen.
    const auto stays = explain("etu22800001");
    EXPECT_EQ(lines_after(stays.out, "the next run would:"), Lines{"  nothing"}) << stays.out;
    EXPECT_EQ(lines_after(stays.out, "courses (through enrol_cohort):"),
              Lines{"  course " + course + " 'INFO101' via etape-L1INFO: enrolled"})
        << stays.out;
}

TEST_F(Explain, AWithdrawnStudentWithoutGradesIsNotSaidToHaveAny) {
    students({"22800001", "22800002"});
    sync();
    const auto course = course_with_cohort("INFO101", "etape-L1INFO");
    enrol("etu22800002");
    // A grade row without a final grade (an assignment opened, not marked) is not a grade.
    grade(course, "etu22800002", "NULL");
    m_rows[1].status = "A";
    write_export(m_export, m_rows);
    const auto result = explain("etu22800002");
    EXPECT_EQ(
        lines_after(result.out, "courses (through enrol_cohort):"),
        Lines{"  course " + course +
              " 'INFO101' via etape-L1INFO: enrolled, will lose this enrolment at Moodle's next cohort sync"})
        << result.out;
}

TEST_F(Explain, AStudentWithoutAccountIsReportedAndStaysOut) {
    students({"22800001"});
    students({"22800003"}, /*ldap=*/true, /*moodle=*/false);
    sync();
    const auto result = explain("etu22800003");
    const auto& out = result.out;
    EXPECT_EQ(lines_after(out, "should be in:"),
              Lines{"  etape-L1INFO             'L1INFO: Licence 1 Informatique' because: export " +
                    m_export + ":3"})
        << out;
    EXPECT_EQ(
        lines_after(out, "Moodle accounts:"),
        (Lines{"  none with this username or idnumber: the student has never logged in, or the account has "
               "another key",
               "  cannot be placed in the L1INFO cohort: no_account"}))
        << out;
    EXPECT_EQ(lines_after(out, "is in now:"), Lines{"  no cohort"}) << out;
    EXPECT_EQ(lines_after(out, "the next run would:"), Lines{"  nothing"}) << out;
}

TEST_F(Explain, WithProvisioningTheNextRunCreatesTheAccount) {
    students({"22800001"});
    students({"22800003"}, /*ldap=*/true, /*moodle=*/false);
    sync();
    enable_auth_plugins("cas");
    configure({{"provisioning", {{"enabled", true}, {"auth", "cas"}}}});
    const auto result = explain("etu22800003");
    EXPECT_EQ(
        lines_after(result.out, "Moodle accounts:"),
        (Lines{"  none with this username or idnumber: the student has never logged in, or the account has "
               "another key",
               "  no account yet: the next run creates 'etu22800003' (auth cas, provisioning is on)"}))
        << result.out;
}

// The run after that creates the account and puts it in the cohort, in one transaction: explain's
// "the next run would" must say so rather than "nothing".
TEST_F(Explain, WithProvisioningTheNextRunAddsTheNewAccountToItsExistingCohort) {
    students({"22800001"});
    students({"22800003"}, /*ldap=*/true, /*moodle=*/false);
    sync();
    enable_auth_plugins("cas");
    configure({{"provisioning", {{"enabled", true}, {"auth", "cas"}}}});
    const auto result = explain("etu22800003");
    EXPECT_NE(lines_after(result.out, "the next run would:"), Lines{"  nothing"}) << result.out;

    // What the next run really does.
    sync();
    EXPECT_EQ(q("SELECT count(*) FROM mdl_cohort_members m JOIN mdl_user u ON u.id = m.userid"
                " JOIN mdl_cohort c ON c.id = m.cohortid WHERE u.username = 'etu22800003'"
                " AND c.idnumber = 'etape-L1INFO'"),
              "1");
}

TEST_F(Explain, AStudentOnlyInTheDirectoryHasNoExportRow) {
    students({"22800001"});
    cst::servers().ldap_add_ldif(cst::make_student_ldif("etu22800004", "22800004", {"L1INFO"}));
    add_moodle_users({{"etu22800004", "22800004"}});
    sync();
    const auto result = explain("etu22800004");
    const auto& out = result.out;
    EXPECT_EQ(lines_after(out, "directory (").front(), "  uid=etu22800004,ou=people,dc=univ-test,dc=fr")
        << out;
    EXPECT_EQ(lines_after(out, "export ("), Lines{"  no row for student number '22800004'"}) << out;
    EXPECT_EQ(lines_after(out, "should be in:"), Lines{"  no cohort"}) << out;
    EXPECT_EQ(lines_after(out, "the next run would:"), Lines{"  nothing"}) << out;
}

TEST_F(Explain, AStudentOnlyInTheExportHasNoDirectoryEntry) {
    students({"22800001"});
    students({"22800005"}, /*ldap=*/false, /*moodle=*/false);
    const auto result = explain("22800005");
    const auto& out = result.out;
    EXPECT_EQ(lines_after(out, "directory ("), Lines{"  no entry has this login or student number"}) << out;
    EXPECT_EQ(lines_after(out, "export ("),
              Lines{"  line 3: " + m_year +
                    " L1INFO version '101' status 'E' 'Licence 1 Informatique': active inscription"})
        << out;
    // Rule "both": the export alone does not make a member.
    EXPECT_EQ(lines_after(out, "should be in:"), Lines{"  no cohort"}) << out;
    EXPECT_EQ(lines_after(out, "Moodle accounts:").front(),
              "  none with this username or idnumber: the student "
              "has never logged in, or the account has another key")
        << out;
}

TEST_F(Explain, AFormerStudentOutsideTheFilterIsShownAsSuch) {
    students({"22800001"});
    cst::StudentEntry staff;
    staff.uid = "etu22800006";
    staff.etu_id = "22800006";
    staff.affiliations = {"staff"};
    cst::servers().ldap_add_ldif(cst::make_student_ldif(staff));
    const auto result = explain("etu22800006");
    EXPECT_EQ(lines_after(result.out, "directory ("),
              (Lines{"  uid=etu22800006,ou=people,dc=univ-test,dc=fr is in the directory but not selected by "
                     "ldap.filter '(eduPersonAffiliation=student)': not a student there (any more)",
                     "    login 'etu22800006', student number '22800006'"}))
        << result.out;
}

// "*)(uid=*" would match every entry if it reached the filter unescaped, and "*" too.
TEST_F(Explain, LdapFilterMetacharactersMatchNobody) {
    students({"22800001", "22800002"});
    sync();
    const auto before = database_fingerprint();
    for (const std::string key : {"*)(uid=*", "*", "etu*", "(uid=etu22800001)", "\\2a"}) {
        const auto result = explain(key);
        EXPECT_EQ(lines_after(result.out, "directory ("),
                  Lines{"  no entry has this login or student number"})
            << key << "\n"
            << result.describe();
        EXPECT_EQ(lines_after(result.out, "export ("), Lines{"  no row for student number '" + key + "'"})
            << result.out;
        EXPECT_EQ(lines_after(result.out, "should be in:"), Lines{"  no cohort"}) << result.out;
        EXPECT_EQ(lines_after(result.out, "is in now:"), Lines{"  no cohort"}) << result.out;
        EXPECT_FALSE(contains(result.all(), "etu22800001'")) << result.out;
    }
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(Explain, SqlQuotesDoNoHarm) {
    students({"22800001", "22800002"});
    sync();
    const auto before = database_fingerprint();
    for (const std::string key :
         {"x' OR '1'='1", "etu22800001'; DELETE FROM mdl_cohort_members; --", "22800001' OR idnumber <> '"}) {
        const auto result = explain(key);
        EXPECT_EQ(
            lines_after(result.out, "Moodle accounts:").front(),
            "  none with this username or idnumber: the student has never logged in, or the account has "
            "another key")
            << key << "\n"
            << result.describe();
        EXPECT_EQ(lines_after(result.out, "is in now:"), Lines{"  no cohort"}) << result.out;
    }
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_EQ(q("SELECT count(*) FROM mdl_cohort_members"), "2");
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
