// The target: Moodle's PostgreSQL database, through libpq. One session is one transaction that
// holds cohort-sync's advisory lock; reads are one query per table and writes are set-based
// (arrays and COPY), never a round trip per member. Every libpq failure leaves this adapter as
// one of the exceptions of error.hpp.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"

#include <memory>
#include <string>

namespace cohort_sync {

namespace sql {
class Statements;
}

class MoodleSession final : public TargetSession {
public:
    MoodleSession(const MoodleSession&) = delete;
    MoodleSession& operator=(const MoodleSession&) = delete;
    // Rolls back unless committed (ROLLBACK, then closes the connection). Never throws.
    ~MoodleSession() override;

    Current load() override;
    CourseImpact course_impact(const Plan& plan) override;
    // Once per session. Throws TargetError (SQLSTATE, statement name, server message) and leaves
    // the transaction for the destructor to roll back; Interrupted after request_cancel().
    ApplyStats apply(const Plan& plan, long long now) override;
    // Also valid in a session that applied nothing: a refused run records itself in its own
    // short transaction (begin, record, commit).
    void record(const RunRecord& record) override;
    // CommitInDoubt when the connection died with COMMIT in flight; TargetError when the server
    // refused it (the transaction was rolled back).
    void commit() override;

    // The server process serving this session (pg_stat_activity.pid).
    int backend_pid() const;

private:
    friend class MoodleDatabase;
    struct Impl;
    explicit MoodleSession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

class MoodleDatabase final : public Target {
public:
    explicit MoodleDatabase(const MoodleConfig& config);
    ~MoodleDatabase() override;

    // Connects (application_name cohort-sync unless the conninfo names one; statement_timeout and
    // lock_timeout from the configuration), opens a READ COMMITTED transaction, takes the
    // advisory lock (LockBusy when another run holds it) and creates the state schema and
    // tables when they are missing. TargetError when the connection fails; the message carries
    // libpq's reason and only the redacted conninfo.
    std::unique_ptr<TargetSession> begin() override;
    // The same, typed, for callers that want backend_pid().
    std::unique_ptr<MoodleSession> open();

private:
    MoodleConfig m_config;
    std::shared_ptr<const sql::Statements> m_statements;
};

// Cancels the statement in flight in the open session (PQcancel) and makes every later statement
// of any session in this process fail with Interrupted, so a run stops at its next step. Only
// async-signal-safe calls: meant for the SIGTERM/SIGINT handler, and callable from another thread.
void request_cancel() noexcept;

// Forgets an earlier request_cancel(). For tests, which run many sessions in one process.
void clear_cancel_request() noexcept;

// Connects, checks that Moodle's tables are where the configuration says, and returns a short
// description for `cohort-sync check`: server version, database, user, number of cohorts.
// Throws TargetError like begin().
std::string check_connection(const MoodleConfig& config);

} // namespace cohort_sync
