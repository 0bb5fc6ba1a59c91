// The Pégase DRE's adapter: reads the administrative inscriptions from the DRE (the PostgreSQL
// database a Pégase university gets, rebuilt every night) with one query, in one read-only
// REPEATABLE READ transaction, so that the rows are one snapshot. It reports the rows, the DRE's
// version and dump date and any schema or table found missing; whether that is good enough to use
// is the pegase source kind's decision (src/core/sources/pegase_source.cpp).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

// The columns a query must name; other columns are ignored.
inline constexpr std::string_view k_pegase_columns[] = {"year", "student_number", "formation_code", "label",
                                                        "status"};

// The query cohort-sync ships for the DRE as PC-Scol's public code shows it (pegase.query_file
// left empty). docs/configuration.md quotes it.
std::string_view default_dre_query();

// What `cohort-sync check` learns from the DRE without reading a row.
struct PegaseCheck {
    std::string server;    // the redacted conninfo
    std::string role;      // current_user
    std::string version;   // public.version
    std::string dump_date; // YYYYMMDD
    std::string query;     // the query file, or "the default query"
};

class PegaseDre : public Source {
public:
    explicit PegaseDre(const PegaseConfig& config);

    // The query's rows (any year, any status: selection is the kind's job), with the DRE's
    // facts. A schema or table missing comes back as an issue (IssueKind::missing). Throws
    // ConfigError when the query file cannot be read or lacks a column (naming it and the file),
    // SourceError when the DRE cannot be read whole (no connection, a lost connection, a
    // privilege missing, a timeout), Interrupted on SIGTERM/SIGINT.
    SourceRead read() override;

    // Connects, runs the query with LIMIT 0 in the same kind of transaction and checks its
    // columns and that the role may read them and public.version. Throws as read() does.
    PegaseCheck check();

private:
    PegaseConfig m_config;
};

} // namespace cohort_sync
