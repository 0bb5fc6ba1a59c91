#include "pg_connection.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/io/moodle_db.hpp"
#include "cohort_sync/redact.hpp"

#include <atomic>
#include <fmt/format.h>
#include <stdexcept>
#include <thread>

namespace cohort_sync::pgio {

// ---- Cancellation ---------------------------------------------------------------------------
//
// request_cancel() may run in a signal handler or in another thread while the session that owns
// the PGcancel is being destroyed. The session unpublishes the pointer, then waits until no
// request_cancel() is still using it before freeing it. A handler interrupting the destructor on
// the same thread finishes before the destructor resumes, so the wait cannot deadlock.

namespace {
std::atomic<PGcancel*> g_cancel{nullptr};
std::atomic<int> g_cancel_users{0};
std::atomic<bool> g_cancel_requested{false};
} // namespace

static_assert(std::atomic<PGcancel*>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);

// The first open session is the one request_cancel() reaches; there is one per run.
bool publish_cancel(PGcancel* cancel) {
    PGcancel* expected = nullptr;
    return g_cancel.compare_exchange_strong(expected, cancel);
}

void unpublish_cancel(PGcancel* cancel) {
    PGcancel* expected = cancel;
    if (g_cancel.compare_exchange_strong(expected, nullptr)) {
        while (g_cancel_users.load() != 0) {
            std::this_thread::yield();
        }
    }
}

[[noreturn]] void throw_interrupted(std::string_view attempt) {
    throw Interrupted(fmt::format("interrupted while trying to {}: nothing was committed", attempt));
}

// ---- Errors ---------------------------------------------------------------------------------

namespace {
std::string trimmed(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

} // namespace

// libpq's messages span lines ("...\n\tIs the server running..."): one line keeps each log
// line and each `check` line whole.
std::string connection_message(PGconn* connection) {
    std::string message = connection ? trimmed(PQerrorMessage(connection)) : "out of memory";
    std::string flat;
    for (const char c : message) {
        if (c == '\n' || c == '\t') {
            if (!flat.empty() && flat.back() != ' ') {
                flat += ' ';
            }
        } else {
            flat += c;
        }
    }
    return flat;
}

namespace {
std::string hint_for(std::string_view sqlstate, const MoodleConfig& config) {
    if (sqlstate == "57014") {
        return fmt::format("the statement ran past moodle.statement_timeout_seconds ({}s): raise it, or find "
                           "what slows the database down",
                           config.statement_timeout_seconds);
    }
    if (sqlstate == "55P03") {
        return fmt::format("another session held a lock for more than moodle.lock_timeout_seconds ({}s); "
                           "look for it in pg_locks and pg_stat_activity, or run again later",
                           config.lock_timeout_seconds);
    }
    if (sqlstate == "42501") {
        return "grant the database user the privileges listed in docs/operations.md";
    }
    if (sqlstate == "42P01" || sqlstate == "3F000") {
        return fmt::format("check moodle.prefix ('{}') and moodle.schema ('{}'): is this Moodle's database?",
                           config.prefix, config.schema);
    }
    if (sqlstate == "40001" || sqlstate == "40P01") {
        return "a concurrent transaction conflicted with this one; the next run will try again";
    }
    if (sqlstate.empty() || sqlstate.starts_with("08") || sqlstate == "57P01") {
        return "the connection to the database was lost; nothing was committed";
    }
    return {};
}

} // namespace

// The failure of `statement`, as the exception the rest of the program understands.
[[noreturn]] void throw_statement_error(PGconn* connection, const sql::Statement& statement,
                                        const pg::Result& result, std::string_view attempt,
                                        const MoodleConfig& config) {
    const std::string sqlstate = result.field(PG_DIAG_SQLSTATE);
    // A query canceled by request_cancel() and one canceled by statement_timeout share 57014.
    if (sqlstate == "57014" && g_cancel_requested.load()) {
        throw_interrupted(attempt);
    }
    std::string cause = result.field(PG_DIAG_MESSAGE_PRIMARY);
    if (cause.empty()) {
        cause = connection_message(connection);
    }
    const std::string detail = result.field(PG_DIAG_MESSAGE_DETAIL);
    if (!detail.empty()) {
        cause += " (" + detail + ")";
    }
    const std::string code = sqlstate.empty() ? "" : fmt::format(" [SQLSTATE {}]", sqlstate);
    throw TargetError(
        fmt::format("unable to {} (statement '{}'): {}{}", attempt, statement.name, cause, code), sqlstate,
        std::string(statement.name), hint_for(sqlstate, config));
}

// Runs `statement` and returns its result when its status is `expected`; throws otherwise.
// Statements without parameters go through PQexec, which also accepts several commands at once.
pg::Result execute(PGconn* connection, const sql::Statement& statement, const Parameters& parameters,
                   ExecStatusType expected, std::string_view attempt, const MoodleConfig& config) {
    if (static_cast<int>(parameters.size()) != statement.parameters) {
        throw std::logic_error(fmt::format("statement '{}' takes {} parameters, given {}", statement.name,
                                           statement.parameters, parameters.size()));
    }
    if (g_cancel_requested.load()) {
        throw_interrupted(attempt);
    }
    pg::Result result;
    if (parameters.empty()) {
        result = pg::Result(PQexec(connection, statement.text.c_str()));
    } else {
        std::vector<const char*> values;
        values.reserve(parameters.size());
        for (const auto& parameter : parameters) {
            values.push_back(parameter ? parameter->c_str() : nullptr);
        }
        result = pg::Result(PQexecParams(connection, statement.text.c_str(), static_cast<int>(values.size()),
                                         nullptr, values.data(), nullptr, nullptr, 0));
    }
    if (result.status() != expected) {
        throw_statement_error(connection, statement, result, attempt, config);
    }
    return result;
}

// ---- Connection -----------------------------------------------------------------------------

namespace {
bool looks_like_conninfo(std::string_view conninfo) {
    return conninfo.find('=') != std::string_view::npos || conninfo.starts_with("postgresql://") ||
           conninfo.starts_with("postgres://");
}

// The user's own `options` (from the conninfo) come first so that ours, for the timeouts the
// configuration sets, win. Options set in a service file are not seen here: with a service, put
// server settings in the service file's options only for parameters cohort-sync does not set.
std::string server_options(const ConnectionSettings& settings) {
    const std::string conninfo(settings.conninfo);
    std::string options;
    if (looks_like_conninfo(conninfo)) {
        char* error = nullptr;
        const pg::ConninfoOptionsPtr parsed(PQconninfoParse(conninfo.c_str(), &error));
        if (!parsed) {
            // libpq's parse messages quote pieces of the string, which may be a password.
            PQfreemem(error);
            throw TargetError(
                fmt::format("unable to read {} '{}': libpq cannot parse it", settings.setting,
                            redact_conninfo(conninfo)),
                {}, "connect",
                "write it as key=value pairs or as a postgresql:// URI "
                "(https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING)");
        }
        for (const PQconninfoOption* option = parsed.get(); option->keyword != nullptr; ++option) {
            if (std::string_view(option->keyword) == "options" && option->val != nullptr) {
                options = option->val;
            }
        }
    }
    if (!options.empty()) {
        options += ' ';
    }
    options += fmt::format("-c statement_timeout={}s", settings.statement_timeout_seconds);
    if (settings.lock_timeout_seconds > 0) {
        options += fmt::format(" -c lock_timeout={}s", settings.lock_timeout_seconds);
    }
    return options;
}

} // namespace

pg::ConnectionPtr connect(const ConnectionSettings& settings) {
    const std::string conninfo(settings.conninfo);
    const std::string options = server_options(settings);
    // expand_dbname: the conninfo may be key=value pairs, a URI, a service name or several hosts,
    // exactly as psql takes it. fallback_application_name leaves a user's application_name alone.
    const char* keywords[] = {"dbname", "fallback_application_name", "client_encoding", "options", nullptr};
    const char* values[] = {conninfo.c_str(), "cohort-sync", "UTF8", options.c_str(), nullptr};
    pg::ConnectionPtr connection(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
    if (!connection || PQstatus(connection.get()) != CONNECTION_OK) {
        throw TargetError(
            fmt::format("unable to connect to {} '{}': {}", settings.database, redact_conninfo(conninfo),
                        connection_message(connection.get())),
            {}, "connect",
            fmt::format("check {}, that the server accepts this host and user (pg_hba.conf), and "
                        "the password in ~/.pgpass (PGPASSFILE) or the service file",
                        settings.setting));
    }
    // libpq prints server NOTICEs on stderr by default, which would break the log's format; none
    // of the statements here raises one that matters.
    PQsetNoticeProcessor(
        connection.get(), [](void*, const char*) {}, nullptr);
    return connection;
}

pg::ConnectionPtr connect(const MoodleConfig& config) {
    return connect(ConnectionSettings{config.conninfo, "moodle.conninfo", "Moodle's database",
                                      config.statement_timeout_seconds, config.lock_timeout_seconds});
}

// ---- Reading results ------------------------------------------------------------------------

[[noreturn]] void throw_bad_value(const sql::Statement& statement, std::string_view column,
                                  std::string_view value) {
    throw TargetError(fmt::format("unable to read Moodle's state (statement '{}'): column {} holds '{}', "
                                  "which is not an integer",
                                  statement.name, column, value),
                      {}, std::string(statement.name));
}

std::optional<std::int64_t> parse_id(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    std::int64_t id = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return id;
}

bool cancel_requested() noexcept {
    return g_cancel_requested.load();
}

} // namespace cohort_sync::pgio

namespace cohort_sync {

void request_cancel() noexcept {
    pgio::g_cancel_requested.store(true);
    pgio::g_cancel_users.fetch_add(1);
    if (PGcancel* cancel = pgio::g_cancel.load()) {
        char error[256];
        PQcancel(cancel, error, sizeof error);
    }
    pgio::g_cancel_users.fetch_sub(1);
}

void clear_cancel_request() noexcept {
    pgio::g_cancel_requested.store(false);
}

} // namespace cohort_sync
