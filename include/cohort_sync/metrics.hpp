// The Prometheus textfile (report.prometheus_textfile) that node_exporter's textfile collector
// publishes: did last night's run work, and if not, why. Every series carries a `site` label, so
// that the files of several sites (template units) sit side by side in node_exporter's folder.
// Rendering is pure; src/app/report_store.cpp writes the file.
#pragma once

#include "cohort_sync/report.hpp"
#include "cohort_sync/source.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

struct MetricsInput {
    const RunReport& report; // a real run's: a dry run writes no metrics
    std::string site;
    int exit_code = 0;
    // When the last successful run finished (Unix seconds), this run included; 0: none known.
    long long last_success_at = 0;
    // The sources this configuration reads: each gets its records series under its kind's name.
    std::vector<const SourceKind*> sources;
};

// Whether `report` (a real run ending with `exit_code`) counts as a success: applied, every
// check passed.
bool run_succeeded(const RunReport& report, int exit_code);

std::string render_metrics(const MetricsInput& input);

// cohort_sync_last_success_timestamp_seconds as an earlier render_metrics() wrote it, so that a
// failed night keeps the time of the last good one; 0 when `textfile` has none.
long long last_success_in(std::string_view textfile);

} // namespace cohort_sync
