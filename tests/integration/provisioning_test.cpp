// Students without a Moodle account: reported every run, and with provisioning on given an
// account the way external-auth users have one, in the same transaction as their cohorts.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;

class Provisioning : public SiteTest {
protected:
    void SetUp() override {
        open_site("provisioning");
        // Two students with accounts, one who never logged in ("Élodie", accented in LDAP).
        cst::servers().ldap_add_ldif(cst::make_student_ldif("etu1", "22800001", {"L1INFO"}) + "\n" +
                                     cst::make_student_ldif("etu2", "22800002", {"L1INFO"}) + "\n" +
                                     cst::make_student_ldif("Nouvelle.Etudiante", "22800003", {"L1INFO"}));
        add_moodle_users({{"etu1", "22800001"}, {"etu2", "22800002"}});
        m_rows = {{"22800001", "L1INFO", "Licence 1 Informatique"},
                  {"22800002", "L1INFO", "Licence 1 Informatique"},
                  {"22800003", "L1INFO", "Licence 1 Informatique"}};
        write_export(m_export, m_rows);
    }

    // Students log in through LDAP here: a plugin every supported Moodle release ships.
    void provisioning(bool enabled, int cap = 200, const std::string& auth = "ldap") {
        enable_auth_plugins("ldap");
        configure({{"provisioning", {{"enabled", enabled}, {"auth", auth}}},
                   {"guards", {{"max_accounts_created", cap}}}});
    }

    static std::string count(const std::string& sql) { return cst::servers().query_value(sql); }

    std::vector<ExportRow> m_rows;
};

TEST_F(Provisioning, OffAStudentWithoutAccountIsReportedNotCreated) {
    const auto result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "1 unplaced")) << result.err;
    EXPECT_EQ(count("SELECT count(*) FROM mdl_user WHERE username = 'nouvelle.etudiante'"), "0");
    EXPECT_EQ(count("SELECT count(*) FROM mdl_cohort_members"), "2");
    const auto reports = report_files(m_dir);
    ASSERT_FALSE(reports.empty());
    const auto report = nlohmann::json::parse(cst::read_file(*reports.rbegin()));
    ASSERT_EQ(report["plan"]["unplaced"].size(), 1u);
    EXPECT_EQ(report["plan"]["unplaced"][0]["student_number"], "22800003");
    EXPECT_EQ(report["plan"]["unplaced"][0]["reason"], "no_account");
    EXPECT_EQ(report["plan"]["unplaced"][0]["etape"], "L1INFO");
}

TEST_F(Provisioning, CreatesExactlyOneExternalAuthAccountThatJoinsTheCohortInTheSameRun) {
    provisioning(true);
    const auto dry = run({"--dry-run", "-v"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_TRUE(contains(dry.out, "accounts: 1 Moodle account(s) to create")) << dry.out;
    EXPECT_TRUE(contains(dry.out, "+ nouvelle.etudiante")) << dry.out;
    EXPECT_EQ(count("SELECT count(*) FROM mdl_user WHERE username = 'nouvelle.etudiante'"), "0");

    const auto result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    const auto account =
        cst::servers().query("SELECT auth, confirmed, mnethostid, idnumber, password, "
                             "deleted, suspended, firstname, lastname, email,"
                             " lang, country, timecreated > 0, timemodified = timecreated FROM "
                             "mdl_user WHERE username = 'nouvelle.etudiante'");
    ASSERT_EQ(account.size(), 1u);
    // country '': the site's default country is '0' ("Select a country"), which Moodle itself
    // turns into '' for a new account (PHP's empty('0')).
    EXPECT_EQ(account[0],
              (std::vector<std::string>{"ldap", "1", "1", "22800003", "not cached", "0", "0", "Camille",
                                        "Étudiant", "Nouvelle.Etudiante@univ-test.fr", "en", "", "t", "t"}));
    EXPECT_EQ(count("SELECT count(*) FROM mdl_cohort_members m JOIN mdl_user u ON u.id = m.userid"
                    " WHERE u.username = 'nouvelle.etudiante'"),
              "1");
    EXPECT_EQ(
        count("SELECT count(*) FROM mdl_context c JOIN mdl_user u ON c.instanceid = u.id"
              " WHERE c.contextlevel = 30 AND u.username = 'nouvelle.etudiante' AND c.path = '/1/' || c.id"),
        "1");

    const auto again = run();
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_TRUE(contains(again.err, "0 account(s) to create")) << again.err;
    EXPECT_EQ(count("SELECT count(*) FROM mdl_user WHERE idnumber = '22800003'"), "1");
}

TEST_F(Provisioning, NeverReusesOrDuplicatesADeletedAccount) {
    provisioning(true);
    cst::servers().psql("INSERT INTO mdl_user (auth, confirmed, mnethostid, username, idnumber, deleted)"
                        " VALUES ('cas', 1, 1, 'old.1700000000', '22800003', 1)");
    const auto result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(count("SELECT count(*) FROM mdl_user WHERE idnumber = '22800003'"), "1") << "no new account";
    EXPECT_EQ(count("SELECT deleted FROM mdl_user WHERE idnumber = '22800003'"), "1") << "not revived";
    const auto report = nlohmann::json::parse(cst::read_file(*report_files(m_dir).rbegin()));
    ASSERT_EQ(report["plan"]["unplaced"].size(), 1u);
    EXPECT_EQ(report["plan"]["unplaced"][0]["reason"], "deleted_account");
}

TEST_F(Provisioning, TheCapTripsAndNothingIsWritten) {
    provisioning(true, 0);
    const auto before = moodle_fingerprint();
    const auto result = run();
    EXPECT_EQ(result.exit_code, 3) << result.describe();
    EXPECT_TRUE(contains(result.err, "max_accounts_created")) << result.err;
    EXPECT_EQ(moodle_fingerprint(), before);
    const auto forced = run({"--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.describe();
    EXPECT_EQ(count("SELECT count(*) FROM mdl_user WHERE idnumber = '22800003'"), "1");
}

TEST_F(Provisioning, APluginTheSiteHasNotEnabledIsRefusedWithNothingWritten) {
    provisioning(true, 200, "cas");
    const auto before = moodle_fingerprint();
    // The dry run already says so: an admin sees it before the night does.
    const auto dry = run({"--dry-run"});
    EXPECT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_TRUE(contains(dry.out, "guard provisioning_auth") && contains(dry.out, "TRIPPED"))
        << dry.describe();
    EXPECT_TRUE(contains(dry.err, "a real run would be refused by: provisioning_auth")) << dry.describe();

    const auto result = run();
    EXPECT_EQ(result.exit_code, 3) << result.describe();
    const auto line = line_with(result.err, "guard provisioning_auth tripped");
    EXPECT_TRUE(contains(line,
                         "1 Moodle account(s) to create with authentication plugin 'cas', not enabled on "
                         "this site (enabled: manual, nologin, ldap)"))
        << result.describe();
    EXPECT_TRUE(
        contains(line_after(result.err, "guard provisioning_auth tripped"), "HINT: set provisioning.auth"))
        << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before) << "not even the other students' cohort";
    // Moodle would refuse these accounts at login: --force does not make them right.
    const auto forced = run({"--force"});
    EXPECT_EQ(forced.exit_code, 3) << forced.describe();
    EXPECT_EQ(moodle_fingerprint(), before);

    // Listed as enabled but uninstalled, as CAS is on a site upgraded to 5.0: still refused.
    enable_auth_plugins("cas,ldap");
    cst::servers().psql("DELETE FROM mdl_config_plugins WHERE plugin = 'auth_cas'");
    const auto uninstalled = moodle_fingerprint();
    const auto gone = run();
    EXPECT_EQ(gone.exit_code, 3) << gone.describe();
    EXPECT_TRUE(contains(gone.err, "(enabled: manual, nologin, ldap)")) << gone.describe();
    EXPECT_EQ(moodle_fingerprint(), uninstalled);

    const auto check = run({"check"});
    EXPECT_EQ(check.exit_code, 6) << check.describe();
    EXPECT_TRUE(contains(line_starting(check.out, "auth "), "FAILED")) << check.describe();
    EXPECT_TRUE(contains(line_starting(check.out, "auth "), "'cas' is not enabled")) << check.describe();
}

TEST_F(Provisioning, EnabledWithoutAnAuthPluginIsAConfigurationError) {
    configure({{"provisioning", {{"enabled", true}}}});
    const auto before = moodle_fingerprint();
    const auto result = run();
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_TRUE(contains(result.err, "/provisioning/auth")) << result.describe();
    EXPECT_TRUE(contains(result.err, "provisioning.auth is not set")) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
}

// The course-impact preview counts the accounts provisioning is about to create: each joins the
// cohort's courses at Moodle's next cohort sync.
TEST_F(Provisioning, ThePreviewCountsTheAccountsToBeInTheirCoursesEnrolments) {
    const auto first = run(); // the cohort, without the student who has no account
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    const std::string cohort = count("SELECT id FROM mdl_cohort WHERE idnumber = 'etape-L1INFO'");
    cst::servers().psql(
        "INSERT INTO mdl_course (id, category, fullname, shortname) VALUES (2, 1, 'Algo', 'ALGO1');"
        "INSERT INTO mdl_enrol (enrol, status, courseid, roleid, customint1) VALUES"
        " ('cohort', 0, 2, 5, " +
        cohort + ")");
    provisioning(true);
    const auto dry = run({"--dry-run", "--format", "json"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    const auto impact = nlohmann::json::parse(dry.out)["course_impact"];
    EXPECT_EQ(impact["enrolments_added"], 1) << impact.dump();
    ASSERT_EQ(impact["courses"].size(), 1u) << impact.dump();
    EXPECT_EQ(impact["courses"][0]["shortname"], "ALGO1");
    EXPECT_EQ(impact["courses"][0]["enrolments_added"], 1);
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
