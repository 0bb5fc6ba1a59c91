// The state behind a MoodleSession, shared by the files that implement its methods
// (moodle_db.cpp: load, apply, record, commit; moodle_impact.cpp: the course-impact preview).
#pragma once

#include "cohort_sync/io/moodle_db.hpp"
#include "moodle_sql.hpp"
#include "pg_connection.hpp"

#include <fmt/format.h>
#include <memory>
#include <stdexcept>

namespace cohort_sync {

// ---- Session --------------------------------------------------------------------------------

struct MoodleSession::Impl {
    using Parameters = pgio::Parameters;
    using CopyIn = pgio::CopyIn;

    enum class State { open, committed, failed, in_doubt };

    MoodleConfig config;
    std::shared_ptr<const sql::Statements> statements;
    pg::ConnectionPtr connection;
    pg::CancelPtr cancel;
    State state = State::open;
    bool applied = false;
    std::int64_t mnet_localhost_id = 1; // read by load(); new accounts belong to this host
    // load() found cohort-sync's record of its cohorts complete: a row for every managed cohort
    // with an idnumber, none for a cohort gone. apply() then reconciles it only if it creates one.
    bool record_complete = false;

    Impl(const MoodleConfig& config_, std::shared_ptr<const sql::Statements> statements_)
        : config(config_)
        , statements(std::move(statements_)) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    ~Impl() {
        if (cancel) {
            pgio::unpublish_cancel(cancel.get());
        }
        // Closing the connection would roll back too; an explicit ROLLBACK ends the transaction
        // before the server notices the disconnection, and says so in its log.
        if (connection && PQstatus(connection.get()) == CONNECTION_OK &&
            PQtransactionStatus(connection.get()) != PQTRANS_IDLE) {
            PQclear(PQexec(connection.get(), (*statements)[sql::Id::rollback].text.c_str()));
        }
    }

    pg::Result run(sql::Id id, const Parameters& parameters, ExecStatusType expected,
                   std::string_view attempt) {
        require_open(attempt);
        try {
            return pgio::execute(connection.get(), (*statements)[id], parameters, expected, attempt, config);
        } catch (...) {
            state = State::failed;
            throw;
        }
    }

    void copy(sql::Id id, std::string_view attempt, const auto& produce) {
        require_open(attempt);
        try {
            CopyIn copy_in(connection.get(), (*statements)[id], attempt, config);
            produce(copy_in);
            copy_in.finish();
        } catch (...) {
            state = State::failed;
            throw;
        }
    }

    void copy_out(sql::Id id, std::string_view attempt, const auto& consume) {
        require_open(attempt);
        try {
            pgio::copy_out(connection.get(), (*statements)[id], attempt, config, consume);
        } catch (...) {
            state = State::failed;
            throw;
        }
    }

    void require_open(std::string_view attempt) const {
        if (state != State::open) {
            throw std::logic_error(
                fmt::format("cannot {}: the session's transaction has already failed or ended", attempt));
        }
    }

    const sql::Statement& statement(sql::Id id) const { return (*statements)[id]; }
};

} // namespace cohort_sync
