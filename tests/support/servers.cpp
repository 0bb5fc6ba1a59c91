#include "servers.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ldap.h>
#include <libpq-fe.h>
#include <map>
#include <memory>
#include <regex>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace cohort_sync::testing {

namespace {

namespace fs = std::filesystem;

// The script's "the port was taken between free-port and bind()" status: retry elsewhere.
constexpr int k_exit_port_taken = 75;
constexpr int k_port_attempts = 5;

// -------------------------------------------------------------------------------------------
// Files and processes

std::string tail_of_file(const std::string& path, std::size_t max_lines) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(std::move(line));
    }
    std::string tail;
    for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
        tail += "  | " + lines[i] + "\n";
    }
    return tail;
}

// KEY=VALUE lines, as the script writes them. Values are taken verbatim (CONNINFO has spaces).
std::map<std::string, std::string> read_env_file(const std::string& path) {
    std::istringstream in(read_file(path));
    std::map<std::string, std::string> values;
    for (std::string line; std::getline(in, line);) {
        const auto equals = line.find('=');
        if (equals != std::string::npos && equals > 0) {
            values[line.substr(0, equals)] = line.substr(equals + 1);
        }
    }
    return values;
}

std::string env_value(const std::map<std::string, std::string>& values, const std::string& key,
                      const std::string& file) {
    const auto found = values.find(key);
    if (found == values.end() || found->second.empty()) {
        throw std::runtime_error("'" + file + "' has no " + key + " line");
    }
    return found->second;
}

std::string join(const std::vector<std::string>& words) {
    std::string joined;
    for (const auto& word : words) {
        joined += (joined.empty() ? "" : " ") + word;
    }
    return joined;
}

// Runs argv (looked up in PATH) without a shell, stdin from /dev/null, stderr appended to
// log_path; stdout too, unless `captured` receives it. Returns the exit status, 128 + N for a
// signal N, as shells do.
int run_process(const std::vector<std::string>& argv, const std::string& log_path,
                std::string* captured = nullptr) {
    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::unique_ptr<posix_spawn_file_actions_t, int (*)(posix_spawn_file_actions_t*)> actions_owner(
        &actions, posix_spawn_file_actions_destroy);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    int pipe_fds[2] = {-1, -1};
    if (captured != nullptr) {
        if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
            throw std::runtime_error(std::string("pipe2 failed: ") + std::strerror(errno));
        }
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    } else {
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    }

    pid_t pid = 0;
    const int spawn_error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    if (captured != nullptr) {
        close(pipe_fds[1]);
    }
    if (spawn_error != 0) {
        if (captured != nullptr) {
            close(pipe_fds[0]);
        }
        throw std::runtime_error("cannot run '" + argv[0] + "': " + std::strerror(spawn_error));
    }
    if (captured != nullptr) {
        char buffer[4096];
        for (;;) {
            const ssize_t got = read(pipe_fds[0], buffer, sizeof buffer);
            if (got > 0) {
                captured->append(buffer, static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                break;
            }
        }
        close(pipe_fds[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw std::runtime_error(std::string("waitpid failed: ") + std::strerror(errno));
        }
    }
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool keep_dir_requested() {
    const char* value = std::getenv("COHORT_SYNC_KEEP_TEST_DIR");
    return value != nullptr && std::string(value) == "1";
}

// -------------------------------------------------------------------------------------------
// Signals: a Ctrl-C must not leave servers behind. The handler only calls kill() and raise(),
// which are async-signal-safe, on pids read beforehand. (The script's watchdog covers SIGKILL
// and crashes, within a second.)

static_assert(std::atomic<pid_t>::is_always_lock_free);
std::atomic<pid_t> g_postmaster_pid{0};
std::atomic<pid_t> g_slapd_pid{0};

extern "C" void stop_servers_on_signal(int signal_number) {
    if (const pid_t pid = g_postmaster_pid.load(); pid > 0) {
        kill(pid, SIGINT); // PostgreSQL's "fast" shutdown
    }
    if (const pid_t pid = g_slapd_pid.load(); pid > 0) {
        kill(pid, SIGTERM);
    }
    // SA_RESETHAND restored the default action: this kills the process once the handler returns.
    raise(signal_number);
}

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = stop_servers_on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
        sigaction(signal_number, &action, nullptr);
    }
}

pid_t read_pid_file(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    if (in >> pid && pid > 0) {
        return static_cast<pid_t>(pid);
    }
    return 0;
}

// -------------------------------------------------------------------------------------------
// libpq

struct PgConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

std::string abbreviated(const std::string& sql) {
    constexpr std::size_t k_max = 300;
    return sql.size() <= k_max ? sql : sql.substr(0, k_max) + "...";
}

PgConn pg_connect(const std::string& conninfo) {
    // Notices (such as "table does not exist, skipping") would only clutter the test output.
    PgConn conn(
        PQconnectdb((conninfo + " connect_timeout=10 options='-c client_min_messages=warning'").c_str()));
    if (!conn) {
        throw std::bad_alloc();
    }
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error("cannot connect to PostgreSQL (" + conninfo +
                                 "): " + trimmed(PQerrorMessage(conn.get())));
    }
    return conn;
}

PgResult pg_exec(PGconn* conn, const std::string& sql) {
    PgResult result(PQexec(conn, sql.c_str()));
    const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
        const std::string message = result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn);
        throw std::runtime_error("SQL failed: " + trimmed(message) + "\n  statement: " + abbreviated(sql));
    }
    return result;
}

// -------------------------------------------------------------------------------------------
// libldap

struct LdapDeleter {
    void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct LdapMessageDeleter {
    void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
using LdapHandle = std::unique_ptr<LDAP, LdapDeleter>;
using LdapMessagePtr = std::unique_ptr<LDAPMessage, LdapMessageDeleter>;

LdapHandle ldap_bind_simple(const std::string& uri, const std::string& dn, const std::string& password) {
    LDAP* raw = nullptr;
    int rc = ldap_initialize(&raw, uri.c_str());
    if (rc != LDAP_SUCCESS) {
        throw std::runtime_error("ldap_initialize('" + uri + "') failed: " + ldap_err2string(rc));
    }
    LdapHandle ld(raw);
    const int version = LDAP_VERSION3;
    ldap_set_option(raw, LDAP_OPT_PROTOCOL_VERSION, &version);
    const timeval network_timeout{10, 0};
    ldap_set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, &network_timeout);
    berval credentials{};
    credentials.bv_len = password.size();
    credentials.bv_val = const_cast<char*>(password.data());
    rc = ldap_sasl_bind_s(raw, dn.c_str(), LDAP_SASL_SIMPLE, &credentials, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        throw std::runtime_error("binding to " + uri + " as '" + dn + "' failed: " + ldap_err2string(rc));
    }
    return ld;
}

// -------------------------------------------------------------------------------------------
// LDIF

std::string base64(const std::string& bytes) {
    static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string encoded;
    std::size_t i = 0;
    const auto byte = [&bytes](std::size_t at) {
        return static_cast<unsigned>(static_cast<unsigned char>(bytes[at]));
    };
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        encoded += {k_alphabet[group >> 18 & 63], k_alphabet[group >> 12 & 63], k_alphabet[group >> 6 & 63],
                    k_alphabet[group & 63]};
    }
    if (i + 1 == bytes.size()) {
        const unsigned group = byte(i) << 16;
        encoded += {k_alphabet[group >> 18 & 63], k_alphabet[group >> 12 & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        const unsigned group = byte(i) << 16 | byte(i + 1) << 8;
        encoded +=
            {k_alphabet[group >> 18 & 63], k_alphabet[group >> 12 & 63], k_alphabet[group >> 6 & 63], '='};
    }
    return encoded;
}

// RFC 2849's SAFE-STRING: ASCII without NUL, CR, LF, not starting with a space, ':' or '<'. A
// trailing space is legal but lost by many readers, so it is encoded too.
bool is_ldif_safe(const std::string& value) {
    if (value.empty()) {
        return true;
    }
    if (value.front() == ' ' || value.front() == ':' || value.front() == '<' || value.back() == ' ') {
        return false;
    }
    return std::none_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u == 0 || u == '\n' || u == '\r' || u > 127;
    });
}

void add_ldif_line(std::string& ldif, const std::string& attribute, const std::string& value) {
    if (is_ldif_safe(value)) {
        ldif += attribute + ": " + value + "\n";
    } else {
        ldif += attribute + ":: " + base64(value) + "\n";
    }
}

// RFC 4514 escaping of an attribute value inside a DN.
std::string escape_rdn_value(const std::string& value) {
    std::string escaped;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const bool special = std::strchr(",+\"\\<>;=", c) != nullptr;
        const bool edge = (i == 0 && (c == ' ' || c == '#')) || (i + 1 == value.size() && c == ' ');
        if (special || edge) {
            escaped += '\\';
        }
        escaped += c;
    }
    return escaped;
}

} // namespace

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

// ---------------------------------------------------------------------------------------------
// ThrowawayServers

ThrowawayServers& ThrowawayServers::instance() {
    static ThrowawayServers servers;
    return servers;
}

void ThrowawayServers::start(bool postgres, bool slapd, int ldap_size_limit) {
    start(ServersRequest{.postgres = postgres, .slapd = slapd, .ldap_size_limit = ldap_size_limit});
}

void ThrowawayServers::start(const ServersRequest& request) {
    if (running()) {
        throw std::logic_error("ThrowawayServers::start() called twice; the servers run from " + m_dir);
    }
    m_request = request;
    m_owner = getpid();
    m_script = (source_dir() / "tests/harness/throwaway-servers").string();
    std::string dir_template = "/tmp/cohort-sync-test-XXXXXX";
    if (mkdtemp(dir_template.data()) == nullptr) {
        throw std::runtime_error(std::string("cannot create a folder under /tmp: ") + std::strerror(errno));
    }
    m_dir = dir_template;
    m_log = m_dir + "/harness.log";
    try {
        if (request.postgres) {
            start_postgres_server();
        }
        if (request.slapd) {
            start_slapd_server();
        }
        run_script("starting the watchdog", {"watch", m_dir, std::to_string(getpid())});
        refresh_signal_pids();
    } catch (...) {
        stop(true);
        throw;
    }
}

void ThrowawayServers::run_script(const std::string& what, const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"bash", m_script};
    argv.insert(argv.end(), args.begin(), args.end());
    const int status = run_process(argv, m_log);
    if (status != 0) {
        throw std::runtime_error(what + " failed: 'throwaway-servers " + join(args) +
                                 "' exited with status " + std::to_string(status) + "\n" +
                                 tail_of_file(m_log, 40) + "(whole log: " + m_log + ")");
    }
}

int ThrowawayServers::pick_free_port() const {
    std::string output;
    const int status = run_process({"bash", m_script, "free-port"}, m_log, &output);
    try {
        if (status == 0) {
            return std::stoi(output);
        }
    } catch (const std::exception&) {
        // Reported below with the log.
    }
    throw std::runtime_error("finding a free port failed (status " + std::to_string(status) + ", output '" +
                             trimmed(output) + "')\n" + tail_of_file(m_log, 10));
}

void ThrowawayServers::start_postgres_server() {
    const auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        const int port = pick_free_port();
        const int status =
            run_process({"bash", m_script, "start-postgres", m_dir, std::to_string(port)}, m_log);
        if (status == 0) {
            m_pg_port = port;
            break;
        }
        if (status != k_exit_port_taken || attempt == k_port_attempts) {
            throw std::runtime_error("starting PostgreSQL failed (status " + std::to_string(status) + ")\n" +
                                     tail_of_file(m_log, 40) + "(whole log: " + m_log + ")");
        }
    }
    const std::string env_path = m_dir + "/pg.env";
    const auto env = read_env_file(env_path);
    m_pg_conninfo = env_value(env, "CONNINFO", env_path);
    m_pg_admin_conninfo = "host=" + env_value(env, "PGHOST", env_path) +
                          " port=" + std::to_string(m_pg_port) +
                          " user=" + env_value(env, "PGUSER", env_path) + " dbname=postgres";
    // reset_moodle() copies this template rather than loading the schema again. No connections
    // allowed: a session on the template would make every later copy fail.
    const PgConn conn = pg_connect(m_pg_admin_conninfo);
    pg_exec(conn.get(),
            "CREATE DATABASE moodle_template TEMPLATE moodle IS_TEMPLATE true ALLOW_CONNECTIONS false");
    std::cerr << "cohort-sync tests: PostgreSQL ready on 127.0.0.1:" << m_pg_port << " in "
              << seconds_since(started) << " s\n";
}

void ThrowawayServers::start_slapd_server() {
    const auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        const int port = pick_free_port();
        std::vector<std::string> args = {"bash",
                                         m_script,
                                         "start-slapd",
                                         m_dir,
                                         std::to_string(port),
                                         std::to_string(m_request.ldap_size_limit),
                                         "--paged-total=" + m_request.ldap_paged_total};
        if (m_request.ldap_tls) {
            int tls_port = pick_free_port();
            while (tls_port == port) {
                tls_port = pick_free_port();
            }
            args.push_back("--tls=" + std::to_string(tls_port));
        }
        const int status = run_process(args, m_log);
        if (status == 0) {
            m_ldap_port = port;
            break;
        }
        if (status != k_exit_port_taken || attempt == k_port_attempts) {
            throw std::runtime_error("starting slapd failed (status " + std::to_string(status) + ")\n" +
                                     tail_of_file(m_log, 40) + "(whole log: " + m_log + ")");
        }
    }
    const std::string env_path = m_dir + "/ldap.env";
    const auto env = read_env_file(env_path);
    m_ldap_uri = env_value(env, "LDAP_URI", env_path);
    m_ldap_base = env_value(env, "LDAP_BASE", env_path);
    m_ldap_admin_dn = env_value(env, "LDAP_ADMIN_DN", env_path);
    m_ldap_admin_password_file = env_value(env, "LDAP_ADMIN_PASSWORD_FILE", env_path);
    m_ldap_reader_dn = env_value(env, "LDAP_READER_DN", env_path);
    m_ldap_reader_password_file = env_value(env, "LDAP_READER_PASSWORD_FILE", env_path);
    if (m_request.ldap_tls) {
        m_ldaps_uri = env_value(env, "LDAPS_URI", env_path);
        m_ldap_ca_file = env_value(env, "LDAP_CA_FILE", env_path);
    }
    std::cerr << "cohort-sync tests: slapd ready on " << m_ldap_uri << " in " << seconds_since(started)
              << " s (size limit " << m_request.ldap_size_limit << ")\n";
}

void ThrowawayServers::refresh_signal_pids() const {
    g_postmaster_pid = m_request.postgres ? read_pid_file(m_dir + "/pg/postmaster.pid") : 0;
    g_slapd_pid = m_request.slapd ? read_pid_file(m_dir + "/slapd.pid") : 0;
}

void ThrowawayServers::stop(bool keep_logs) {
    // A forked child (a death test that exits, say) must leave its parent's servers alone.
    if (!running() || getpid() != m_owner) {
        return;
    }
    g_postmaster_pid = 0;
    g_slapd_pid = 0;
    bool stopped = false;
    try {
        stopped = run_process({"bash", m_script, "stop", m_dir}, m_log) == 0;
    } catch (const std::exception& error) {
        std::cerr << "cohort-sync tests: " << error.what() << "\n";
    }
    if (!stopped) {
        std::cerr << "cohort-sync tests: stopping the servers of " << m_dir << " failed:\n"
                  << tail_of_file(m_log, 20);
    }
    bool kept = keep_logs || keep_dir_requested() || !stopped;
    if (!kept) {
        std::error_code error;
        fs::remove_all(m_dir, error);
        if (error) {
            std::cerr << "cohort-sync tests: cannot remove " << m_dir << ": " << error.message() << "\n";
            kept = true;
        }
    }
    if (kept) {
        std::cerr << "cohort-sync tests: servers' logs kept in " << m_dir
                  << " (harness.log, pg.log, slapd.log)\n";
    }
    m_request = ServersRequest{};
    m_dir.clear();
    m_pg_port = 0;
    m_ldap_port = 0;
    m_pg_conninfo.clear();
    m_pg_admin_conninfo.clear();
    m_ldap_uri.clear();
    m_ldap_base.clear();
    m_ldap_admin_dn.clear();
    m_ldap_admin_password_file.clear();
    m_ldap_reader_dn.clear();
    m_ldap_reader_password_file.clear();
    m_ldaps_uri.clear();
    m_ldap_ca_file.clear();
}

const std::string& ThrowawayServers::pg_conninfo() const {
    require_postgres();
    return m_pg_conninfo;
}

const std::string& ThrowawayServers::ldap_uri() const {
    require_slapd();
    return m_ldap_uri;
}

const std::string& ThrowawayServers::ldap_base() const {
    require_slapd();
    return m_ldap_base;
}

const std::string& ThrowawayServers::ldap_admin_dn() const {
    require_slapd();
    return m_ldap_admin_dn;
}

const std::string& ThrowawayServers::ldap_admin_password_file() const {
    require_slapd();
    return m_ldap_admin_password_file;
}

const std::string& ThrowawayServers::ldap_reader_dn() const {
    require_slapd();
    return m_ldap_reader_dn;
}

const std::string& ThrowawayServers::ldap_reader_password_file() const {
    require_slapd();
    return m_ldap_reader_password_file;
}

const std::string& ThrowawayServers::ldaps_uri() const {
    require_slapd();
    if (m_ldaps_uri.empty()) {
        throw std::logic_error("slapd runs without TLS: ask for it with ServersRequest::ldap_tls");
    }
    return m_ldaps_uri;
}

const std::string& ThrowawayServers::ldap_ca_file() const {
    require_slapd();
    if (m_ldap_ca_file.empty()) {
        throw std::logic_error("slapd runs without TLS: ask for it with ServersRequest::ldap_tls");
    }
    return m_ldap_ca_file;
}

void ThrowawayServers::require_postgres() const {
    if (m_pg_port == 0) {
        throw std::logic_error("PostgreSQL is not running: ask for it in run_integration_tests()");
    }
}

void ThrowawayServers::require_slapd() const {
    if (m_ldap_port == 0) {
        throw std::logic_error("slapd is not running: ask for it in run_integration_tests()");
    }
}

void ThrowawayServers::psql(const std::string& sql) const {
    const PgConn conn = pg_connect(pg_conninfo());
    pg_exec(conn.get(), sql);
}

Rows ThrowawayServers::query(const std::string& sql) const {
    const PgConn conn = pg_connect(pg_conninfo());
    const PgResult result = pg_exec(conn.get(), sql);
    Rows rows;
    const int row_count = PQntuples(result.get());
    const int column_count = PQnfields(result.get());
    rows.reserve(static_cast<std::size_t>(row_count));
    for (int row = 0; row < row_count; ++row) {
        auto& values = rows.emplace_back();
        for (int column = 0; column < column_count; ++column) {
            values.emplace_back(
                PQgetisnull(result.get(), row, column) ? "NULL" : PQgetvalue(result.get(), row, column));
        }
    }
    return rows;
}

std::string ThrowawayServers::query_value(const std::string& sql) const {
    const Rows rows = query(sql);
    if (rows.size() != 1 || rows.front().empty()) {
        throw std::runtime_error("expected one row, got " + std::to_string(rows.size()) +
                                 " from: " + abbreviated(sql));
    }
    return rows.front().front();
}

std::string ThrowawayServers::table_checksum(const std::string& table) const {
    static const std::regex k_identifier("[a-z_][a-z0-9_]*");
    if (!std::regex_match(table, k_identifier)) {
        throw std::invalid_argument("'" + table + "' is not a plain table name");
    }
    return query_value("SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), md5('')) FROM " + table +
                       " t");
}

void ThrowawayServers::reset_moodle() const {
    require_postgres();
    const PgConn conn = pg_connect(m_pg_admin_conninfo);
    // FORCE: a session a failed test left open must not block the reset.
    pg_exec(conn.get(), "DROP DATABASE IF EXISTS moodle WITH (FORCE)");
    // FILE_COPY: copying the template's files is a quarter faster than WAL-logging each page (the
    // default since PostgreSQL 15), and a test suite resets hundreds of times.
    pg_exec(conn.get(), "CREATE DATABASE moodle TEMPLATE moodle_template STRATEGY FILE_COPY");
}

void ThrowawayServers::ldap_add_ldif(const std::string& ldif) const {
    require_slapd();
    std::string path = m_dir + "/add-XXXXXX.ldif";
    const int fd = mkstemps(path.data(), 5);
    if (fd < 0) {
        throw std::runtime_error("cannot create a file in " + m_dir + ": " + std::strerror(errno));
    }
    close(fd);
    std::ofstream(path, std::ios::binary) << ldif;
    const std::string log = m_dir + "/ldapmodify.log";
    std::ofstream(log, std::ios::trunc).close();
    const int status = run_process({"ldapmodify", "-a", "-x", "-H", m_ldap_uri, "-D", m_ldap_admin_dn, "-y",
                                    m_ldap_admin_password_file, "-f", path},
                                   log);
    if (status != 0) {
        throw std::runtime_error("ldapmodify -a of " + path + " failed with status " +
                                 std::to_string(status) + "\n" + tail_of_file(log, 10));
    }
    fs::remove(path);
}

std::vector<std::string> ThrowawayServers::ldap_list(const std::string& base) const {
    require_slapd();
    const LdapHandle ld =
        ldap_bind_simple(m_ldap_uri, m_ldap_admin_dn, read_file(m_ldap_admin_password_file));
    char no_attributes[] = LDAP_NO_ATTRS;
    char* attributes[] = {no_attributes, nullptr};
    LDAPMessage* raw = nullptr;
    const int rc = ldap_search_ext_s(ld.get(), base.c_str(), LDAP_SCOPE_CHILDREN, "(objectClass=*)",
                                     attributes, 0, nullptr, nullptr, nullptr, LDAP_NO_LIMIT, &raw);
    const LdapMessagePtr result(raw);
    if (rc != LDAP_SUCCESS) {
        throw std::runtime_error("listing '" + base + "' failed: " + ldap_err2string(rc));
    }
    std::vector<std::string> dns;
    for (LDAPMessage* entry = ldap_first_entry(ld.get(), result.get()); entry != nullptr;
         entry = ldap_next_entry(ld.get(), entry)) {
        char* dn = ldap_get_dn(ld.get(), entry);
        if (dn != nullptr) {
            dns.emplace_back(dn);
            ldap_memfree(dn);
        }
    }
    return dns;
}

void ThrowawayServers::ldap_delete_children(const std::string& base) const {
    std::vector<std::string> dns = ldap_list(base);
    // A child's DN ends with its parent's, so it is longer: longest first deletes leaves first.
    std::sort(dns.begin(), dns.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    const LdapHandle ld =
        ldap_bind_simple(m_ldap_uri, m_ldap_admin_dn, read_file(m_ldap_admin_password_file));
    for (const auto& dn : dns) {
        const int rc = ldap_delete_ext_s(ld.get(), dn.c_str(), nullptr, nullptr);
        if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) {
            throw std::runtime_error("deleting '" + dn + "' failed: " + ldap_err2string(rc));
        }
    }
}

void ThrowawayServers::stop_slapd() {
    require_slapd();
    g_slapd_pid = 0;
    run_script("stopping slapd", {"stop-slapd", m_dir});
}

void ThrowawayServers::start_slapd() {
    require_slapd();
    run_script("starting slapd again", {"resume-slapd", m_dir});
    refresh_signal_pids();
}

void ThrowawayServers::stop_postgres() {
    require_postgres();
    g_postmaster_pid = 0;
    run_script("stopping PostgreSQL", {"stop-postgres", m_dir});
}

void ThrowawayServers::start_postgres() {
    require_postgres();
    run_script("starting PostgreSQL again", {"resume-postgres", m_dir});
    refresh_signal_pids();
}

// ---------------------------------------------------------------------------------------------
// LDIF

std::string make_student_ldif(const StudentEntry& student) {
    if (student.uid.empty()) {
        throw std::invalid_argument("make_student_ldif: a student needs a uid");
    }
    std::string ldif;
    add_ldif_line(ldif, "dn", "uid=" + escape_rdn_value(student.uid) + "," + k_ldap_people_base);
    for (const char* object_class :
         {"top", "person", "organizationalPerson", "inetOrgPerson", "eduPerson", "supannPerson"}) {
        add_ldif_line(ldif, "objectClass", object_class);
    }
    add_ldif_line(ldif, "uid", student.uid);
    add_ldif_line(ldif, "cn", student.given_name + " " + student.surname);
    add_ldif_line(ldif, "sn", student.surname);
    add_ldif_line(ldif, "givenName", student.given_name);
    add_ldif_line(ldif, "displayName", student.given_name + " " + student.surname);
    add_ldif_line(ldif, "mail", student.mail.empty() ? student.uid + "@univ-test.fr" : student.mail);
    if (!student.etu_id.empty()) {
        add_ldif_line(ldif, "supannEtuId", student.etu_id);
    }
    for (const auto& etape : student.etapes) {
        add_ldif_line(ldif, "supannEtuEtape", etape);
    }
    for (const auto& inscription : student.inscriptions) {
        add_ldif_line(ldif, "supannEtuInscription", inscription);
    }
    for (const auto& affiliation : student.affiliations) {
        add_ldif_line(ldif, "eduPersonAffiliation", affiliation);
    }
    if (!student.affiliations.empty()) {
        add_ldif_line(ldif, "eduPersonPrimaryAffiliation", student.affiliations.front());
    }
    for (const auto& [attribute, value] : student.extra) {
        add_ldif_line(ldif, attribute, value);
    }
    return ldif + "\n";
}

std::string make_student_ldif(const std::string& uid, const std::string& etu_id,
                              const std::vector<std::string>& etapes) {
    StudentEntry student;
    student.uid = uid;
    student.etu_id = etu_id;
    student.etapes = etapes;
    return make_student_ldif(student);
}

// ---------------------------------------------------------------------------------------------
// GoogleTest

void ServersEnvironment::SetUp() {
    try {
        ThrowawayServers::instance().start(m_request);
    } catch (const std::exception& error) {
        // A fatal failure here skips every test and fails the run: a missing server is a
        // failure, never a silent skip.
        FAIL() << error.what();
    }
}

void ServersEnvironment::TearDown() {
    ThrowawayServers::instance().stop(::testing::UnitTest::GetInstance()->Failed());
}

int run_integration_tests(int argc, char** argv, const ServersRequest& request) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new ServersEnvironment(request));
    install_signal_handlers();
    return RUN_ALL_TESTS();
}

int run_integration_tests(int argc, char** argv, bool postgres, bool slapd, int ldap_size_limit) {
    return run_integration_tests(
        argc, argv, ServersRequest{.postgres = postgres, .slapd = slapd, .ldap_size_limit = ldap_size_limit});
}

} // namespace cohort_sync::testing
