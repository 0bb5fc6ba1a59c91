// Fitting into the Moodle site: which release it runs (read at `check` and every run, refused when
// newer than the tested ones unless accepted), and the post-commit command that makes its courses
// follow at once (checked by `check`, a distinct outcome and exit code when it fails).
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;

class MoodleSite : public SiteTest {
protected:
    void SetUp() override {
        open_site("moodle-site");
        cst::servers().ldap_add_ldif(cst::make_student_ldif("etu1", "22700001", {"L1INFO"}) + "\n" +
                                     cst::make_student_ldif("etu2", "22700002", {"L1INFO"}));
        add_moodle_users({{"etu1", "22700001"}, {"etu2", "22700002"}});
        write_export(m_export, {{"22700001", "L1INFO", "Licence 1 Informatique"},
                                {"22700002", "L1INFO", "Licence 1 Informatique"}});
    }

    static std::string release() {
        return cst::servers().query_value("SELECT value FROM mdl_config WHERE name = 'release'");
    }
    static std::string version() {
        return cst::servers().query_value("SELECT value FROM mdl_config WHERE name = 'version'");
    }
    static void pretend_release(const std::string& release, const std::string& version) {
        cst::servers().psql("UPDATE mdl_config SET value = " + sql_literal(release) +
                            " WHERE name = 'release'; UPDATE mdl_config SET value = " + sql_literal(version) +
                            " WHERE name = 'version'");
    }

    nlohmann::json newest_report() const {
        const auto reports = report_files(m_dir);
        return reports.empty() ? nlohmann::json() : nlohmann::json::parse(cst::read_file(*reports.rbegin()));
    }

    // An executable script in the test's folder.
    std::string script(const std::string& name, const std::string& body) const {
        const std::string path = m_dir + "/" + name;
        write_text(path, "#!/bin/sh\n" + body + "\n");
        chmod(path.c_str(), 0755);
        return path;
    }
};

// ---- Versions ---------------------------------------------------------------------------------

TEST_F(MoodleSite, CheckAndEveryRunSayWhichMoodleTheSiteRuns) {
    const auto check = run({"check"});
    ASSERT_EQ(check.exit_code, 0) << check.describe();
    const auto line = line_starting(check.out, "release ");
    EXPECT_TRUE(line.starts_with("release  ok ")) << check.describe();
    EXPECT_TRUE(contains(line, "Moodle " + release() + " (version " + version() + "), tested")) << line;
    EXPECT_TRUE(contains(line, "4.5, 5.0, 5.1, 5.2")) << line;

    const auto sync = run();
    ASSERT_EQ(sync.exit_code, 0) << sync.describe();
    EXPECT_TRUE(contains(sync.err, "target: Moodle " + release() + " (version " + version() + ")"))
        << sync.describe();
    const auto report = newest_report();
    EXPECT_EQ(report["moodle"]["release"], release()) << report.dump();
    EXPECT_EQ(report["moodle"]["version"], version()) << report.dump();
}

TEST_F(MoodleSite, ANewerMajorIsRefusedWithTheSupportedListUntilAccepted) {
    pretend_release("5.3 (Build: 20261005)", "2026100500.00");
    const auto before = database_fingerprint({"public"});

    const auto check = run({"check"});
    EXPECT_EQ(check.exit_code, 6) << check.describe();
    const auto line = line_starting(check.out, "release ");
    EXPECT_TRUE(line.starts_with("release  FAILED ")) << check.describe();
    EXPECT_TRUE(contains(line, "supported are Moodle 4.5, 5.0, 5.1, 5.2")) << line;
    EXPECT_TRUE(contains(line_after(check.out, "release  FAILED"), "\"accept_untested_version\": \"5.3\""))
        << check.describe();

    const auto refused = run();
    EXPECT_EQ(refused.exit_code, 1) << refused.describe();
    EXPECT_TRUE(
        contains(refused.err, "refusing to sync: Moodle 5.3 (Build: 20261005) (version 2026100500.00)"))
        << refused.describe();
    EXPECT_TRUE(contains(line_after(refused.err, "refusing to sync"), "accept_untested_version"))
        << refused.describe();
    EXPECT_EQ(database_fingerprint({"public"}), before) << "nothing written";

    // Accepting 5.4 does not accept 5.3: each new release is a decision of its own.
    configure({{"moodle", {{"accept_untested_version", "5.4"}}}});
    EXPECT_EQ(run().exit_code, 1);

    configure({{"moodle", {{"accept_untested_version", "5.3"}}}});
    const auto accepted = run();
    ASSERT_EQ(accepted.exit_code, 0) << accepted.describe();
    EXPECT_TRUE(contains(accepted.err, "moodle.accept_untested_version accepts it")) << accepted.describe();
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members"), "2");
    EXPECT_EQ(run({"check"}).exit_code, 0);
}

// ---- The post-commit command ------------------------------------------------------------------

TEST_F(MoodleSite, CheckFlagsAPostCommitScriptThatIsNotThereAndNamesTheOtherLayout) {
    // A Moodle 5.1 tree: its code under public/, so <moodle>/enrol/cohort/cli/sync.php is gone.
    const std::string moodle = m_dir + "/moodle";
    fs::create_directories(moodle + "/public/enrol/cohort/cli");
    write_text(moodle + "/public/enrol/cohort/cli/sync.php", "<?php\n");
    const std::string php = script("php", "exit 0");
    configure({{"moodle", {{"post_commit_command", {php, moodle + "/enrol/cohort/cli/sync.php"}}}}});

    const auto check = run({"check"});
    EXPECT_EQ(check.exit_code, 6) << check.describe();
    const auto line = line_starting(check.out, "command ");
    EXPECT_TRUE(line.starts_with("command  FAILED ")) << check.describe();
    EXPECT_TRUE(contains(line, moodle + "/enrol/cohort/cli/sync.php' does not exist")) << line;
    EXPECT_TRUE(
        contains(line_after(check.out, "command  FAILED"), moodle + "/public/enrol/cohort/cli/sync.php"))
        << check.describe();

    configure({{"moodle", {{"post_commit_command", {php, moodle + "/public/enrol/cohort/cli/sync.php"}}}}});
    const auto good = run({"check"});
    EXPECT_EQ(good.exit_code, 0) << good.describe();
    EXPECT_TRUE(line_starting(good.out, "command ").starts_with("command  ok ")) << good.describe();

    configure({{"moodle", {{"post_commit_command", {m_dir + "/no-such-program"}}}}});
    const auto missing = run({"check"});
    EXPECT_EQ(missing.exit_code, 6) << missing.describe();
    EXPECT_TRUE(contains(line_starting(missing.out, "command "), "does not exist")) << missing.describe();
}

TEST_F(MoodleSite, AFailedPostCommitCommandExitsSevenWithTheCohortsCommitted) {
    const auto metrics = m_dir + "/cohort-sync.prom";
    configure({{"moodle", {{"post_commit_command", {script("sync.php", "exit 1")}}}},
               {"report", {{"prometheus_textfile", metrics}}}});

    const auto failed = run();

    EXPECT_EQ(failed.exit_code, 7) << failed.describe();
    EXPECT_TRUE(contains(failed.err,
                         "failed (exit code 1): the cohorts are committed, but the courses are not "
                         "updated"))
        << failed.describe();
    EXPECT_TRUE(contains(failed.err, "sync end: post-commit-failed (exit code 7)")) << failed.describe();
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members"), "2") << "committed";
    const auto report = newest_report();
    EXPECT_EQ(report["outcome"], "post-commit-failed") << report.dump();
    EXPECT_EQ(report["post_commit"]["succeeded"], false) << report.dump();
    EXPECT_EQ(report["post_commit"]["detail"], "exit code 1") << report.dump();
    const auto text = cst::read_file(metrics);
    EXPECT_TRUE(contains(text, "cohort_sync_last_run_post_commit_success{site=\"cohort-sync\"} 0\n")) << text;

    // A command that cannot even start: the same outcome. (The command runs only after a commit
    // that changed a membership: each run below has the same two members to add again.)
    cst::servers().psql("DELETE FROM mdl_cohort_members");
    configure({{"moodle", {{"post_commit_command", {m_dir + "/no-such-program"}}}}});
    const auto missing = run();
    EXPECT_EQ(missing.exit_code, 7) << missing.describe();
    EXPECT_TRUE(contains(missing.err, "could not start")) << missing.describe();

    cst::servers().psql("DELETE FROM mdl_cohort_members");
    configure({{"moodle", {{"post_commit_command", {script("ok.php", "exit 0")}}}}});
    const auto ok = run();
    EXPECT_EQ(ok.exit_code, 0) << ok.describe();
    EXPECT_TRUE(contains(cst::read_file(metrics),
                         "cohort_sync_last_run_post_commit_success{site=\"cohort-sync\"} 1\n"));
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
