// Every SQL statement cohort-sync sends to Moodle's database, in one place, as named
// statements with $n parameters (ISC Kea's tagged statements). The names appear in
// TargetError and in the logs, so a failure says which statement failed.
//
// The texts are built once per configuration: the table prefix, Moodle's schema and the state
// schema are spliced in as quoted identifiers (parse_config has already checked that they are
// plain identifiers; quoting them anyway keeps a mixed-case or reserved name working). Values
// always travel as parameters, never in the text.
#pragma once

#include "cohort_sync/config.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync::sql {

enum class Id {
    begin,
    durable_commit,   // synchronous_commit on for this transaction, whatever the server's default
    lock_and_inspect, // the advisory lock, and whether the state schema and tables exist
    create_state_schema,
    create_state_tables,
    load_config,
    load_users,
    load_cohorts,
    set_component, // for load_members, which as a COPY cannot take it as a parameter
    load_members,
    load_pending,
    load_recorded,
    load_last_success,
    create_accounts,
    create_user_contexts,
    set_user_context_paths,
    create_cohorts,
    rename_cohorts,
    restore_idnumbers,
    copy_new_members,
    create_adds_table,
    copy_adds,
    insert_members,
    create_removes_table,
    copy_removes,
    delete_members,
    clear_pending,
    copy_pending,
    forget_gone_cohorts,
    record_cohorts,
    insert_run,
    commit,
    rollback,
    check,
    auth_plugins,
    privileges, // `check`: has_*_privilege() for each privilege a run needs
    // Read-only insight: the course-impact preview, `status`, `explain`.
    impact_settings,
    create_impact_tables,
    copy_impact_adds,
    copy_impact_removes,
    impact_adds,
    impact_removes,
    impact_graded_students,
    impact_groups,
    recent_runs,
    propagation,
    explain_users,
    explain_memberships,
    explain_courses,
    explain_cohorts,
    count_ // not a statement: the number of them
};

struct Statement {
    std::string_view name;
    int parameters = 0;
    std::string text;
};

class Statements {
public:
    explicit Statements(const MoodleConfig& config);
    const Statement& operator[](Id id) const { return m_statements[static_cast<std::size_t>(id)]; }

private:
    std::array<Statement, static_cast<std::size_t>(Id::count_)> m_statements;
};

// "name" with embedded double quotes doubled, as PostgreSQL reads a quoted identifier.
std::string quote_identifier(std::string_view name);

// A PostgreSQL array literal of text elements, every element double-quoted with backslash and
// double quote escaped: {"a","b\"c"}. Passed as a text parameter and cast with $n::text[].
// A string holding a NUL byte cannot travel as a text parameter: throws std::invalid_argument.
std::string text_array_literal(const std::vector<std::string_view>& values);
std::string int_array_literal(const std::vector<std::int64_t>& values);

// The two int4 keys of pg_try_advisory_xact_lock(int4, int4): a fixed class id that belongs to
// cohort-sync, and a hash of Moodle's schema and prefix, so that two Moodle sites sharing one
// database (different prefixes) do not block each other.
struct LockKeys {
    std::int32_t class_id = 0;
    std::int32_t object_id = 0;
};
LockKeys lock_keys(const MoodleConfig& config);

} // namespace cohort_sync::sql
