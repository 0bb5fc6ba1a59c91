// Deciding who belongs where: the sources merged into the desired state by the rule chosen
// in the configuration (membership.rule).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/source.hpp"

#include <span>
#include <vector>

namespace cohort_sync {

struct MergeInput {
    // The accepted reads of the sources this configuration reads (needed_source_kinds), at most
    // one of the directory family. Each plays the part its family gives it in the rule.
    std::span<const SourceRead> sources;
    std::vector<int> active_years; // from active_years()
};

Desired merge(const MergeInput& input, const Config& config);

// The holds of the reads' damaged records (Issue::damaged), one per record.
std::vector<Hold> holds_of(std::span<const SourceRead> reads);

// Expands a cohort template over {etape}, {version}, {label}, {year}. Unknown placeholders are
// rejected by parse_config, so here they cannot occur.
std::string expand_template(const std::string& pattern, const std::string& etape, const std::string& version,
                            const std::string& label, int year);

} // namespace cohort_sync
