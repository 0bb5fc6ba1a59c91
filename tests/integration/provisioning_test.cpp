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

    void provisioning(bool enabled, int cap = 200) {
        configure({{"provisioning", {{"enabled", enabled}, {"auth", "cas"}}},
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
    const auto account = cst::servers().query("SELECT auth, confirmed, mnethostid, idnumber, password, "
                                              "deleted, suspended, firstname, lastname, email,"
                                              " lang, timecreated > 0, timemodified = timecreated FROM "
                                              "mdl_user WHERE username = 'nouvelle.etudiante'");
    ASSERT_EQ(account.size(), 1u);
    EXPECT_EQ(account[0],
              (std::vector<std::string>{"cas", "1", "1", "22800003", "not cached", "0", "0", "Camille",
                                        "Étudiant", "Nouvelle.Etudiante@univ-test.fr", "en", "t", "t"}));
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

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
