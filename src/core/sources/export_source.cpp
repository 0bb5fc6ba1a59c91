#include "export_source.hpp"

#include "cohort_sync/academic_year.hpp"
#include "extract_acceptance.hpp"

#include <fmt/format.h>

namespace cohort_sync {

// A university that moved to Pégase has no export: the DRE is then its inscriptions' source.
bool ExportSourceKind::needed(const Config& config) const {
    return rule_reads(config.membership.rule, family()) && !config.apogee.path.empty();
}

SourceRead ExportSourceKind::accept(SourceRead read, const Config& config, const RunClock& clock) const {
    auto& apogee = std::get<ExportRead>(read.records);
    const auto& limits = config.apogee;
    accept_extract(apogee.path, read.file,
                   {"the APOGÉE export", "apogee", "apogee.path", "apogee.columns", limits.max_age_hours,
                    limits.max_bad_rows, limits.min_rows},
                   clock, apogee.issues, apogee.data_lines, apogee.rows.size());
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
