#include "pegase_source.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/redact.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

constexpr const char* k_rebuild_hint =
    "the DRE is rebuilt from zero every night: run cohort-sync after the rebuild ends (check the time of "
    "the import in dremgr), or let it wait with pegase.retry_tries and pegase.retry_interval_seconds";

std::optional<std::chrono::year_month_day> parse_dump_date(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.size() != 8 || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{value / 10000},
                                           std::chrono::month{static_cast<unsigned>(value / 100 % 100)},
                                           std::chrono::day{static_cast<unsigned>(value % 100)}};
    return date.ok() ? std::optional(date) : std::nullopt;
}

// Days from the dump's date to the run's local date: 0 for a dump of today.
long long dump_age_days(std::chrono::year_month_day dump, const RunClock& clock) {
    const std::chrono::year_month_day today{std::chrono::year{clock.local_date.year},
                                            std::chrono::month{static_cast<unsigned>(clock.local_date.month)},
                                            std::chrono::day{static_cast<unsigned>(clock.local_date.day)}};
    return (std::chrono::sys_days{today} - std::chrono::sys_days{dump}).count();
}

void check_dump(const std::string& server, const DatabaseFacts& database, const PegaseConfig& config,
                const RunClock& clock, Issues& issues) {
    const auto dump = parse_dump_date(database.dump_date);
    if (!dump) {
        throw SourceError(
            fmt::format("the Pégase DRE '{}' has no usable dump date in public.version (found '{}')", server,
                        database.dump_date),
            std::string("public.version is written at the end of the DRE's rebuild: ") + k_rebuild_hint);
    }
    const auto age = dump_age_days(*dump, clock);
    if (age > config.max_age_days) {
        throw SourceError(
            fmt::format("the Pégase DRE '{}' (version {}) holds the dump of {}, {} days old, more than "
                        "pegase.max_age_days = {}",
                        server, database.version, database.dump_date, age, config.max_age_days),
            "the DRE was not rebuilt since: check dremgr's nightly import (its logs, the dump's download "
            "from PC-Scol); raise pegase.max_age_days only if the DRE is really rebuilt less often");
    }
    if (age < 0) {
        issues.push_back({Severity::warning, server,
                          fmt::format("the Pégase DRE's dump date {} is after this host's date, so "
                                      "pegase.max_age_days cannot tell whether it is stale; HINT: check the "
                                      "clocks of this host and of the DRE's server (NTP)",
                                      database.dump_date),
                          IssueKind::clock});
    }
}

} // namespace

bool PegaseSourceKind::needed(const Config& config) const {
    return rule_reads(config.membership.rule, family()) && !config.pegase.conninfo.empty();
}

std::string PegaseSourceKind::origin(const Config& config) const {
    return redact_conninfo(config.pegase.conninfo);
}

SourceRead PegaseSourceKind::accept(SourceRead read, const Config& config, const RunClock& clock) const {
    auto& dre = std::get<ExportRead>(read.records);
    const std::string server = read.database ? read.database->server : origin(config);
    if (const auto missing = std::ranges::find(dre.issues, IssueKind::missing, &Issue::kind);
        missing != dre.issues.end()) {
        throw SourceError(
            fmt::format("the Pégase DRE '{}' is incomplete: {}", server, missing->message),
            std::string("a schema or table missing is a DRE being rebuilt, or a query that does "
                        "not fit this DRE version (pegase.query_file): ") +
                k_rebuild_hint);
    }
    if (!read.database) {
        throw SourceError(fmt::format("the Pégase DRE '{}' was read without its version", server));
    }
    check_dump(server, *read.database, config.pegase, clock, dre.issues);
    if (dre.data_lines == 0) {
        throw SourceError(fmt::format("the Pégase DRE '{}' (version {}, dump of {}) gave no inscription",
                                      server, read.database->version, read.database->dump_date),
                          std::string("an empty DRE is one being rebuilt, never a university without "
                                      "students: ") +
                              k_rebuild_hint);
    }
    // Up to pegase.max_bad_rows, a row the query gave with a NULL key is left out and holds back
    // the removals it could concern (holds_of), as a bad export row does; past it, the DRE itself
    // is in doubt.
    if (const auto bad = std::ranges::count(dre.issues, IssueKind::bad_row, &Issue::kind);
        bad > config.pegase.max_bad_rows) {
        const auto first = std::ranges::find(dre.issues, IssueKind::bad_row, &Issue::kind);
        throw SourceError(
            fmt::format("the Pégase DRE '{}' gave {} row(s) cohort-sync cannot use, more than "
                        "pegase.max_bad_rows = {}: {}: {}",
                        server, bad, config.pegase.max_bad_rows, first->locator, first->message),
            "students in such rows would leave their cohorts: fix the query (pegase.query_file) so that "
            "year, student_number and formation_code are never NULL");
    }
    if (dre.data_lines < config.pegase.min_rows) {
        throw SourceError(fmt::format("the Pégase DRE '{}' gave {} row(s), fewer than pegase.min_rows = {}",
                                      server, dre.data_lines, config.pegase.min_rows),
                          std::string("a table half loaded is a DRE being rebuilt: ") + k_rebuild_hint);
    }

    const auto years = active_years(clock.local_date, config.apogee.rollover, config.apogee.overlap_until);
    for (const auto& row : dre.rows) {
        switch (inscription_state(row, years, config.pegase.statuses)) {
        case InscriptionState::other_year:
            ++read.not_counted["other year"];
            break;
        case InscriptionState::inactive_status:
            ++read.not_counted["status " + (row.status.empty() ? std::string("(none)") : row.status)];
            break;
        case InscriptionState::active:
            break;
        }
    }
    return read;
}

std::vector<std::string> PegaseSourceKind::explain(const SourceRead& read, const Config& config,
                                                   const RunClock& clock) const {
    const auto years = active_years(clock.local_date, config.apogee.rollover, config.apogee.overlap_until);
    std::vector<std::string> lines;
    for (const auto& row : std::get<ExportRead>(read.records).rows) {
        const auto verdict =
            inscription_verdict(inscription_state(row, years, active_statuses(config)), "pegase.statuses");
        lines.push_back(fmt::format("row {}: period {}-{} formation {} status '{}' '{}': {}", row.line,
                                    row.year, row.year + 1, row.etape, row.status, row.label, verdict));
    }
    return lines;
}

} // namespace cohort_sync
