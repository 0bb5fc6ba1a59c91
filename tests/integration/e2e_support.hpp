// Shared by the integration tests that run the built cohort-sync binary as an operator would,
// against the throwaway servers (SiteTest), and write what it reads (configuration, APOGÉE
// export, LDAP entries, Moodle accounts).
//
// Header-only on purpose: each integration test file is its own binary.
#pragma once

#include "servers.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace cohort_sync::e2e {

namespace cst = cohort_sync::testing;
namespace fs = std::filesystem;

// A run that takes longer is stuck (the slowest test sleeps 3 s in a trigger): kill it rather
// than hang the test binary until ctest's timeout.
inline constexpr std::chrono::seconds k_run_timeout{60};

inline void write_text(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
        throw std::runtime_error("cannot write '" + path + "'");
    }
}

// A fresh folder under the servers' folder, so it is removed (or kept, after a failure) with them.
inline std::string make_temp_dir(const std::string& prefix) {
    std::string path = cst::servers().dir() + "/" + prefix + "XXXXXX";
    if (mkdtemp(path.data()) == nullptr) {
        throw std::runtime_error("mkdtemp in " + cst::servers().dir() + " failed: " + std::strerror(errno));
    }
    return path;
}

inline bool contains(const std::string& text, const std::string& needle) {
    return text.find(needle) != std::string::npos;
}

// -------------------------------------------------------------------------------------------
// Running the binary

struct RunResult {
    std::string command; // for failure messages
    int exit_code = -1;  // 128 + N for a signal N; -1 when it was killed for running too long
    std::string out;     // stdout
    std::string err;     // stderr (the log)
    double seconds = 0;

    std::string all() const { return out + err; }
    // What a failed assertion should show.
    std::string describe() const {
        return "$ " + command + "\nexit code " + std::to_string(exit_code) + " after " +
               std::to_string(seconds) + " s\n--- stdout ---\n" + out + "--- stderr ---\n" + err +
               "--------------";
    }
};

// Everything every run of this test binary printed, for the "no password anywhere" test.
inline std::vector<std::string>& captured_outputs() {
    static std::vector<std::string> outputs;
    return outputs;
}

inline std::vector<std::string> child_environment() {
    std::vector<std::string> environment;
    for (char** variable = environ; *variable != nullptr; ++variable) {
        const std::string entry = *variable;
        // Under systemd (or a CI job started by it) the log would take the journal's format, and a
        // credentials directory would change where the LDAP password comes from.
        if (entry.starts_with("JOURNAL_STREAM=") || entry.starts_with("CREDENTIALS_DIRECTORY=")) {
            continue;
        }
        environment.push_back(entry);
    }
    return environment;
}

// A cohort-sync process running in the background, its output going to files.
class RunningCohortSync {
public:
    RunningCohortSync(pid_t pid, std::string command, std::string out_path, std::string err_path)
        : m_pid(pid)
        , m_command(std::move(command))
        , m_out_path(std::move(out_path))
        , m_err_path(std::move(err_path)) {}
    RunningCohortSync(const RunningCohortSync&) = delete;
    RunningCohortSync& operator=(const RunningCohortSync&) = delete;
    RunningCohortSync(RunningCohortSync&& other) noexcept
        : m_pid(std::exchange(other.m_pid, 0))
        , m_command(std::move(other.m_command))
        , m_out_path(std::move(other.m_out_path))
        , m_err_path(std::move(other.m_err_path))
        , m_started(other.m_started) {}
    RunningCohortSync& operator=(RunningCohortSync&&) = delete;
    // A test that failed before wait() must not leave its child behind.
    ~RunningCohortSync() {
        if (m_pid > 0) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, nullptr, 0);
        }
    }

    // Signals the process started here (SIGTERM, as systemd stops a unit).
    void send(int signal_number) {
        if (m_pid > 0) {
            kill(m_pid, signal_number);
        }
    }

    bool finished() {
        if (m_pid <= 0) {
            return true;
        }
        int status = 0;
        const pid_t done = waitpid(m_pid, &status, WNOHANG);
        if (done == m_pid) {
            m_pid = 0;
            m_status = status;
            return true;
        }
        return false;
    }

    RunResult wait() {
        const auto deadline = m_started + k_run_timeout;
        bool timed_out = false;
        while (!finished()) {
            if (std::chrono::steady_clock::now() > deadline) {
                kill(m_pid, SIGKILL);
                waitpid(m_pid, nullptr, 0);
                m_pid = 0;
                timed_out = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        RunResult result;
        result.command = m_command;
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
        if (timed_out) {
            result.exit_code = -1;
        } else if (WIFEXITED(m_status)) {
            result.exit_code = WEXITSTATUS(m_status);
        } else if (WIFSIGNALED(m_status)) {
            result.exit_code = 128 + WTERMSIG(m_status);
        }
        result.out = cst::read_file(m_out_path);
        result.err = cst::read_file(m_err_path);
        if (timed_out) {
            result.err += "\n[e2e: killed after " + std::to_string(k_run_timeout.count()) + " s]\n";
        }
        captured_outputs().push_back(result.all());
        return result;
    }

private:
    pid_t m_pid;
    std::string m_command;
    std::string m_out_path;
    std::string m_err_path;
    int m_status = 0;
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
};

// Starts the built binary with `args`, stdin from /dev/null, stdout and stderr to files (stderr is
// not a terminal, so the log has its plain timestamped format).
// `environment_extra` ("JOURNAL_STREAM=8:1") is added to the child's environment.
inline RunningCohortSync start_cohort_sync(const std::vector<std::string>& args,
                                           const std::vector<std::string>& environment_extra = {}) {
    static int counter = 0;
    static const std::string runs_dir = make_temp_dir("e2e-runs-");
    const std::string stem = runs_dir + "/run-" + std::to_string(++counter);
    const std::string out_path = stem + ".out";
    const std::string err_path = stem + ".err";

    std::vector<std::string> argv_strings{cst::cohort_sync_binary().string()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::string command;
    std::vector<char*> argv;
    for (auto& arg : argv_strings) {
        command += (command.empty() ? "" : " ") + arg;
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> environment_strings = child_environment();
    environment_strings.insert(environment_strings.end(), environment_extra.begin(), environment_extra.end());
    std::vector<char*> environment;
    for (auto& entry : environment_strings) {
        environment.push_back(entry.data());
    }
    environment.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environment.data());
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        throw std::runtime_error("cannot run " + command + ": " + std::strerror(error));
    }
    return RunningCohortSync(pid, command, out_path, err_path);
}

inline RunResult run_cohort_sync(const std::vector<std::string>& args,
                                 const std::vector<std::string>& environment_extra = {}) {
    return start_cohort_sync(args, environment_extra).wait();
}

// -------------------------------------------------------------------------------------------
// What the sources hold

// The APOGÉE year (COD_ANU) in force today: its first calendar year, switching on 1 September,
// by the local clock as cohort-sync reads it.
inline int current_academic_year() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    const int year = local.tm_year + 1900;
    return local.tm_mon + 1 >= 9 ? year : year - 1;
}

// UTF-8 to ISO-8859-1, as APOGÉE writes its extractions. Throws on a character latin-1 lacks.
inline std::string to_latin1(const std::string& utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        if (byte < 0x80) {
            out += static_cast<char>(byte);
        } else if ((byte == 0xC2 || byte == 0xC3) && i + 1 < utf8.size()) {
            const auto next = static_cast<unsigned char>(utf8[++i]);
            out += static_cast<char>(((byte & 0x03) << 6) | (next & 0x3F));
        } else {
            throw std::invalid_argument("to_latin1: '" + utf8 + "' has a character ISO-8859-1 lacks");
        }
    }
    return out;
}

struct ExportRow {
    std::string student_number;
    std::string etape;
    std::string label; // UTF-8 here; written in the file's encoding
    std::string status = "E";
    std::string version = "101";
    int year = 0; // 0: the current academic year
};

inline std::string csv_field(const std::string& value) {
    if (value.find_first_of(";\"") == std::string::npos) {
        return value;
    }
    std::string quoted = "\"";
    for (const char c : value) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + "\"";
}

// The export with APOGÉE's usual header; ISO-8859-1 unless `latin1` is false (then UTF-8).
inline void write_export(const std::string& path, const std::vector<ExportRow>& rows, bool latin1 = true) {
    std::string text = "COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\n";
    const int year = current_academic_year();
    for (const auto& row : rows) {
        text += std::to_string(row.year == 0 ? year : row.year) + ";" + csv_field(row.student_number) + ";" +
                csv_field(row.etape) + ";" + csv_field(row.version) + ";" + csv_field(row.status) + ";" +
                csv_field(row.label) + "\n";
    }
    write_text(path, latin1 ? to_latin1(text) : text);
}

inline std::string sql_literal(const std::string& value) {
    std::string quoted = "'";
    for (const char c : value) {
        quoted += c;
        if (c == '\'') {
            quoted += '\'';
        }
    }
    return quoted + "'";
}

struct MoodleAccount {
    std::string username;
    std::string idnumber;
};

// Local CAS accounts as Moodle's auth_cas creates them; returns their ids, in order.
inline std::vector<std::string> add_moodle_users(const std::vector<MoodleAccount>& accounts) {
    std::vector<std::string> ids;
    for (const auto& account : accounts) {
        ids.push_back(cst::servers().query_value("INSERT INTO mdl_user (auth, confirmed, mnethostid, "
                                                 "username, idnumber, firstname, lastname, email,"
                                                 " timecreated, timemodified) VALUES ('cas', 1, 1, " +
                                                 sql_literal(account.username) + ", " +
                                                 sql_literal(account.idnumber) + ", 'Camille', 'Étudiant', " +
                                                 sql_literal(account.username + "@univ-test.fr") +
                                                 ", 1700000000, 1700000000) RETURNING id"));
    }
    return ids;
}

// The site's enabled authentication plugins (mdl_config 'auth', comma-separated), as Moodle's
// "Manage authentication" page saves them. The fixtures enable none beyond manual and nologin.
inline void enable_auth_plugins(const std::string& list) {
    cst::servers().psql("UPDATE mdl_config SET value = " + sql_literal(list) + " WHERE name = 'auth'");
}

inline std::string user_id(const std::string& username) {
    return cst::servers().query_value("SELECT id FROM mdl_user WHERE username = " + sql_literal(username));
}

// -------------------------------------------------------------------------------------------
// What the target holds

// md5 of every table of the given schemas (that exist), by qualified name: equal maps mean
// nothing was written. Sequences are left out: a rolled-back INSERT still uses up ids.
inline std::map<std::string, std::string> database_fingerprint(const std::vector<std::string>& schemas = {
                                                                   "public", "cohort_sync"}) {
    std::string schema_list;
    for (const auto& schema : schemas) {
        schema_list += (schema_list.empty() ? "" : ", ") + sql_literal(schema);
    }
    const cst::Rows tables = cst::servers().query(
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables"
        " WHERE table_schema IN (" +
        schema_list + ") AND table_type = 'BASE TABLE' ORDER BY 1");
    std::map<std::string, std::string> fingerprint;
    if (tables.empty()) {
        return fingerprint;
    }
    std::string sql;
    for (const auto& table : tables) {
        sql += (sql.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + sql_literal(table[0]) +
               ", md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) || ':' || count(*) FROM " +
               table[0] + " t";
    }
    for (const auto& row : cst::servers().query(sql)) {
        fingerprint[row[0]] = row[1];
    }
    return fingerprint;
}

inline std::map<std::string, std::string> moodle_fingerprint() {
    return database_fingerprint({"public"});
}

inline bool state_schema_exists() {
    return cst::servers().query_value("SELECT count(*) FROM pg_namespace WHERE nspname = 'cohort_sync'") ==
           "1";
}

// -------------------------------------------------------------------------------------------
// Configuration

// A configuration for the throwaway servers: LDAP read as the reader account (under the size
// limit, so in pages), the export at `export_path`, reports in `dir`.
inline nlohmann::json base_config(const std::string& dir, const std::string& export_path) {
    const auto& servers = cst::servers();
    return nlohmann::json{
        {"ldap",
         {{"uris", {servers.ldap_uri()}},
          {"starttls", false},
          {"base_dn", servers.ldap_base()},
          {"bind_dn", servers.ldap_reader_dn()},
          {"password_file", servers.ldap_reader_password_file()},
          {"paged_results", true},
          {"page_size", 50}}},
        {"apogee", {{"path", export_path}, {"encoding", "iso-8859-1"}, {"delimiter", ";"}}},
        {"membership", {{"rule", "both"}}},
        {"moodle", {{"conninfo", servers.pg_conninfo()}, {"component", "local_cohortsync"}}},
        {"report", {{"directory", dir}}},
    };
}

inline void write_config(const std::string& path, const nlohmann::json& config) {
    write_text(path, config.dump(2) + "\n");
}

// The reports written under `report_directory`/reports, by file name.
inline std::set<std::string> report_files(const std::string& report_directory) {
    std::set<std::string> files;
    const fs::path reports = fs::path(report_directory) / "reports";
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(reports, error)) {
        if (entry.path().extension() == ".json") {
            files.insert(entry.path().string());
        }
    }
    return files;
}

// A test against the throwaway servers, from a clean site: Moodle's tables and the directory's
// people emptied, a temporary folder for the export, the state and the configuration, which is
// base_config() written to disk.
class SiteTest : public ::testing::Test {
protected:
    enum class Directory { reset, keep };

    // Called first by a fixture's SetUp(). `keep`: the test manages the directory's people itself.
    void open_site(const std::string& name, const std::string& export_file = "apogee.csv",
                   Directory directory = Directory::reset) {
        cst::servers().reset_moodle();
        if (directory == Directory::reset) {
            cst::servers().reset_ldap_people();
        }
        m_dir = make_temp_dir(name + "-");
        m_export = m_dir + "/" + export_file;
        m_config_path = m_dir + "/cohort-sync.json";
        m_config = base_config(m_dir, m_export);
        write_config(m_config_path, m_config);
    }

    // Changes the configuration (an RFC 7396 merge patch) and writes it.
    void configure(const nlohmann::json& patch) {
        m_config.merge_patch(patch);
        write_config(m_config_path, m_config);
    }

    // cohort-sync with this test's configuration, then `args` (a command, options).
    RunResult run(std::vector<std::string> args = {}) const {
        args.insert(args.begin(), {"--config", m_config_path});
        return run_cohort_sync(args);
    }

    // The same, in the background: for signals and faults during the run.
    RunningCohortSync start_run(std::vector<std::string> args = {}) const {
        args.insert(args.begin(), {"--config", m_config_path});
        return start_cohort_sync(args);
    }

    std::string m_dir;
    std::string m_export;
    std::string m_config_path;
    nlohmann::json m_config;
};

// The password in a harness password file (one line).
inline std::string password_in(const std::string& file) {
    std::string password = cst::read_file(file);
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
        password.pop_back();
    }
    return password;
}

// The line of `text` holding `needle`, or "" (for messages about one log line).
inline std::string line_with(const std::string& text, const std::string& needle) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (contains(line, needle)) {
            return line;
        }
    }
    return {};
}

// The first line of `text` that starts with `prefix`, or "".
inline std::string line_starting(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(prefix)) {
            return line;
        }
    }
    return {};
}

// The lines of `text` after the line starting with `header`, up to a blank line or the end: one
// section of `explain` or `status`.
inline std::vector<std::string> lines_after(const std::string& text, const std::string& header) {
    std::istringstream in(text);
    std::vector<std::string> lines;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (!inside) {
            inside = line.starts_with(header);
        } else if (line.empty()) {
            break;
        } else {
            lines.push_back(line);
        }
    }
    return lines;
}

// The line right after the first line of `text` holding `needle` (a "HINT:" follows its error).
inline std::string line_after(const std::string& text, const std::string& needle) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (contains(line, needle)) {
            std::getline(in, line);
            return in ? line : std::string();
        }
    }
    return {};
}

} // namespace cohort_sync::e2e
