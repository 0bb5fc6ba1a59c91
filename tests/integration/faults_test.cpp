// What fails at 3 a.m.: the built cohort-sync binary against a real slapd and a real PostgreSQL
// while the test breaks them underneath it. slapd killed or frozen in the middle of a paged
// search, the database backend terminated during the apply and during COMMIT, the server
// restarted, SIGTERM and SIGINT in every phase, an export that is truncated or still growing, a
// report folder that cannot be written, and sources that hold hostile bytes. In every case the
// run must say what went wrong, exit with its documented code, and leave Moodle either untouched
// or completely synced; the next run must converge. No password may appear in anything it
// printed or wrote.
#include "cohort_sync/error.hpp"
#include "cohort_sync/io/apogee_export.hpp"
#include "e2e_support.hpp"
#include "servers.hpp"
#include "small_university.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <sys/stat.h>
#include <sys/time.h>
#include <thread>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// A run must be gone this soon after SIGTERM or SIGINT (systemd's default stop timeout is 90 s,
// an admin's patience at Ctrl-C much less).
constexpr double k_prompt_exit_seconds = 5.0;
// The directory the LDAP-phase tests read in many small pages, so that the test can act while
// the search is in flight.
constexpr int k_big_directory = 3000;
constexpr int k_small_directory = 60;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

std::size_t count_occurrences(const std::string& text, const std::string& needle, std::size_t from = 0) {
    std::size_t count = 0;
    for (auto at = text.find(needle, from); at != std::string::npos;
         at = text.find(needle, at + needle.size())) {
        ++count;
    }
    return count;
}

std::size_t file_size(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
}

// ---------------------------------------------------------------------------------------------
// slapd under the test's control: its log says how far a search went, and it can be frozen
// (SIGSTOP) or killed (SIGKILL) in the middle of one. The harness started this slapd for this
// test binary; it is the only process signalled here.

pid_t slapd_pid() {
    return static_cast<pid_t>(std::stol(cst::read_file(cst::servers().dir() + "/slapd.pid")));
}

std::string slapd_log_path() {
    return cst::servers().dir() + "/slapd.log";
}

// Pages of cohort-sync's search that slapd has started to answer since `offset` in its log.
std::size_t pages_served_since(std::size_t offset) {
    const std::string log = cst::read_file(slapd_log_path());
    return offset >= log.size() ? 0
                                : count_occurrences(log, "filter=\"(eduPersonAffiliation=student)\"", offset);
}

// Resumes a frozen slapd however the test ends.
struct Thaw {
    pid_t pid;
    ~Thaw() { kill(pid, SIGCONT); }
};

// ---------------------------------------------------------------------------------------------
// A second session on Moodle's database, held open by the test (to hold a lock while a run waits).

struct PgConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};

class HeldSession {
public:
    HeldSession()
        : m_conn(PQconnectdb(cst::servers().pg_conninfo().c_str())) {
        if (PQstatus(m_conn.get()) != CONNECTION_OK) {
            throw std::runtime_error(std::string("cannot connect: ") + PQerrorMessage(m_conn.get()));
        }
    }
    void exec(const std::string& sql) {
        PGresult* result = PQexec(m_conn.get(), sql.c_str());
        const auto status = PQresultStatus(result);
        const std::string message = PQresultErrorMessage(result);
        PQclear(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            throw std::runtime_error("SQL failed: " + message);
        }
    }

private:
    std::unique_ptr<PGconn, PgConnDeleter> m_conn;
};

// cohort-sync's own backend, by the application_name it sets.
std::string sync_backends_where(const std::string& condition) {
    return cst::servers().query_value(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cohort-sync' AND " + condition);
}

bool sync_backend_sleeps(const std::string& query_prefix = "") {
    std::string condition = "wait_event = 'PgSleep'";
    if (!query_prefix.empty()) {
        condition += " AND query LIKE " + sql_literal(query_prefix + "%");
    }
    return sync_backends_where(condition) != "0";
}

void terminate_sync_backend() {
    cst::servers().query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                         "'cohort-sync'");
}

// An insertion into mdl_cohort_members that sleeps `seconds` for one user (a slow disk, a lock):
// the apply is in flight for that long.
void add_sleeping_insert(const std::string& userid, int seconds) {
    cst::servers().psql("CREATE FUNCTION faults_sleep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        " PERFORM pg_sleep(" +
                        std::to_string(seconds) +
                        "); RETURN NEW; END $$;"
                        "CREATE TRIGGER faults_sleep BEFORE INSERT ON mdl_cohort_members FOR EACH ROW"
                        " WHEN (NEW.userid = " +
                        userid + ") EXECUTE FUNCTION faults_sleep()");
}

// The same at COMMIT: a deferred constraint trigger runs when the transaction commits.
void add_sleeping_commit(const std::string& userid, int seconds) {
    cst::servers().psql("CREATE FUNCTION faults_sleep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        " PERFORM pg_sleep(" +
                        std::to_string(seconds) +
                        "); RETURN NULL; END $$;"
                        "CREATE CONSTRAINT TRIGGER faults_sleep AFTER INSERT ON mdl_cohort_members"
                        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.userid = " +
                        userid + ") EXECUTE FUNCTION faults_sleep()");
}

void drop_sleeper() {
    cst::servers().psql("DROP TRIGGER IF EXISTS faults_sleep ON mdl_cohort_members;"
                        "DROP FUNCTION IF EXISTS faults_sleep()");
}

// ---------------------------------------------------------------------------------------------

// The directory is loaded once for the whole suite (use_directory), not reset per test.
class Faults : public SiteTest {
protected:
    void SetUp() override { open_site("faults", "apogee-inscriptions.csv", Directory::keep); }

    // LDAP, Moodle's accounts and the export all hold these students.
    void load(const std::vector<Student>& students) {
        use_directory(static_cast<int>(students.size()));
        add_accounts(students);
        write_export(m_export, export_rows(students));
    }

    // The newest run report, or null. By modification time: two runs in one second have run ids
    // that sort by their random part.
    json last_report() const {
        const auto files = report_files(m_dir);
        if (files.empty()) {
            return nullptr;
        }
        const auto newest = std::max_element(files.begin(), files.end(), [](const auto& a, const auto& b) {
            return fs::last_write_time(a) < fs::last_write_time(b);
        });
        return json::parse(cst::read_file(*newest));
    }

    // The first night: the students synced. Returns the fingerprint of the synced database.
    std::map<std::string, std::string> first_run(const std::vector<Student>& students) {
        load(students);
        const auto result = run();
        EXPECT_EQ(result.exit_code, 0) << result.describe();
        EXPECT_EQ(members(), expected_members(students));
        return database_fingerprint();
    }

    // After a fault: the next runs converge on the students, and a dry run finds nothing to do.
    void expect_convergence(const std::vector<Student>& students) {
        const auto result = run();
        ASSERT_EQ(result.exit_code, 0) << result.describe();
        EXPECT_EQ(members(), expected_members(students));
        const auto dry = run({"--dry-run"});
        ASSERT_EQ(dry.exit_code, 0) << dry.describe();
        EXPECT_TRUE(contains(dry.err, "plan: +0 -0")) << dry.describe();
    }
};

// ---------------------------------------------------------------------------------------------
// 1. slapd fails in the middle of a paged search

// Starts a run that reads the big directory in pages of `page_size`, and returns once slapd has
// begun to answer `pages` of them: the search is in flight.
RunningCohortSync start_paged_read(const std::function<RunningCohortSync()>& start, int pages) {
    const std::size_t offset = file_size(slapd_log_path());
    auto run = start();
    const bool in_flight =
        wait_until([&] { return pages_served_since(offset) >= static_cast<std::size_t>(pages); },
                   std::chrono::seconds(20));
    EXPECT_TRUE(in_flight) << "slapd never served " << pages << " pages of the search";
    return run;
}

TEST_F(Faults, SlapdKilledInTheMiddleOfAPagedSearchFailsAndWritesNothing) {
    const auto students = make_students(k_big_directory);
    first_run(students);
    // Tonight the export drops 500 students: had the partial directory been used, they and
    // more would be removed.
    std::vector<Student> fewer(students.begin(), students.end() - 500);
    write_export(m_export, export_rows(fewer));
    configure({{"ldap", {{"page_size", 10}}},
               {"guards",
                {{"max_removals", 100000},
                 {"max_total_removal_ratio", 1.0},
                 {"max_cohort_removal_ratio", 1.0},
                 {"max_source_shrink_ratio", 1.0},
                 {"max_etape_shrink_ratio", 1.0}}}});
    const auto before = database_fingerprint();

    auto run = start_paged_read([&] { return start_run(); }, 5);
    ASSERT_EQ(kill(slapd_pid(), SIGKILL), 0);
    const auto result = run.wait();
    cst::servers().start_slapd();

    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(contains(result.err, "LDAP search of 'ou=people,dc=univ-test,dc=fr'")) << result.describe();
    EXPECT_TRUE(contains(result.err, "failed at page")) << result.describe();
    EXPECT_TRUE(contains(result.err, "so none are used")) << result.describe();
    EXPECT_TRUE(contains(result.err, "HINT:")) << result.describe();
    EXPECT_FALSE(contains(result.err, "source ldap:")) << result.describe();
    EXPECT_EQ(database_fingerprint(), before);
    const json report = last_report();
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report["outcome"], "failed");

    expect_convergence(fewer);
}

TEST_F(Faults, SlapdFrozenInTheMiddleOfAPagedSearchTimesOutAndWritesNothing) {
    const auto students = make_students(k_big_directory);
    first_run(students);
    configure({{"ldap", {{"page_size", 10}, {"timeout_seconds", 2}}}});
    const auto before = database_fingerprint();

    auto run = start_paged_read([&] { return start_run(); }, 5);
    const pid_t slapd = slapd_pid();
    ASSERT_EQ(kill(slapd, SIGSTOP), 0);
    Thaw thaw{slapd};
    const auto result = run.wait();

    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(contains(result.err, "no answer within 2s (ldap.timeout_seconds)")) << result.describe();
    EXPECT_TRUE(contains(result.err, "failed at page")) << result.describe();
    EXPECT_LT(result.seconds, 15.0) << result.describe();
    EXPECT_EQ(database_fingerprint(), before);
}

// ---------------------------------------------------------------------------------------------
// 2. SIGTERM and SIGINT in every phase: exit 130 within seconds, nothing written

struct SignalCase {
    int number;
    const char* name;
};
constexpr SignalCase k_sigterm{SIGTERM, "SIGTERM"};
constexpr SignalCase k_sigint{SIGINT, "SIGINT"};

class FaultsSignal : public Faults {
protected:
    // Sends the signal, waits for the run, and checks what every interrupted run must show.
    // `after_exit` runs once the process is gone, before the database is compared.
    RunResult interrupt(RunningCohortSync& run, SignalCase signal,
                        const std::map<std::string, std::string>& before,
                        const std::function<void()>& after_exit = {}) {
        const auto signalled = Clock::now();
        run.send(signal.number);
        const auto result = run.wait();
        const double stopping = seconds_since(signalled);
        if (after_exit) {
            after_exit();
        }
        EXPECT_EQ(result.exit_code, 130) << result.describe();
        EXPECT_LT(stopping, k_prompt_exit_seconds) << result.describe();
        EXPECT_TRUE(contains(result.err, "sync end: interrupted (exit code 130)")) << result.describe();
        EXPECT_FALSE(contains(result.err, "commit: done")) << result.describe();
        EXPECT_EQ(database_fingerprint(), before);
        const json report = last_report();
        EXPECT_TRUE(report.is_object() && report["outcome"] == "interrupted") << report.dump(2);
        return result;
    }

    void during_the_ldap_read(SignalCase signal) {
        const auto students = make_students(k_big_directory);
        first_run(students);
        configure({{"ldap", {{"page_size", 5}}}});
        const auto before = database_fingerprint();

        auto run = start_paged_read([&] { return start_run(); }, 3);
        const auto result = interrupt(run, signal, before);

        EXPECT_FALSE(contains(result.err, "source ldap:")) << "the read ended before the signal:\n"
                                                           << result.describe();
        EXPECT_TRUE(contains(result.err, std::string("stopped by ") + signal.name)) << result.describe();
        EXPECT_FALSE(contains(result.err, "Can't contact LDAP server"))
            << "the signal was reported as a lost server:\n"
            << result.describe();
    }

    // libldap waits in poll() for the next page: the signal must end the wait, not the server.
    void while_slapd_does_not_answer(SignalCase signal) {
        const auto students = make_students(k_big_directory);
        first_run(students);
        configure({{"ldap", {{"page_size", 10}, {"timeout_seconds", 60}}}});
        const auto before = database_fingerprint();

        auto run = start_paged_read([&] { return start_run(); }, 3);
        const pid_t slapd = slapd_pid();
        ASSERT_EQ(kill(slapd, SIGSTOP), 0);
        Thaw thaw{slapd};
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const auto result = interrupt(run, signal, before);

        EXPECT_TRUE(contains(result.err, std::string("stopped by ") + signal.name)) << result.describe();
        EXPECT_FALSE(contains(result.err, "Can't contact LDAP server"))
            << "the signal was reported as a lost server:\n"
            << result.describe();
    }

    void while_waiting_for_a_lock(SignalCase signal) {
        const auto students = make_students(k_small_directory);
        load(students);
        const auto before = database_fingerprint();
        HeldSession other;
        other.exec("BEGIN; LOCK TABLE mdl_cohort IN ACCESS EXCLUSIVE MODE");

        auto run = start_run();
        ASSERT_TRUE(wait_until([] { return sync_backends_where("wait_event_type = 'Lock'") != "0"; },
                               std::chrono::seconds(20)))
            << "the run never waited for the lock";
        // The lock is released before the comparison, which reads mdl_cohort.
        interrupt(run, signal, before, [&] { other.exec("ROLLBACK"); });
    }

    void during_the_apply(SignalCase signal) {
        const auto students = make_students(k_small_directory);
        load(students);
        add_sleeping_insert(user_id(students[30].login), 30);
        const auto before = database_fingerprint();

        auto run = start_run();
        ASSERT_TRUE(wait_until([] { return sync_backend_sleeps(); }, std::chrono::seconds(20)))
            << "the run never reached the slow insertion";
        const auto result = interrupt(run, signal, before);
        drop_sleeper();
        EXPECT_TRUE(contains(result.err, "interrupted while trying to")) << result.describe();

        expect_convergence(students);
    }

    void during_commit(SignalCase signal) {
        const auto students = make_students(k_small_directory);
        load(students);
        add_sleeping_commit(user_id(students[30].login), 30);
        const auto before = database_fingerprint();

        auto run = start_run();
        ASSERT_TRUE(wait_until([] { return sync_backend_sleeps("COMMIT"); }, std::chrono::seconds(20)))
            << "the run never reached COMMIT";
        interrupt(run, signal, before);
        drop_sleeper();

        expect_convergence(students);
    }
};

TEST_F(FaultsSignal, SigtermDuringTheLdapReadExits130Promptly) {
    during_the_ldap_read(k_sigterm);
}
TEST_F(FaultsSignal, SigintDuringTheLdapReadExits130Promptly) {
    during_the_ldap_read(k_sigint);
}
TEST_F(FaultsSignal, SigtermWhileSlapdDoesNotAnswerExits130Promptly) {
    while_slapd_does_not_answer(k_sigterm);
}
TEST_F(FaultsSignal, SigintWhileSlapdDoesNotAnswerExits130Promptly) {
    while_slapd_does_not_answer(k_sigint);
}
TEST_F(FaultsSignal, SigtermWhileWaitingForALockOnMoodlesTablesExits130Promptly) {
    while_waiting_for_a_lock(k_sigterm);
}
TEST_F(FaultsSignal, SigintWhileWaitingForALockOnMoodlesTablesExits130Promptly) {
    while_waiting_for_a_lock(k_sigint);
}
TEST_F(FaultsSignal, SigtermDuringTheApplyExits130Promptly) {
    during_the_apply(k_sigterm);
}
TEST_F(FaultsSignal, SigintDuringTheApplyExits130Promptly) {
    during_the_apply(k_sigint);
}
TEST_F(FaultsSignal, SigtermDuringCommitExits130Promptly) {
    during_commit(k_sigterm);
}
TEST_F(FaultsSignal, SigintDuringCommitExits130Promptly) {
    during_commit(k_sigint);
}

// ---------------------------------------------------------------------------------------------
// 3. PostgreSQL fails under the apply and the commit

TEST_F(Faults, BackendTerminatedDuringTheApplyRollsBackAndTheNextRunConverges) {
    const auto students = make_students(k_small_directory);
    load(students);
    add_sleeping_insert(user_id(students[30].login), 30);
    const auto before = database_fingerprint();

    auto run = start_run();
    ASSERT_TRUE(wait_until([] { return sync_backend_sleeps(); }, std::chrono::seconds(20)));
    terminate_sync_backend();
    const auto result = run.wait();

    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(contains(result.err, "terminating connection due to administrator command"))
        << result.describe();
    EXPECT_TRUE(contains(result.err, "nothing was committed")) << result.describe();
    EXPECT_LT(result.seconds, 15.0) << result.describe();
    EXPECT_EQ(database_fingerprint(), before);

    // The server restarts (as after the DBA's maintenance), then the next night runs.
    cst::servers().stop_postgres();
    cst::servers().start_postgres();
    drop_sleeper();
    EXPECT_EQ(database_fingerprint(), before);
    expect_convergence(students);
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort"), "3");
}

TEST_F(Faults, ServerShutDownDuringTheApplyRollsBackAndTheNextRunConverges) {
    const auto students = make_students(k_small_directory);
    first_run(make_students(k_small_directory - 10));
    // Tonight: ten new students; one of their insertions is slow when the server goes down.
    add_accounts(std::vector<Student>(students.end() - 10, students.end()));
    use_directory(k_small_directory);
    write_export(m_export, export_rows(students));
    add_sleeping_insert(user_id(students.back().login), 30);
    const auto before = database_fingerprint();

    auto run = start_run();
    ASSERT_TRUE(wait_until([] { return sync_backend_sleeps(); }, std::chrono::seconds(20)));
    cst::servers().stop_postgres(); // pg_ctl stop -m fast: every session is terminated
    const auto result = run.wait();
    cst::servers().start_postgres();

    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(contains(result.err, "nothing was committed") || contains(result.err, "connection"))
        << result.describe();
    drop_sleeper();
    EXPECT_EQ(database_fingerprint(), before);
    expect_convergence(students);
}

TEST_F(Faults, ConnectionLostDuringCommitExits5AndTheNextRunConverges) {
    const auto students = make_students(k_small_directory);
    load(students);
    add_sleeping_commit(user_id(students[30].login), 30);
    const auto before = database_fingerprint();

    auto run = start_run();
    ASSERT_TRUE(wait_until([] { return sync_backend_sleeps("COMMIT"); }, std::chrono::seconds(20)))
        << "the run never reached COMMIT";
    terminate_sync_backend();
    const auto result = run.wait();

    EXPECT_EQ(result.exit_code, 5) << result.describe();
    EXPECT_TRUE(contains(result.err, "lost during COMMIT")) << result.describe();
    EXPECT_TRUE(contains(result.err, "may or may not have been applied")) << result.describe();
    EXPECT_TRUE(contains(result.err, "HINT: the next run will converge")) << result.describe();
    EXPECT_TRUE(contains(result.err, "sync end: in-doubt (exit code 5)")) << result.describe();
    const json report = last_report();
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report["outcome"], "in-doubt");
    // Terminated inside the deferred trigger: the server never committed.
    EXPECT_EQ(database_fingerprint(), before);

    drop_sleeper();
    expect_convergence(students);
}

// The other way round: the commit went through and the run was lost afterwards (the process
// killed before it could say so). The next run finds the work done.
TEST_F(Faults, RunKilledAfterCommitIsFollowedByARunWithNothingToDo) {
    const auto students = make_students(k_small_directory);
    load(students);
    auto run = start_run();
    ASSERT_TRUE(wait_until(
        [&] { return cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members") != "0"; },
        std::chrono::seconds(30)));
    run.send(SIGKILL);
    run.wait();
    EXPECT_EQ(members(), expected_members(students));
    expect_convergence(students);
}

// ---------------------------------------------------------------------------------------------
// 4. The export while it is written, and a report folder that cannot be written

TEST_F(Faults, ExportCutInTheMiddleOfALineWithATrailerIsRefused) {
    const auto students = make_students(k_small_directory);
    first_run(students);
    std::string text = cst::read_file(m_export);
    text += "TOTAL;" + std::to_string(students.size()) + "\n";
    write_text(m_export, text);
    configure({{"apogee", {{"trailer", true}}}});
    ASSERT_EQ(run().exit_code, 0) << "the complete file with its trailer must be accepted";
    const auto before = database_fingerprint();
    // What the extraction job leaves when it dies halfway: no trailer line, a half row.
    write_text(m_export, text.substr(0, text.size() / 2 + 7));

    const auto result = run();

    EXPECT_EQ(result.exit_code, 1) << result.describe();
    EXPECT_TRUE(contains(result.err, "trailer")) << result.describe();
    EXPECT_TRUE(contains(result.err, "truncated")) << result.describe();
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(Faults, ExportFromTheFutureIsReadWithAWarningAboutTheClock) {
    const auto students = make_students(k_small_directory);
    load(students);
    // An extraction host whose clock is an hour ahead.
    const struct timeval times[2] = {{std::time(nullptr) + 3600, 0}, {std::time(nullptr) + 3600, 0}};
    ASSERT_EQ(utimes(m_export.c_str(), times), 0);

    const auto result = run();

    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "in the future")) << result.describe();
    EXPECT_EQ(members(), expected_members(students));
}

// The extraction appends while cohort-sync reads: the size or mtime changes between the fstat
// before the read and the one after. Timing decides when that happens, so the reader is tried
// until a change lands inside a read; it must never hand back a file that changed.
TEST_F(Faults, ExportGrowingWhileReadIsRefusedNeverHalfUsed) {
    const auto students = make_students(20000);
    write_export(m_export, export_rows(students));
    const std::string complete = cst::read_file(m_export);
    cohort_sync::ExportConfig config;
    config.path = m_export;
    config.max_bad_rows = 1000000;
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        std::ofstream out(m_export, std::ios::binary | std::ios::app);
        const std::string line = std::to_string(cohort_sync::e2e::current_academic_year()) +
                                 ";29999999;L1INFO;101;E;Licence 1 Informatique\n";
        // Bounded: a reader that never overlaps an append must not fill the disk.
        for (int written = 0; !stop.load() && written < 1000000; ++written) {
            out << line << std::flush;
        }
    });
    int refused = 0;
    int attempts = 0;
    std::string failure;
    for (; attempts < 200 && refused == 0; ++attempts) {
        try {
            cohort_sync::ApogeeExportFile file(config);
            const auto read = std::get<cohort_sync::ExportRead>(file.read().records);
            // A read that saw no change is one whole snapshot: every line it counted is complete.
            if (read.data_lines < static_cast<int>(students.size())) {
                failure = "a read returned fewer lines than the file ever had";
            }
        } catch (const cohort_sync::SourceError& error) {
            if (contains(error.what(), "changed while it was read")) {
                ++refused;
            } else {
                failure = error.what();
            }
        }
    }
    stop = true;
    writer.join();
    EXPECT_EQ(failure, "");
    EXPECT_GE(refused, 1) << "no read out of " << attempts << " overlapped an append";
}

TEST_F(Faults, ReportDirectoryNotWritableStillSyncsWithAWarning) {
    const auto students = make_students(k_small_directory);
    load(students);
    // Under a regular file: not even root can create it.
    configure({{"report", {{"directory", "/dev/null/cohort-sync"}}}});

    const auto result = run();

    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "could not write the run report in '/dev/null/cohort-sync/reports'"))
        << result.describe();
    EXPECT_TRUE(contains(result.err, "HINT: report.directory must be writable")) << result.describe();
    EXPECT_EQ(members(), expected_members(students));
    // The report still went into the database, with the changes.
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM cohort_sync.runs WHERE outcome = 'applied'"),
              "1");
    const auto dry = run({"--dry-run"});
    EXPECT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_TRUE(contains(dry.err, "plan: +0 -0")) << dry.describe();
}

// ---------------------------------------------------------------------------------------------
// 5. Hostile bytes in the sources: a clear issue, never a crash, never an injection

// Exit codes a run may end with; anything else (a signal, -1 for a hang) is a crash.
bool documented_exit(int code) {
    return code == 0 || code == 1 || code == 2 || code == 3;
}

TEST_F(Faults, InvalidUtf8InAUtf8ExportIsReportedAndTheNameIsStoredAsValidText) {
    const auto students = make_students(k_small_directory);
    load(students);
    auto rows = export_rows(students);
    for (auto& row : rows) {
        if (row.etape == "L1INFO") {
            row.label = "Licence 1 Informatique \xC3\x28 \xFF\xFE fin";
        }
    }
    write_export(m_export, rows, /*latin1=*/false);
    configure({{"apogee", {{"encoding", "utf-8"}}}});

    const auto result = run();

    ASSERT_TRUE(documented_exit(result.exit_code)) << result.describe();
    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "UTF-8")) << result.describe();
    EXPECT_EQ(cst::servers().query_value("SELECT name FROM mdl_cohort WHERE idnumber = 'etape-L1INFO'"),
              "L1INFO: Licence 1 Informatique \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD fin");
}

TEST_F(Faults, NulByteInARowMakesItABadRowNamedInTheLog) {
    const auto students = make_students(k_small_directory);
    first_run(students);
    std::string text = cst::read_file(m_export);
    // The first data row: its student number gets a NUL in the middle.
    const auto at = text.find('\n') + 1 + 7;
    text[at + 3] = '\0';
    write_text(m_export, text);

    const auto result = run({"--dry-run"});

    ASSERT_TRUE(documented_exit(result.exit_code)) << result.describe();
    EXPECT_TRUE(contains(result.err, "NUL byte")) << result.describe();
    EXPECT_TRUE(contains(result.err, "apogee-inscriptions.csv:2")) << result.describe();
}

TEST_F(Faults, MegabyteLabelAndTenMegabyteLineEndInAClearIssueNotACrash) {
    const auto students = make_students(k_small_directory);
    first_run(students);
    const auto before = database_fingerprint();
    auto rows = export_rows(students);
    for (auto& row : rows) {
        if (row.etape == "M1GEO") {
            row.label = std::string(1 << 20, 'x');
        }
    }
    write_export(m_export, rows);

    const auto long_label = run();

    // Twenty rows with a damaged label: more bad rows than apogee.max_bad_rows, so the file is
    // refused, naming the column, the line and the length (not the megabyte itself).
    EXPECT_EQ(long_label.exit_code, 1) << long_label.describe().substr(0, 4000);
    EXPECT_LT(long_label.err.size(), 64U * 1024) << "the log repeats the megabyte";
    EXPECT_TRUE(contains(long_label.err, "column 'LIB_ETP' is 1048576 bytes long")) << long_label.describe();
    EXPECT_TRUE(contains(long_label.err, "more than apogee.max_bad_rows")) << long_label.describe();
    EXPECT_EQ(database_fingerprint(), before);

    // Ten megabytes without a line break, after the header: one bad row, no inscription left,
    // and the export_empty guard refuses to empty the cohorts.
    write_text(m_export,
               "COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\n" + std::string(10 << 20, 'A'));
    const auto moodle_before = moodle_fingerprint();
    const auto long_line = run();
    EXPECT_TRUE(long_line.exit_code == 1 || long_line.exit_code == 3) << long_line.describe().substr(0, 4000);
    EXPECT_LT(long_line.err.size(), 64U * 1024) << "the log repeats the line";
    EXPECT_TRUE(contains(long_line.err, "apogee-inscriptions.csv:2")) << long_line.describe().substr(0, 4000);
    // A refusal is recorded in the state schema; Moodle's tables are untouched.
    EXPECT_EQ(moodle_fingerprint(), moodle_before);
}

// BUG (src/core/plan/merge.cpp or plan.cpp, the lead's): a label or étape code that fits the export
// (under 1,024 bytes) but not Moodle's columns (mdl_cohort.name is VARCHAR(254), idnumber
// VARCHAR(100)) fails the whole run at the database with SQLSTATE 22001, naming no cohort, and
// every other étape goes unsynced every night. Enable once names are cut to 254 characters (on a
// UTF-8 boundary, with a warning) and an étape whose idnumber cannot fit is left out with an issue.
TEST_F(Faults, LabelOrCodeTooLongForMoodleIsReportedAndTheOtherEtapesSync) {
    const auto students = make_students(k_small_directory);
    load(students);
    auto rows = export_rows(students);
    for (auto& row : rows) {
        if (row.etape == "M1GEO") {
            row.label = std::string(300, 'x');
        }
    }
    write_export(m_export, rows);

    const auto result = run();

    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "M1GEO")) << result.describe();
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort"), "3");
    EXPECT_EQ(
        cst::servers().query_value("SELECT length(name) FROM mdl_cohort WHERE idnumber = 'etape-M1GEO'"),
        "254");
}

TEST_F(Faults, LdapLoginWithFilterMetacharactersIsOnlyEverCompared) {
    forget_directory();
    cst::servers().reset_ldap_people();
    auto students = make_students(20);
    students[3].login = "a*)(uid=*";
    std::string ldif;
    std::vector<MoodleAccount> accounts;
    for (const auto& student : students) {
        ldif += cst::make_student_ldif(student.login, student.number, {std::string(k_uai) + student.etape});
        accounts.push_back({student.login, student.number});
    }
    cst::servers().ldap_add_ldif(ldif);
    add_moodle_users(accounts);
    write_export(m_export, export_rows(students));

    const auto synced = run();
    ASSERT_EQ(synced.exit_code, 0) << synced.describe();
    EXPECT_EQ(members(), expected_members(students));

    // explain puts the login into an LDAP filter: it must find that one entry, not every uid.
    const auto explain = run({"explain", "a*)(uid=*"});
    ASSERT_EQ(explain.exit_code, 0) << explain.describe();
    EXPECT_TRUE(contains(explain.out, "login 'a*)(uid=*', student number '" + students[3].number + "'"))
        << explain.describe();
    EXPECT_EQ(count_occurrences(explain.out, "    login '"), 1U) << explain.describe();
    for (const auto& other : {students[0], students[1], students[10]}) {
        EXPECT_FALSE(contains(explain.out, other.login)) << explain.describe();
    }
}

TEST_F(Faults, QuotesAndSemicolonsInEtapesAndLabelsAreStoredVerbatim) {
    forget_directory();
    cst::servers().reset_ldap_people();
    const std::string etape = "L1'IN;FO";
    const std::string label = "x'); DROP TABLE mdl_user; --";
    auto students = make_students(20);
    std::string ldif;
    std::vector<MoodleAccount> accounts;
    std::vector<ExportRow> rows;
    for (auto& student : students) {
        student.etape = etape;
        ldif += cst::make_student_ldif(student.login, student.number, {std::string(k_uai) + etape});
        accounts.push_back({student.login, student.number});
        rows.push_back({student.number, etape, label});
    }
    cst::servers().ldap_add_ldif(ldif);
    add_moodle_users(accounts);
    write_export(m_export, rows);
    const std::string users = cst::servers().query_value("SELECT count(*) FROM mdl_user");

    const auto synced = run();

    ASSERT_EQ(synced.exit_code, 0) << synced.describe();
    EXPECT_EQ(cst::servers().query("SELECT idnumber, name FROM mdl_cohort"),
              (cst::Rows{{"etape-" + etape, etape + ": " + label}}));
    EXPECT_EQ(members(), expected_members(students));
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_user"), users);
}

// ---------------------------------------------------------------------------------------------
// 6. Secrets

TEST_F(Faults, PasswordFileReadableByOthersIsWarnedAbout) {
    const auto students = make_students(k_small_directory);
    load(students);
    const std::string file = m_dir + "/reader.password";
    write_text(file, password_in(cst::servers().ldap_reader_password_file()) + "\n");
    ASSERT_EQ(chmod(file.c_str(), 0644), 0);
    configure({{"ldap", {{"password_file", file}}}});

    const auto result = run({"--dry-run"});

    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "password file '" + file + "' is readable by others (mode 0644)"))
        << result.describe();
    EXPECT_TRUE(contains(result.err, "HINT: chmod 600")) << result.describe();
}

TEST_F(Faults, NoPasswordInTheCommandLineOfARunningSync) {
    const auto students = make_students(k_small_directory);
    load(students);
    add_sleeping_insert(user_id(students[30].login), 30);
    auto run = start_run({"-v"});
    ASSERT_TRUE(wait_until([] { return sync_backend_sleeps(); }, std::chrono::seconds(20)));

    // The pid is the child's: read what `ps` would show while it is in the middle of its work.
    std::string cmdline;
    std::string environ_text;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        std::string text;
        try {
            text = cst::read_file(entry.path().string() + "/cmdline");
        } catch (const std::exception&) {
            continue;
        }
        if (contains(text, cst::cohort_sync_binary().string()) && contains(text, m_config_path)) {
            cmdline = text;
            environ_text = cst::read_file(entry.path().string() + "/environ");
        }
    }
    run.send(SIGTERM);
    run.wait();
    drop_sleeper();

    ASSERT_FALSE(cmdline.empty()) << "the running cohort-sync was not found in /proc";
    for (const auto& file :
         {cst::servers().ldap_reader_password_file(), cst::servers().ldap_admin_password_file()}) {
        const std::string password = password_in(file);
        EXPECT_FALSE(contains(cmdline, password)) << "a password is in /proc/<pid>/cmdline";
        EXPECT_FALSE(contains(environ_text, password)) << "a password is in /proc/<pid>/environ";
    }
}

// Last (tests run in the order of the file): every run above, whatever it ended with, printed
// and wrote no password. The admin's password is checked too: it must never have reached a run.
class FaultsSecrets : public Faults {};

TEST_F(FaultsSecrets, ZzNoPasswordInAnyOutputReportOrStoredRun) {
    const std::vector<std::string> passwords = {password_in(cst::servers().ldap_reader_password_file()),
                                                password_in(cst::servers().ldap_admin_password_file())};
    for (const auto& password : passwords) {
        ASSERT_GE(password.size(), 8U);
    }
    ASSERT_GE(captured_outputs().size(), 20U)
        << "run the whole binary: this test checks what the others printed";
    for (const auto& output : captured_outputs()) {
        for (const auto& password : passwords) {
            EXPECT_FALSE(contains(output, password)) << "a password is in:\n" << output.substr(0, 4000);
        }
    }
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(cst::servers().dir())) {
        const auto path = entry.path().string();
        const bool report =
            entry.path().extension() == ".json" && entry.path().parent_path().filename() == "reports";
        const bool run_output = contains(path, "/e2e-runs-");
        if (!entry.is_regular_file() || !(report || run_output)) {
            continue;
        }
        ++files;
        const std::string text = cst::read_file(path);
        for (const auto& password : passwords) {
            EXPECT_FALSE(contains(text, password)) << path;
        }
    }
    EXPECT_GE(files, 20);
    if (cst::servers().query_value("SELECT count(*) FROM pg_namespace WHERE nspname = 'cohort_sync'") ==
        "1") {
        for (const auto& password : passwords) {
            EXPECT_EQ(
                cst::servers().query_value("SELECT count(*) FROM cohort_sync.runs WHERE report::text LIKE " +
                                           sql_literal("%" + password + "%")),
                "0");
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    // A 20,000-row export and a 3,000-entry directory read in pages of 5: the reader's size
    // limit (100) must not stop a paged search, and unlimited total keeps it paged.
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
