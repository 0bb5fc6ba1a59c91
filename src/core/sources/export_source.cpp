#include "export_source.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/error.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

constexpr const char* k_rerun_hint =
    "the APOGÉE extraction may have failed or may still be running: check its job, and schedule cohort-sync "
    "after it finishes";

// A few minutes of skew between this host and the extraction host are ordinary.
constexpr long long k_clock_skew_seconds = 300;

std::string utc_timestamp(long long seconds) {
    // fmt::gmtime, not a time_point: fmt 9 (Debian 12) formats a time_point in local time,
    // fmt 10 (Debian 13) in UTC.
    return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(static_cast<std::time_t>(seconds)));
}

std::string first_issues(const Issues& issues, Severity severity, std::size_t max) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& issue : issues) {
        if (issue.severity != severity || shown == max) {
            continue;
        }
        out += fmt::format("{}{}: {}", shown == 0 ? "" : "; ", issue.locator, issue.message);
        ++shown;
    }
    return out;
}

std::string hint_for(IssueKind kind) {
    switch (kind) {
    case IssueKind::header:
        return "check apogee.columns, apogee.delimiter and apogee.encoding against the file's first line";
    case IssueKind::garbage:
        return "the file is damaged (a failed copy, a full disk, a binary file at apogee.path): check the "
               "extraction job and the disk, then rerun";
    case IssueKind::oversized:
        return "check that apogee.path is the export; if the export really grew this much, raise "
               "apogee.max_size_mb";
    default:
        return std::string("the file may be truncated or still being written: ") + k_rerun_hint;
    }
}

void check_file(const std::string& path, const FileFacts& file, const ExportConfig& config,
                const RunClock& clock, Issues& issues) {
    if (file.size == 0) {
        throw SourceError(fmt::format("the APOGÉE export '{}' is empty", path), k_rerun_hint);
    }
    const double age_hours = static_cast<double>(clock.instant - file.modified_at) / 3600.0;
    if (age_hours > config.max_age_hours) {
        throw SourceError(
            fmt::format("the APOGÉE export '{}' is {:.1f} hours old (last modified {}), more than "
                        "apogee.max_age_hours = {}",
                        path, age_hours, utc_timestamp(file.modified_at), config.max_age_hours),
            "check the APOGÉE extraction job: it has not written a new file since; raise "
            "apogee.max_age_hours only if the export really runs less often");
    }
    // A file from the future is not refused (its rows are fine), but the age check cannot see a
    // stale export while the clocks disagree.
    if (file.modified_at > clock.instant + k_clock_skew_seconds) {
        issues.push_back(
            {Severity::warning, path,
             fmt::format("the APOGÉE export '{}' was last modified {}, {:.1f} hours in the future by this "
                         "host's clock, so apogee.max_age_hours cannot tell whether it is stale; HINT: "
                         "synchronise the clocks of this host and of the extraction host (NTP)",
                         path, utc_timestamp(file.modified_at),
                         static_cast<double>(file.modified_at - clock.instant) / 3600.0),
             IssueKind::clock});
    }
}

} // namespace

// A university that moved to Pégase has no export: the DRE is then its inscriptions' source.
bool ExportSourceKind::needed(const Config& config) const {
    return rule_reads(config.membership.rule, family()) && !config.apogee.path.empty();
}

SourceRead ExportSourceKind::accept(SourceRead read, const Config& config, const RunClock& clock) const {
    auto& apogee = std::get<ExportRead>(read.records);
    const auto& path = apogee.path;
    if (read.file) {
        check_file(path, *read.file, config.apogee, clock, apogee.issues);
    }

    const auto errors = std::ranges::count(apogee.issues, Severity::error, &Issue::severity);
    if (errors > 0) {
        const auto first = std::ranges::find(apogee.issues, Severity::error, &Issue::severity);
        std::string message =
            fmt::format("unable to use the APOGÉE export '{}': {}: {}", path, first->locator, first->message);
        if (errors > 1) {
            message += fmt::format(" (and {} more error{})", errors - 1, errors == 2 ? "" : "s");
        }
        throw SourceError(message, hint_for(first->kind));
    }

    // Each rejected row has exactly one bad_row issue, listed before any other warning, so the
    // first warnings are the first bad rows.
    const int bad_rows = apogee.data_lines - static_cast<int>(apogee.rows.size());
    if (bad_rows > config.apogee.max_bad_rows) {
        throw SourceError(
            fmt::format("the APOGÉE export '{}' has {} bad rows, more than apogee.max_bad_rows = {}: {}",
                        path, bad_rows, config.apogee.max_bad_rows,
                        first_issues(apogee.issues, Severity::warning, 3)),
            "fix the export so that these rows are complete (students in bad rows would leave their "
            "cohorts); raise apogee.max_bad_rows only if such rows are expected");
    }
    if (apogee.data_lines < config.apogee.min_rows) {
        throw SourceError(
            fmt::format("the APOGÉE export '{}' has {} data line{}, fewer than apogee.min_rows = {}", path,
                        apogee.data_lines, apogee.data_lines == 1 ? "" : "s", config.apogee.min_rows),
            k_rerun_hint);
    }
    return read;
}

std::vector<std::string> ExportSourceKind::explain(const SourceRead& read, const Config& config,
                                                   const RunClock& clock) const {
    const auto years = active_years(clock.local_date, config.apogee.rollover, config.apogee.overlap_until);
    std::vector<std::string> lines;
    for (const auto& row : std::get<ExportRead>(read.records).rows) {
        const auto verdict = inscription_verdict(inscription_state(row, years, active_statuses(config)),
                                                 "apogee.active_statuses");
        lines.push_back(fmt::format("line {}: {} {} version '{}' status '{}' '{}': {}", row.line, row.year,
                                    row.etape, row.version, row.status, row.label, verdict));
    }
    return lines;
}

} // namespace cohort_sync
