// What a run leaves beside Moodle: its report files (the newest report.keep kept), the
// Prometheus textfile, and the post-commit command that makes courses follow at once.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;

class ReportFiles : public SiteTest {
protected:
    void SetUp() override {
        open_site("report-files");
        cst::servers().ldap_add_ldif(cst::make_student_ldif("etu1", "22900001", {"L1INFO"}) + "\n" +
                                     cst::make_student_ldif("etu2", "22900002", {"L1INFO"}));
        add_moodle_users({{"etu1", "22900001"}, {"etu2", "22900002"}});
        write_export(m_export, {{"22900001", "L1INFO", "Licence 1 Informatique"},
                                {"22900002", "L1INFO", "Licence 1 Informatique"}});
    }

    // A run with the base configuration changed by `patch` (each test's patch replaces the last).
    RunResult run_with(const nlohmann::json& patch, std::vector<std::string> args = {}) {
        auto config = m_config;
        config.merge_patch(patch);
        write_config(m_config_path, config);
        return run(std::move(args));
    }
};

TEST_F(ReportFiles, KeepsTheNewestReports) {
    const nlohmann::json keep_two = {{"report", {{"keep", 2}}}};
    std::vector<std::string> outcomes;
    for (const auto* args : {"--dry-run", "", ""}) {
        const auto result = run_with(keep_two, std::string(args).empty() ? std::vector<std::string>{}
                                                                         : std::vector<std::string>{args});
        ASSERT_EQ(result.exit_code, 0) << result.describe();
    }
    const auto reports = report_files(m_dir);
    ASSERT_EQ(reports.size(), 2u) << "the dry run's report, the oldest, was deleted";
    for (const auto& path : reports) {
        EXPECT_EQ(nlohmann::json::parse(cst::read_file(path))["outcome"], "applied") << path;
    }
}

TEST_F(ReportFiles, WritesThePrometheusTextfile) {
    const auto metrics = m_dir + "/cohort-sync.prom";
    const auto result = run_with({{"report", {{"prometheus_textfile", metrics}}}});
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    const auto text = cst::read_file(metrics);
    EXPECT_TRUE(contains(text, "cohort_sync_last_run_success 1\n")) << text;
    EXPECT_TRUE(contains(text, "cohort_sync_last_run_members_added 2\n")) << text;
    EXPECT_TRUE(contains(text, "cohort_sync_last_run_members_removed 0\n")) << text;
    EXPECT_TRUE(contains(text, "# TYPE cohort_sync_last_run_timestamp_seconds gauge\n")) << text;

    write_export(m_export, {}); // a broken export: the guard refuses, and the metrics say so
    const auto refused =
        run_with({{"report", {{"prometheus_textfile", metrics}}}, {"apogee", {{"min_rows", 0}}}});
    ASSERT_EQ(refused.exit_code, 3) << refused.describe();
    EXPECT_TRUE(contains(cst::read_file(metrics), "cohort_sync_last_run_success 0\n"))
        << cst::read_file(metrics);
}

TEST_F(ReportFiles, PostCommitCommandRunsAfterTheCommitAndItsFailureUndoesNothingButExitsSeven) {
    const auto marker = m_dir + "/courses-synced";
    const auto ran = run_with({{"moodle", {{"post_commit_command", {"/usr/bin/touch", marker}}}}});
    ASSERT_EQ(ran.exit_code, 0) << ran.describe();
    EXPECT_NO_THROW(cst::read_file(marker)) << "the command ran";
    EXPECT_TRUE(contains(ran.err, "post-commit command '/usr/bin/touch' succeeded")) << ran.err;

    write_export(m_export, {{"22900001", "L1INFO", "Licence 1 Informatique"}});
    // Half the export gone trips the shrink guard: this run is the reviewed one.
    const auto failing = run_with({{"moodle", {{"post_commit_command", {"/bin/false"}}}}}, {"--force"});
    EXPECT_EQ(failing.exit_code, 7) << failing.describe();
    EXPECT_TRUE(contains(failing.err, "post-commit command '/bin/false' failed (exit code 1)"))
        << failing.err;
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members"), "1") << "the sync stays";

    const auto dry =
        run_with({{"moodle", {{"post_commit_command", {"/usr/bin/touch", marker + "-dry"}}}}}, {"--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_THROW(cst::read_file(marker + "-dry"), std::runtime_error)
        << "a dry run commits nothing, so runs nothing";
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
