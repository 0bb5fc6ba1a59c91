// SourceCounts as JSON, the form in which a run leaves its counts in the state schema
// (cohort_sync.runs.counts) and in the run report, so that the next run's guards can compare.
//
//   {"directory_entries": 31872, "export_inscriptions": 30110, "students": 29876,
//    "per_etape": {"L1INF": 412, "M2MIAGE": 38}}
#pragma once

#include "cohort_sync/model.hpp"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cohort_sync {

// nlohmann's ADL hooks, so that `nlohmann::json j = counts;` and `j.get<SourceCounts>()` work.
// from_json throws std::invalid_argument, naming the JSON path, on a missing key, a wrong type
// or a count outside 0..INT_MAX.
void to_json(nlohmann::json& json, const SourceCounts& counts);
void from_json(const nlohmann::json& json, SourceCounts& counts);

// The compact JSON text of `counts`; keys are sorted, so the text is deterministic.
std::string source_counts_to_json(const SourceCounts& counts);

// Parses what source_counts_to_json() wrote. Every key is required, so that a damaged row is
// never read as "zero students last time" (which would disarm the shrink guards); keys this
// version does not know are ignored, so that an older binary reads a newer row. On failure,
// returns nullopt and sets `error` to the reason, with the JSON path when there is one.
std::optional<SourceCounts> source_counts_from_json(std::string_view text, std::string& error);

} // namespace cohort_sync
