// The review page written by the real binary against the throwaway servers (issue 20): by a dry
// run and by show-plan, owner-only, naming the withdrawn student and why, free of secrets; and
// opened in headless Chromium, whose page script must build the sortable lists without an error.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;

// Six students in L1INFO, the sixth also in L1MATH; the first night places them all. Then two
// leave L1INFO: the fifth withdraws from the university (gone from the export), the sixth drops
// L1INFO only, which APOGÉE records while the directory still lists it. max_removals of 0 trips.
class ReviewPage : public SiteTest {
protected:
    void SetUp() override {
        open_site("review-page");
        std::string ldif;
        std::vector<MoodleAccount> accounts;
        std::vector<ExportRow> rows;
        for (int i = 1; i <= 6; ++i) {
            const auto number = std::to_string(22700000 + i);
            const std::vector<std::string> etapes =
                i == 6 ? std::vector<std::string>{"L1INFO", "L1MATH"} : std::vector<std::string>{"L1INFO"};
            ldif += cst::make_student_ldif("etu" + number, number, etapes) + "\n";
            accounts.push_back({"etu" + number, number});
            for (const auto& etape : etapes) {
                rows.push_back({number, etape, "Licence 1"});
            }
        }
        cst::servers().ldap_add_ldif(ldif);
        add_moodle_users(accounts);
        write_export(m_export, rows);
        const auto first = run();
        ASSERT_EQ(first.exit_code, 0) << first.describe();
        std::erase_if(rows, [](const ExportRow& row) {
            return row.student_number == "22700005" ||
                   (row.student_number == "22700006" && row.etape == "L1INFO");
        });
        write_export(m_export, rows);
        configure({{"guards", {{"max_removals", 0}}}});
        m_page = m_dir + "/review.html";
    }

    // The dry run of the withdrawal night, its page written to m_page.
    RunResult write_page(const std::vector<std::string>& more = {}) {
        std::vector<std::string> args{"--dry-run", "--format", "html", "--output", m_page};
        args.insert(args.end(), more.begin(), more.end());
        return run(args);
    }

    std::string m_page;
};

unsigned mode_of(const std::string& path) {
    struct stat status {};
    return ::stat(path.c_str(), &status) == 0 ? status.st_mode & 0777 : 0;
}

// The row of a student's line in the page (see tests/unit/review_page_test.cpp).
std::string row_of(const std::string& page, const std::string& key) {
    const auto start = page.find("<tr data-k=\"" + key + "\"");
    return start == std::string::npos ? "" : page.substr(start, page.find("</tr>", start) - start);
}

TEST_F(ReviewPage, ADryRunWritesAnOwnerOnlyPageNamingWhoLeavesAndWhy) {
    const auto old_umask = ::umask(022); // an admin's shell: the page must still be private
    const auto result = write_page({"--lang", "en"});
    ::umask(old_umask);
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(result.out.empty()) << "the page went to the file, not to standard output\n" << result.out;
    EXPECT_TRUE(contains(result.err, "[dry-run] review page: ")) << result.err;
    EXPECT_EQ(mode_of(m_page), 0600u);

    const auto page = cst::read_file(m_page);
    EXPECT_TRUE(contains(page, "<p class=\"verdict refused\" id=\"verdict\">Refused: ")) << page;
    EXPECT_TRUE(contains(page,
                         "<span class=\"note\">max_removals</span></td><td>TRIPPED</td><td>2 removal(s) "
                         "&gt; limit 0</td>"))
        << page;
    EXPECT_TRUE(contains(page, "<b>\u22122</b> members removed"));
    EXPECT_EQ(
        row_of(page, "etu22700005 22700005"),
        "<tr data-k=\"etu22700005 22700005\"><td>etu22700005</td><td>22700005</td><td>the sources no longer "
        "place this student in L1INFO</td>");
    EXPECT_EQ(row_of(page, "etu22700006 22700006"),
              "<tr data-k=\"etu22700006 22700006\"><td>etu22700006</td><td>22700006</td><td>still in the "
              "directory (uid=etu22700006," +
                  std::string(cst::k_ldap_people_base) + "), but no active inscription any more</td>");
    // The site is named, never reached: no connection string, no password, no LDAP URI.
    for (const auto& secret :
         {cst::servers().pg_conninfo(), password_in(cst::servers().ldap_reader_password_file()),
          cst::servers().ldap_uri(), std::string("password")}) {
        EXPECT_FALSE(contains(page, secret)) << secret;
    }
    EXPECT_TRUE(contains(page, m_config_path));
}

TEST_F(ReviewPage, ShowPlanRendersASavedPlanInFrenchWithoutConfigurationOrServers) {
    const auto plan = m_dir + "/plan.json";
    ASSERT_EQ(run({"--dry-run", "--plan-out", plan}).exit_code, 0);
    const auto french = m_dir + "/revue.html";
    const auto shown = run_cohort_sync({"--config", m_dir + "/nowhere.json", "show-plan", plan, "--format",
                                        "html", "--output", french, "--lang", "fr"});
    ASSERT_EQ(shown.exit_code, 0) << shown.describe();
    EXPECT_EQ(mode_of(french), 0600u);
    const auto page = cst::read_file(french);
    EXPECT_TRUE(contains(page, "<html lang=\"fr\">"));
    EXPECT_TRUE(contains(page, "Produit à partir du plan enregistré « " + plan + " »"));
    EXPECT_TRUE(contains(page, "<caption>Retirés (2)</caption>"));
    EXPECT_TRUE(
        contains(row_of(page, "etu22700006 22700006"), "les sources ne placent plus cet étudiant en L1INFO"))
        << "a plan file has no cross-check: the general reason";
    EXPECT_TRUE(contains(page, "Absent d&#39;un fichier de plan"));

    const auto text = run_cohort_sync({"show-plan", plan, "-v"});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    EXPECT_TRUE(contains(text.out, "etape-L1INFO")) << text.out;
    EXPECT_EQ(line_with(text.out, "      - "), "      - etu22700005 etu22700006") << text.out;
}

TEST_F(ReviewPage, OutputWithoutADryRunIsAUsageError) {
    const auto result = run({"--format", "html", "--output", m_page});
    EXPECT_EQ(result.exit_code, 2) << result.describe();
    EXPECT_FALSE(fs::exists(m_page));
}

// Runs `args` (a program on PATH, then its arguments) as start_cohort_sync() runs the binary.
RunResult run_program(std::vector<std::string> args) {
    const std::string dir = make_temp_dir("program-");
    std::string command;
    std::vector<char*> argv;
    for (auto& arg : args) {
        command += (command.empty() ? "" : " ") + arg;
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    auto environment_strings = child_environment();
    std::vector<char*> environment;
    for (auto& entry : environment_strings) {
        environment.push_back(entry.data());
    }
    environment.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (dir + "/out").c_str(), O_WRONLY | O_CREAT,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (dir + "/err").c_str(), O_WRONLY | O_CREAT,
                                     0600);
    pid_t pid = 0;
    const int error = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environment.data());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        // A missing browser fails the test, as a missing server does: scripts/lib/common.sh installs it.
        ADD_FAILURE() << "cannot run " << command << ": " << std::strerror(error)
                      << "\nHINT: apt-get install chromium (scripts/test installs it)";
        return {command, 127, "", "", 0};
    }
    return RunningCohortSync(pid, command, dir + "/out", dir + "/err").wait();
}

// Headless Chromium as the tests may run it (root, no GPU, no network of its own), with a fresh
// profile each time. Its console goes to stderr (--enable-logging=stderr).
RunResult chromium(const std::string& profile, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"chromium",
                                  "--headless",
                                  "--no-sandbox",
                                  "--disable-gpu",
                                  "--disable-quic",
                                  "--no-first-run",
                                  "--disable-background-networking",
                                  "--disable-component-update",
                                  "--disable-sync",
                                  "--user-data-dir=" + profile,
                                  "--enable-logging=stderr",
                                  "--v=0"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv);
}

TEST_F(ReviewPage, OpensInHeadlessChromiumWhoseScriptBuildsTheSortableListsWithoutAnError) {
    ASSERT_EQ(write_page({"--lang", "en"}).exit_code, 0);
    const std::string url = "file://" + m_page;
    const auto dom = chromium(make_temp_dir("chromium-profile-"), {"--dump-dom", url});
    ASSERT_EQ(dom.exit_code, 0) << dom.describe();
    EXPECT_TRUE(contains(dom.out, "data-review-ready=\"yes\"")) << "the script ran to its end\n" << dom.out;
    EXPECT_TRUE(contains(dom.out, "<div id=\"cohort-list\" data-sortable=\"ready\">")) << dom.out;
    EXPECT_TRUE(contains(dom.out, "class=\"sortable guards\" data-sortable=\"ready\"")) << dom.out;
    EXPECT_FALSE(contains(dom.out, "data-js-error=\"yes\"")) << dom.out;
    EXPECT_FALSE(contains(dom.err, "Uncaught")) << dom.err;
    EXPECT_FALSE(contains(dom.err, ":CONSOLE")) << "nothing logged to the console\n" << dom.err;

    const auto png = m_dir + "/review.png";
    const auto shot =
        chromium(make_temp_dir("chromium-profile-"), {"--screenshot=" + png, "--window-size=1280,1600", url});
    ASSERT_EQ(shot.exit_code, 0) << shot.describe();
    EXPECT_EQ(cst::read_file(png).substr(0, 8), "\x89PNG\r\n\x1a\n");
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
