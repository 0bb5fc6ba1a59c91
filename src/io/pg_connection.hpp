// The plumbing under every statement cohort-sync sends to Moodle's database: connecting,
// running a named statement, turning a failure into the program's exceptions, COPY, and the
// cancellation that SIGTERM/SIGINT trigger. Private to src/io.
#pragma once

#include "cohort_sync/config.hpp"
#include "moodle_sql.hpp"
#include "pg_handle.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync::pgio {

using Parameters = std::vector<std::optional<std::string>>;

// ---- Cancellation: see request_cancel() in moodle_db.hpp.
bool publish_cancel(PGcancel* cancel);
void unpublish_cancel(PGcancel* cancel);
bool cancel_requested() noexcept;
[[noreturn]] void throw_interrupted(std::string_view attempt);

// ---- Errors
std::string connection_message(PGconn* connection);
[[noreturn]] void throw_statement_error(PGconn* connection, const sql::Statement& statement,
                                        const pg::Result& result, std::string_view attempt,
                                        const MoodleConfig& config);
[[noreturn]] void throw_bad_value(const sql::Statement& statement, std::string_view column,
                                  std::string_view value);

// Runs `statement` and returns its result when its status is `expected`; throws otherwise.
// Statements without parameters go through PQexec, which also accepts several commands at once.
pg::Result execute(PGconn* connection, const sql::Statement& statement, const Parameters& parameters,
                   ExecStatusType expected, std::string_view attempt, const MoodleConfig& config);

// ---- Connection: application_name, client encoding and the configured timeouts set.

// What to connect to, and how messages name it: Moodle's database, the Pégase DRE.
struct ConnectionSettings {
    std::string_view conninfo;
    std::string_view setting;  // "moodle.conninfo": the key an admin corrects
    std::string_view database; // "Moodle's database"
    int statement_timeout_seconds = 0;
    int lock_timeout_seconds = 0; // 0: the server's default
};

// Throws TargetError (statement "connect") naming `settings.database` and `settings.setting`;
// a source's adapter turns it into a SourceError.
pg::ConnectionPtr connect(const ConnectionSettings& settings);
pg::ConnectionPtr connect(const MoodleConfig& config);

// ---- Reading results
template <typename Int>
Int number_at(const pg::Result& result, int row, int column, const sql::Statement& statement,
              std::string_view column_name) {
    bool ok = true;
    const Int value = result.number<Int>(row, column, ok);
    if (!ok) {
        throw_bad_value(statement, column_name, result.text(row, column));
    }
    return value;
}

std::optional<std::int64_t> parse_id(std::string_view text);

// ---- COPY

// Rows of integers in COPY's text format, sent in large chunks rather than one call per row.
class CopyIn {
public:
    CopyIn(PGconn* connection, const sql::Statement& statement, std::string_view attempt,
           const MoodleConfig& config)
        : m_connection(connection)
        , m_statement(statement)
        , m_attempt(attempt)
        , m_config(config) {
        execute(m_connection, m_statement, {}, PGRES_COPY_IN, m_attempt, m_config);
        m_open = true;
        m_buffer.reserve(k_chunk + 128);
    }
    CopyIn(const CopyIn&) = delete;
    CopyIn& operator=(const CopyIn&) = delete;

    // Leaves the connection usable (for ROLLBACK) when a row could not be produced.
    ~CopyIn() {
        if (m_open) {
            PQputCopyEnd(m_connection, "cohort-sync stopped sending rows");
            drain();
        }
    }

    template <typename... Ints> void row(Ints... values) {
        bool first = true;
        ((append(values, first)), ...);
        m_buffer += '\n';
        if (m_buffer.size() >= k_chunk) {
            flush();
        }
    }

    void finish() {
        flush();
        m_open = false;
        const bool ended = !m_failed && PQputCopyEnd(m_connection, nullptr) == 1;
        if (m_failed || !ended) {
            PQputCopyEnd(m_connection, "cohort-sync could not send the rows");
        }
        pg::Result result(PQgetResult(m_connection));
        drain();
        if (result.status() != PGRES_COMMAND_OK || m_failed || !ended) {
            throw_statement_error(m_connection, m_statement, result, m_attempt, m_config);
        }
    }

private:
    static constexpr std::size_t k_chunk = 1 << 20;

    template <typename Int> void append(Int value, bool& first) {
        if (!first) {
            m_buffer += '\t';
        }
        first = false;
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        m_buffer.append(digits, end);
    }

    void flush() {
        if (!m_buffer.empty() && !m_failed) {
            // Blocking mode: 1 when queued, -1 when the connection failed.
            m_failed = PQputCopyData(m_connection, m_buffer.data(), static_cast<int>(m_buffer.size())) != 1;
        }
        m_buffer.clear();
    }

    void drain() {
        while (PGresult* extra = PQgetResult(m_connection)) {
            PQclear(extra);
        }
    }

    PGconn* m_connection;
    const sql::Statement& m_statement;
    std::string_view m_attempt;
    const MoodleConfig& m_config;
    std::string m_buffer;
    bool m_open = false;
    bool m_failed = false;
};

// The lines of a COPY ... TO STDOUT in text format, each handed to `line` without its newline as
// it arrives: two million rows stream through instead of filling a result first. When `line`
// throws, the rest is read and dropped, so that the connection can still roll back.
template <typename Consume>
void copy_out(PGconn* connection, const sql::Statement& statement, std::string_view attempt,
              const MoodleConfig& config, Consume&& line) {
    execute(connection, statement, {}, PGRES_COPY_OUT, attempt, config);
    const auto next = [connection](std::string_view& text) {
        char* buffer = nullptr;
        const int length = PQgetCopyData(connection, &buffer, 0);
        if (length < 0) {
            return pg::CopyBuffer(nullptr); // -1: done; -2: failed, which the result says
        }
        text = std::string_view(buffer, static_cast<std::size_t>(length));
        if (text.ends_with('\n')) {
            text.remove_suffix(1);
        }
        return pg::CopyBuffer(buffer);
    };
    try {
        std::string_view text;
        for (auto buffer = next(text); buffer; buffer = next(text)) {
            line(text);
        }
    } catch (...) {
        std::string_view ignored;
        while (next(ignored)) {
        }
        while (PGresult* rest = PQgetResult(connection)) {
            PQclear(rest);
        }
        throw;
    }
    pg::Result result(PQgetResult(connection));
    while (PGresult* rest = PQgetResult(connection)) {
        PQclear(rest);
    }
    if (result.status() != PGRES_COMMAND_OK) {
        throw_statement_error(connection, statement, result, attempt, config);
    }
}

} // namespace cohort_sync::pgio
