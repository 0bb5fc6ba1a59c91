#include "pedagogy_source.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/pedagogy_rules.hpp"
#include "extract_acceptance.hpp"

#include <fmt/format.h>

namespace cohort_sync {

SourceRead PedagogySourceKind::accept(SourceRead read, const Config& config, const RunClock& clock) const {
    auto& extract = std::get<PedagogyRead>(read.records);
    const auto& limits = config.pedagogy;
    accept_extract(
        extract.path, read.file,
        {std::string(what()), "pedagogy", std::string(path_setting()), std::string(columns_setting()),
         limits.max_age_hours, limits.max_bad_rows, limits.min_rows},
        clock, extract.issues, extract.data_lines, extract.contracts.size() + extract.groups.size());
    return read;
}

std::vector<std::string> ContractSourceKind::explain(const SourceRead& read, const Config& config,
                                                     const RunClock& clock) const {
    const auto years = active_years(clock.local_date, config.apogee.rollover, config.apogee.overlap_until);
    std::vector<std::string> lines;
    for (const auto& row : std::get<PedagogyRead>(read.records).contracts) {
        lines.push_back(fmt::format("line {}: {} element {} '{}' of {} version '{}': {}", row.line, row.year,
                                    row.element, row.label, row.etape, row.version,
                                    contract_verdict(contract_state(row, years, config.element_cohorts))));
    }
    return lines;
}

std::vector<std::string> GroupSourceKind::explain(const SourceRead& read, const Config& config,
                                                  const RunClock& clock) const {
    const auto years = active_years(clock.local_date, config.apogee.rollover, config.apogee.overlap_until);
    std::vector<std::string> lines;
    for (const auto& row : std::get<PedagogyRead>(read.records).groups) {
        lines.push_back(fmt::format("line {}: {} group {} '{}' of element {}: {}", row.line, row.year,
                                    row.group, row.label, row.element,
                                    group_verdict(group_state(row, years, config.group_cohorts))));
    }
    return lines;
}

} // namespace cohort_sync
