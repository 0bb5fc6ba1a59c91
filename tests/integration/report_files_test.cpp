// What a run writes: its report files (the newest report.keep kept, private whatever the umask),
// the Prometheus textfile, a commit that is durable whatever the server's synchronous_commit,
// and the post-commit command that makes courses follow at once.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <csignal>
#include <cstdlib>
#include <grp.h>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <thread>

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

struct FileMode {
    unsigned mode = 0;
    gid_t group = 0;
};

FileMode mode_of(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) {
        throw std::runtime_error("cannot stat '" + path + "'");
    }
    return {static_cast<unsigned>(status.st_mode & 07777), status.st_gid};
}

// Sets the umask of this process, which the cohort-sync it starts inherits, for one scope.
class Umask {
public:
    explicit Umask(mode_t mask)
        : m_old(::umask(mask)) {}
    ~Umask() { ::umask(m_old); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

private:
    mode_t m_old;
};

// An admin running by hand as root has umask 022: the report, the plan file and the review page
// name students, and must still be readable by their owner only (or report.group's members).
TEST_F(ReportFiles, FilesNamingStudentsArePrivateUnderUmask022) {
    const Umask admin_shell(022);
    const auto plan = m_dir + "/plan.json";
    const auto page = m_dir + "/review.html";
    ASSERT_EQ(run({"--dry-run", "--plan-out", plan}).exit_code, 0);
    ASSERT_EQ(run({"--dry-run", "--format", "html", "--output", page}).exit_code, 0);
    const auto applied = run();
    ASSERT_EQ(applied.exit_code, 0) << applied.describe();
    const auto reports = report_files(m_dir);
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_EQ(mode_of(plan).mode, 0600u);
    EXPECT_EQ(mode_of(page).mode, 0600u);
    EXPECT_EQ(mode_of(m_dir + "/reports").mode, 0700u) << "the folder it created";
    for (const auto& report : reports) {
        EXPECT_EQ(mode_of(report).mode, 0600u) << report;
    }

    // With report.group, the group's members may read them (the folder is made anew).
    const struct group* own = ::getgrgid(::getegid());
    ASSERT_NE(own, nullptr);
    const std::string group_name = own->gr_name;
    std::filesystem::remove_all(m_dir + "/reports");
    const nlohmann::json shared = {{"report", {{"group", group_name}}}};
    ASSERT_EQ(run_with(shared, {"--dry-run", "--plan-out", plan}).exit_code, 0);
    ASSERT_EQ(run_with(shared, {"--dry-run", "--format", "html", "--output", page}).exit_code, 0);
    for (const auto& path : std::vector<std::string>{plan, page, *report_files(m_dir).begin()}) {
        EXPECT_EQ(mode_of(path).mode, 0640u) << path;
        EXPECT_EQ(mode_of(path).group, own->gr_gid) << path;
    }
    EXPECT_EQ(mode_of(m_dir + "/reports").mode, 0750u);

    const auto unknown =
        run_with({{"report", {{"group", "no-such-group-here"}}}}, {"--dry-run", "--plan-out", plan});
    EXPECT_NE(unknown.exit_code, 0) << unknown.describe();
    EXPECT_TRUE(contains(unknown.err, "report.group: no group 'no-such-group-here'")) << unknown.err;
}

// A server (here the database) configured with synchronous_commit = off: the run's own
// transaction still commits synchronously. A trigger notes the setting the writes ran under.
TEST_F(ReportFiles, TheWritingTransactionCommitsSynchronouslyWhateverTheServerDefault) {
    auto& servers = cst::servers();
    servers.psql("ALTER DATABASE " + servers.query_value("SELECT quote_ident(current_database())") +
                 " SET synchronous_commit = off");
    servers.psql(
        "CREATE TABLE seen_setting (value text);"
        "CREATE FUNCTION note_setting() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " INSERT INTO seen_setting VALUES (current_setting('synchronous_commit')); RETURN NULL; END $$;"
        "CREATE TRIGGER note_setting AFTER INSERT ON mdl_cohort_members"
        " FOR EACH STATEMENT EXECUTE FUNCTION note_setting()");
    const auto server_default = servers.query_value("SHOW synchronous_commit");
    const auto applied = run();
    const auto seen = servers.query_value("SELECT string_agg(DISTINCT value, ',') FROM seen_setting");
    servers.psql("DROP TRIGGER note_setting ON mdl_cohort_members; DROP FUNCTION note_setting();"
                 "DROP TABLE seen_setting;"
                 "ALTER DATABASE " +
                 servers.query_value("SELECT quote_ident(current_database())") + " RESET synchronous_commit");
    ASSERT_EQ(server_default, "off") << "a new session gets the database's setting";
    ASSERT_EQ(applied.exit_code, 0) << applied.describe();
    EXPECT_EQ(seen, "on");
}

TEST_F(ReportFiles, WritesThePrometheusTextfile) {
    const auto metrics = m_dir + "/cohort-sync.prom";
    const auto result = run_with({{"report", {{"prometheus_textfile", metrics}}}});
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    const auto text = cst::read_file(metrics);
    // The site label is the configuration file's name: cohort-sync.json.
    EXPECT_TRUE(contains(text, "cohort_sync_last_run_success{site=\"cohort-sync\"} 1\n")) << text;
    EXPECT_TRUE(contains(text, "cohort_sync_last_run_members_added{site=\"cohort-sync\"} 2\n")) << text;
    EXPECT_TRUE(contains(text, "cohort_sync_last_run_members_removed{site=\"cohort-sync\"} 0\n")) << text;
    EXPECT_TRUE(
        contains(text, "cohort_sync_last_run_source_records{site=\"cohort-sync\",source=\"ldap\"} 2\n"))
        << text;
    EXPECT_TRUE(contains(text, "# TYPE cohort_sync_last_run_timestamp_seconds gauge\n")) << text;
    const auto success_line = line_starting(text, "cohort_sync_last_success_timestamp_seconds");

    write_export(m_export, {}); // a broken export: the guard refuses, and the metrics say so
    const auto refused =
        run_with({{"report", {{"prometheus_textfile", metrics}}}, {"apogee", {{"min_rows", 0}}}});
    ASSERT_EQ(refused.exit_code, 3) << refused.describe();
    const auto after = cst::read_file(metrics);
    EXPECT_TRUE(contains(after, "cohort_sync_last_run_success{site=\"cohort-sync\"} 0\n")) << after;
    EXPECT_TRUE(contains(after, "cohort_sync_last_run_exit_code{site=\"cohort-sync\"} 3\n")) << after;
    EXPECT_TRUE(contains(after, "cohort_sync_last_run_outcome{site=\"cohort-sync\",outcome=\"refused\"} 1\n"))
        << after;
    EXPECT_EQ(line_starting(after, "cohort_sync_last_success_timestamp_seconds"), success_line)
        << "the last good night's time is kept";

    // A dry run afterwards, which would have been refused too, must not hide the failed night.
    const auto dry = run_with({{"report", {{"prometheus_textfile", metrics}}}, {"apogee", {{"min_rows", 0}}}},
                              {"--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_EQ(cst::read_file(metrics), after) << "a dry run writes no metrics";
    std::filesystem::remove(m_export); // nor does one that fails
    const auto failed_dry = run_with({{"report", {{"prometheus_textfile", metrics}}}}, {"--dry-run"});
    ASSERT_EQ(failed_dry.exit_code, 1) << failed_dry.describe();
    EXPECT_EQ(cst::read_file(metrics), after) << "a failed dry run writes no metrics";
}

// The unit's UMask=0077 must not hide the file from node_exporter, which runs as its own user.
TEST_F(ReportFiles, MetricsFileIsReadableByAnotherUserUnderTheUnitsUmask) {
    std::string folder = "/tmp/cohort-sync-metrics-XXXXXX"; // outside the servers' 0700 folder
    ASSERT_NE(::mkdtemp(folder.data()), nullptr);
    ::chmod(folder.c_str(), 0755);
    const auto metrics = folder + "/cohort-sync.prom";
    RunResult result;
    {
        const Umask unit(0077);
        result = run_with({{"report", {{"prometheus_textfile", metrics}}}});
    }
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(mode_of(metrics).mode, 0644u);
    const auto copy = m_dir + "/read-as-nobody.prom";
    const int read_as_nobody = std::system(
        ("setpriv --reuid=nobody --regid=nogroup --clear-groups cat " + metrics + " > " + copy).c_str());
    EXPECT_EQ(read_as_nobody, 0) << "nobody could not read " << metrics;
    EXPECT_EQ(cst::read_file(copy), cst::read_file(metrics));
    std::filesystem::remove_all(folder);
}

// node_exporter's textfile collector merges the families of every *.prom file it reads: two
// sites' files, merged the same way, must be one valid exposition (no clashing series).
std::string merged_as_node_exporter_does(const std::vector<std::string>& texts) {
    std::vector<std::string> order;
    std::map<std::string, std::string> headers;
    std::map<std::string, std::string> samples;
    for (const auto& text : texts) {
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            const bool comment = line.starts_with("# HELP ") || line.starts_with("# TYPE ");
            const auto name_start = comment ? 7u : 0u;
            const auto name = line.substr(name_start, line.find_first_of("{ ", name_start) - name_start);
            if (!headers.contains(name) && !samples.contains(name)) {
                order.push_back(name);
            }
            if (comment) {
                if (!contains(headers[name], line.substr(0, 7))) {
                    headers[name] += line + "\n";
                }
            } else {
                samples[name] += line + "\n";
            }
        }
    }
    std::string merged;
    for (const auto& name : order) {
        merged += headers[name] + samples[name];
    }
    return merged;
}

TEST_F(ReportFiles, TwoSitesTextfilesPassPromtoolTogether) {
    std::vector<std::string> texts;
    for (const std::string site : {"sciences", "lettres"}) {
        auto config = m_config;
        config.merge_patch({{"report", {{"prometheus_textfile", m_dir + "/" + site + ".prom"}}}});
        const auto path = m_dir + "/" + site + ".json"; // the site label is the file's name
        write_config(path, config);
        const auto result = run_cohort_sync({"--config", path});
        ASSERT_EQ(result.exit_code, 0) << result.describe();
        texts.push_back(cst::read_file(m_dir + "/" + site + ".prom"));
    }
    EXPECT_TRUE(contains(texts[0], "{site=\"sciences\"}")) << texts[0];
    EXPECT_TRUE(contains(texts[1], "{site=\"lettres\"}")) << texts[1];
    const auto merged = m_dir + "/merged.prom";
    write_text(merged, merged_as_node_exporter_does(texts));
    const auto output = m_dir + "/promtool.out";
    const int status = std::system(("promtool check metrics < " + merged + " > " + output + " 2>&1").c_str());
    EXPECT_EQ(status, 0) << cst::read_file(output) << "\n" << cst::read_file(merged);
}

// The runs table holds applied and refused nights; a night that failed before its transaction is
// known from its report: `status` lists all three, each with its reason.
TEST_F(ReportFiles, StatusListsAppliedRefusedAndFailedNightsWithTheirReason) {
    ASSERT_EQ(run().exit_code, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // distinct start seconds
    write_export(m_export, {});
    ASSERT_EQ(run_with({{"apogee", {{"min_rows", 0}}}}).exit_code, 3);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    std::filesystem::remove(m_export);
    const auto failed = run();
    ASSERT_EQ(failed.exit_code, 1) << failed.describe();
    ASSERT_EQ(run({"--dry-run"}).exit_code, 1);
    const auto status = run({"status"});
    ASSERT_EQ(status.exit_code, 0) << status.describe();
    std::vector<std::string> runs;
    for (const auto& line : lines_after(status.out, "last ")) {
        if (contains(line, "Z-")) { // a run id: 20261129T234512Z-3f9a07c2
            runs.push_back(line);
        }
    }
    ASSERT_EQ(runs.size(), 3u) << status.out << "(a dry run is no night's outcome)";
    EXPECT_TRUE(contains(runs[0], " failed ")) << status.out;
    EXPECT_TRUE(contains(runs[0], "apogee.csv")) << "the reason names the missing export: " << status.out;
    EXPECT_TRUE(contains(runs[1], " refused ")) << status.out;
    EXPECT_TRUE(contains(runs[1], "guards tripped: ")) << status.out;
    EXPECT_TRUE(contains(runs[2], " applied ")) << status.out;
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

TEST_F(ReportFiles, PostCommitCommandRunsOnlyWhenTheCommitAddedOrRemovedAMember) {
    const auto marker = m_dir + "/courses-synced";
    const nlohmann::json touch = {{"moodle", {{"post_commit_command", {"/usr/bin/touch", marker}}}}};
    ASSERT_EQ(run_with(touch).exit_code, 0);
    ASSERT_TRUE(std::filesystem::exists(marker)) << "+2 -0: the courses have to follow";
    std::filesystem::remove(marker);
    const auto nothing = run_with(touch);
    ASSERT_EQ(nothing.exit_code, 0) << nothing.describe();
    EXPECT_FALSE(std::filesystem::exists(marker)) << "+0 -0: nothing for enrol_cohort to do";
    EXPECT_TRUE(contains(nothing.err, "post-commit command not run: the commit added and removed no member"))
        << nothing.err;
}

// A process that exists and is not a zombie (this container's init may not reap orphans).
bool alive(pid_t pid) {
    if (::kill(pid, 0) != 0) {
        return false;
    }
    try {
        const auto stat = cst::read_file("/proc/" + std::to_string(pid) + "/stat");
        const auto close = stat.rfind(')');
        return close == std::string::npos || stat.substr(close + 2, 1) != "Z";
    } catch (const std::exception&) {
        return false;
    }
}

// The command starts a child of its own and waits: the stop signal must end cohort-sync, the
// command and its child within seconds, with exit code 7 (committed, courses not yet updated).
class PostCommitStopped : public ReportFiles, public ::testing::WithParamInterface<int> {};

TEST_P(PostCommitStopped, EndsTheCommandAndWhatItStartedWithinSecondsAndExits7) {
    const auto pid_file = m_dir + "/child.pid";
    auto config = m_config;
    config.merge_patch(
        {{"moodle",
          {{"post_commit_command",
            {"/bin/sh", "-c", "sleep 300 & echo $! > \"$0.tmp\"; mv \"$0.tmp\" \"$0\"; wait", pid_file}}}}});
    write_config(m_config_path, config);
    auto running = start_run();
    pid_t child = 0;
    for (int i = 0; i < 3000 && child == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (std::filesystem::exists(pid_file)) {
            child = static_cast<pid_t>(std::stol(cst::read_file(pid_file)));
        }
    }
    ASSERT_NE(child, 0) << "the command did not start";
    const auto signalled = std::chrono::steady_clock::now();
    running.send(GetParam());
    const auto result = running.wait();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    EXPECT_EQ(result.exit_code, 7) << result.describe();
    EXPECT_LT(seconds, 5.0) << result.describe();
    EXPECT_TRUE(
        contains(result.err, std::string("stopped by ") + (GetParam() == SIGTERM ? "SIGTERM" : "SIGINT")))
        << result.err;
    EXPECT_FALSE(alive(child)) << "the command's child " << child << " outlived the run";
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members"), "2") << "committed";
}

INSTANTIATE_TEST_SUITE_P(Signals, PostCommitStopped, ::testing::Values(SIGTERM, SIGINT),
                         [](const auto& test_info) {
                             return std::string(test_info.param == SIGTERM ? "Sigterm" : "Sigint");
                         });

TEST_F(ReportFiles, PostCommitCommandThatOutlivesItsTimeoutIsEndedAndExits7) {
    const auto result = run_with(
        {{"moodle", {{"post_commit_command", {"/bin/sleep", "300"}}, {"post_commit_timeout_seconds", 1}}}});
    EXPECT_EQ(result.exit_code, 7) << result.describe();
    EXPECT_LT(result.seconds, 15.0) << result.describe();
    EXPECT_TRUE(contains(result.err, "timed out after 1s (moodle.post_commit_timeout_seconds)"))
        << result.err;
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
