// SourceCounts as JSON: one schema, one writer (write_counts, the streaming JsonWriter's, which
// the run report uses too) and one reader (nlohmann's from_json). The runs table keeps them
// (cohort_sync.runs.counts) so that the next run's guards can compare:
//
//   {"directory_entries": 31872, "export_inscriptions": 30110, "students": 29876,
//    "per_etape": {"L1INF": 412, "M2MIAGE": 38}}
//
// Each registered source kind has its count under its count key (source.hpp).
#pragma once

#include "cohort_sync/json_writer.hpp"
#include "cohort_sync/model.hpp"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cohort_sync {

// Writes `counts` as an object value (the caller writes its key, if any): the source kinds' count
// keys in registry order, then `students` and `per_etape`, as docs/report.md lists them.
void write_counts(JsonWriter& out, const SourceCounts& counts,
                  JsonWriter::Layout layout = JsonWriter::Layout::block);

// nlohmann's ADL hook, so that `j.get<SourceCounts>()` works. Throws std::invalid_argument, naming
// the JSON path, on a missing key, a wrong type or a count outside 0..INT_MAX.
void from_json(const nlohmann::json& json, SourceCounts& counts);

// The one-line JSON text of `counts`, as the runs table stores it.
std::string source_counts_to_json(const SourceCounts& counts);

// Parses what source_counts_to_json() wrote. Every key is required, so that a damaged row is
// never read as "zero students last time" (which would disarm the shrink guards); keys this
// version does not know are ignored, so that an older binary reads a newer row. On failure,
// returns nullopt and sets `error` to the reason, with the JSON path when there is one.
std::optional<SourceCounts> source_counts_from_json(std::string_view text, std::string& error);

} // namespace cohort_sync
