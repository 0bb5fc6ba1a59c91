// Operational failures. Every one ends in exactly one exit code (exit_code.hpp), chosen in
// one place (src/app/main.cpp). Adapters translate libldap and libpq errors at their
// boundary into these types; nothing above src/io sees a C library's codes.
#pragma once

#include <stdexcept>
#include <string>

namespace cohort_sync {

// `what()` says what was attempted, the value quoted and the cause; `hint()` says what to do
// about it when that is known ("HINT: ..." in the log).
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, std::string hint = {})
        : std::runtime_error(message)
        , m_hint(std::move(hint)) {}
    const std::string& hint() const noexcept { return m_hint; }

private:
    std::string m_hint;
};

// The configuration file or the command line is wrong. Nothing was read or written.
class ConfigError : public Error {
    using Error::Error;
};

// A source (LDAP, export) could not be read whole. Never to be read as "these students left".
class SourceError : public Error {
    using Error::Error;
};

// Moodle's database refused or failed; the transaction was rolled back.
class TargetError : public Error {
public:
    TargetError(const std::string& message, std::string sqlstate = {}, std::string statement = {},
                std::string hint = {})
        : Error(message, std::move(hint))
        , m_sqlstate(std::move(sqlstate))
        , m_statement(std::move(statement)) {}
    const std::string& sqlstate() const noexcept { return m_sqlstate; }
    const std::string& statement() const noexcept { return m_statement; }

private:
    std::string m_sqlstate;
    std::string m_statement;
};

// Another cohort-sync run holds the advisory lock on this Moodle database.
class LockBusy : public Error {
    using Error::Error;
};

// The connection was lost while COMMIT was in flight: the changes may or may not be in
// Moodle. libpqxx's in_doubt_error is the model. The next run converges either way.
class CommitInDoubt : public Error {
    using Error::Error;
};

// A safety guard refused the plan; nothing was written.
class GuardRefused : public Error {
    using Error::Error;
};

// SIGTERM or SIGINT arrived; the transaction was rolled back.
class Interrupted : public Error {
    using Error::Error;
};

} // namespace cohort_sync
