// Run reports on disk: one JSON file per run in <report.directory>/reports, the newest
// report.keep kept. Writing a report never decides a run's outcome: a failure here is a
// warning, because Moodle is already consistent by then.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/report.hpp"

#include <optional>
#include <string>

namespace cohort_sync {

// Returns the path written, or nothing (after logging a warning) when it could not be written.
std::optional<std::string> store_report(const ReportConfig& config, const RunReport& report);

// Writes the Prometheus node-exporter textfile when report.prometheus_textfile is set.
void store_metrics(const ReportConfig& config, const RunReport& report);

} // namespace cohort_sync
