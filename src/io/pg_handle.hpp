// RAII owners for libpq's handles and a small view of a query result. Private to src/io: nothing
// above the adapters sees libpq.
#pragma once

#include <charconv>
#include <cstdint>
#include <libpq-fe.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cohort_sync::pg {

struct ConnectionDeleter {
    void operator()(PGconn* connection) const noexcept { PQfinish(connection); }
};
using ConnectionPtr = std::unique_ptr<PGconn, ConnectionDeleter>;

struct ResultDeleter {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
};

struct CancelDeleter {
    void operator()(PGcancel* cancel) const noexcept { PQfreeCancel(cancel); }
};
using CancelPtr = std::unique_ptr<PGcancel, CancelDeleter>;

struct ConninfoOptionsDeleter {
    void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using ConninfoOptionsPtr = std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter>;

// A row of COPY ... TO STDOUT, as PQgetCopyData allocates it.
struct CopyBufferDeleter {
    void operator()(char* buffer) const noexcept { PQfreemem(buffer); }
};
using CopyBuffer = std::unique_ptr<char, CopyBufferDeleter>;

// One PGresult, owned. Values are read as text (the default result format): numbers go
// through std::from_chars, which is as fast as a binary decode for ids and far simpler.
class Result {
public:
    Result() = default;
    explicit Result(PGresult* result)
        : m_result(result) {}

    explicit operator bool() const noexcept { return m_result != nullptr; }
    PGresult* get() const noexcept { return m_result.get(); }

    ExecStatusType status() const noexcept {
        return m_result ? PQresultStatus(m_result.get()) : PGRES_FATAL_ERROR;
    }
    int rows() const noexcept { return m_result ? PQntuples(m_result.get()) : 0; }
    bool is_null(int row, int column) const noexcept { return PQgetisnull(m_result.get(), row, column) != 0; }

    // The position of the result column `name` (PQfnumber), looked up once per result so that a
    // reader names the columns it reads instead of counting them. A missing column is a bug in the
    // statement next to its reader: std::logic_error.
    int column(const char* name) const {
        const int index = m_result ? PQfnumber(m_result.get(), name) : -1;
        if (index < 0) {
            throw std::logic_error(std::string("the statement's result has no column '") + name + "'");
        }
        return index;
    }

    // Empty for NULL, as Moodle's NOT NULL DEFAULT '' columns make the two equivalent here.
    std::string_view text(int row, int column) const noexcept {
        return {PQgetvalue(m_result.get(), row, column),
                static_cast<std::size_t>(PQgetlength(m_result.get(), row, column))};
    }

    // The column as an integer; `ok` turns false (and stays false) on anything else.
    template <typename Int> Int number(int row, int column, bool& ok) const noexcept {
        const auto value = text(row, column);
        Int parsed{};
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
        if (error != std::errc{} || end != value.data() + value.size() || value.empty()) {
            ok = false;
        }
        return parsed;
    }

    // The number of rows a command touched (PQcmdTuples), 0 when it reports none.
    long long affected_rows() const noexcept {
        const std::string_view tuples = m_result ? PQcmdTuples(m_result.get()) : "";
        long long count = 0;
        std::from_chars(tuples.data(), tuples.data() + tuples.size(), count);
        return count;
    }

    std::string_view command_status() const noexcept { return m_result ? PQcmdStatus(m_result.get()) : ""; }

    // A diagnostic field (PG_DIAG_SQLSTATE, PG_DIAG_MESSAGE_PRIMARY...), empty when absent.
    std::string field(int code) const {
        const char* value = m_result ? PQresultErrorField(m_result.get(), code) : nullptr;
        return value ? value : "";
    }

private:
    std::unique_ptr<PGresult, ResultDeleter> m_result;
};

} // namespace cohort_sync::pg
