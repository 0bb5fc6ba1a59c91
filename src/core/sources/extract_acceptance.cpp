#include "extract_acceptance.hpp"

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

std::string hint_for(IssueKind kind, const ExtractRules& rules) {
    switch (kind) {
    case IssueKind::header:
        return fmt::format("check {}, {}.delimiter and {}.encoding against the file's first line",
                           rules.columns_setting, rules.section, rules.section);
    case IssueKind::garbage:
        return fmt::format("the file is damaged (a failed copy, a full disk, a binary file at {}): check "
                           "the extraction job and the disk, then rerun",
                           rules.path_setting);
    case IssueKind::oversized:
        return fmt::format("check that {} is the export; if the export really grew this much, raise "
                           "{}.max_size_mb",
                           rules.path_setting, rules.section);
    default:
        return std::string("the file may be truncated or still being written: ") + k_rerun_hint;
    }
}

void check_file(const std::string& path, const FileFacts& file, const ExtractRules& rules,
                const RunClock& clock, Issues& issues) {
    if (file.size == 0) {
        throw SourceError(fmt::format("{} '{}' is empty", rules.what, path), k_rerun_hint);
    }
    const double age_hours = static_cast<double>(clock.instant - file.modified_at) / 3600.0;
    if (age_hours > rules.max_age_hours) {
        throw SourceError(
            fmt::format("{} '{}' is {:.1f} hours old (last modified {}), more than "
                        "{}.max_age_hours = {}",
                        rules.what, path, age_hours, utc_timestamp(file.modified_at), rules.section,
                        rules.max_age_hours),
            fmt::format("check the APOGÉE extraction job: it has not written a new file since; raise "
                        "{}.max_age_hours only if the export really runs less often",
                        rules.section));
    }
    // A file from the future is not refused (its rows are fine), but the age check cannot see a
    // stale export while the clocks disagree.
    if (file.modified_at > clock.instant + k_clock_skew_seconds) {
        issues.push_back(
            {Severity::warning, path,
             fmt::format(
                 "{} '{}' was last modified {}, {:.1f} hours in the future by this host's clock, so "
                 "{}.max_age_hours cannot tell whether it is stale; HINT: synchronise the clocks of this "
                 "host and of the extraction host (NTP)",
                 rules.what, path, utc_timestamp(file.modified_at),
                 static_cast<double>(file.modified_at - clock.instant) / 3600.0, rules.section),
             IssueKind::clock});
    }
}

} // namespace

void accept_extract(const std::string& path, const std::optional<FileFacts>& file, const ExtractRules& rules,
                    const RunClock& clock, Issues& issues, int data_lines, std::size_t rows) {
    if (file) {
        check_file(path, *file, rules, clock, issues);
    }
    const auto errors = std::ranges::count(issues, Severity::error, &Issue::severity);
    if (errors > 0) {
        const auto first = std::ranges::find(issues, Severity::error, &Issue::severity);
        std::string message =
            fmt::format("unable to use {} '{}': {}: {}", rules.what, path, first->locator, first->message);
        if (errors > 1) {
            message += fmt::format(" (and {} more error{})", errors - 1, errors == 2 ? "" : "s");
        }
        throw SourceError(message, hint_for(first->kind, rules));
    }
    // Each rejected row has exactly one bad_row issue, listed before any other warning, so the
    // first warnings are the first bad rows.
    const int bad_rows = data_lines - static_cast<int>(rows);
    if (bad_rows > rules.max_bad_rows) {
        throw SourceError(
            fmt::format("{} '{}' has {} bad rows, more than {}.max_bad_rows = {}: {}", rules.what, path,
                        bad_rows, rules.section, rules.max_bad_rows,
                        first_issues(issues, Severity::warning, 3)),
            fmt::format("fix the export so that these rows are complete (students in bad rows would "
                        "leave their cohorts); raise {}.max_bad_rows only if such rows are expected",
                        rules.section));
    }
    if (data_lines < rules.min_rows) {
        throw SourceError(fmt::format("{} '{}' has {} data line{}, fewer than {}.min_rows = {}", rules.what,
                                      path, data_lines, data_lines == 1 ? "" : "s", rules.section,
                                      rules.min_rows),
                          k_rerun_hint);
    }
}

} // namespace cohort_sync
