// Run reports on disk: one JSON file per run in <report.directory>/reports, the newest
// report.keep kept. Writing a report never decides a run's outcome: a failure here is a
// warning, because Moodle is already consistent by then.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/io/moodle_status.hpp"
#include "cohort_sync/report.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cohort_sync {

// Returns the path written, or nothing (after logging a warning) when it could not be written.
std::optional<std::string> store_report(const ReportConfig& config, const RunReport& report);

// The runs that only their report files in report.directory know of (the runs table holds the
// applied and refused runs: a run that failed before its transaction, or lost it, leaves only its
// report file): failed, locked, interrupted, in doubt, and not in `recorded`; newest first, at
// most `limit`. Unreadable files are skipped; an unreadable folder gives none, and `problem` says
// why.
std::vector<RunHistoryEntry> unrecorded_runs(const ReportConfig& config,
                                             const std::set<std::string>& recorded, int limit,
                                             std::string& problem);

// The metrics' site label: report.site, or the configuration file's name without ".json".
std::string metrics_site(const Config& config);

// Writes the Prometheus node-exporter textfile (mode 0644) when report.prometheus_textfile is set
// and the run is a real one: a dry run never hides what the last real run said. Logs a warning
// when it cannot.
void store_metrics(const Config& config, const RunReport& report, int exit_code);

} // namespace cohort_sync
