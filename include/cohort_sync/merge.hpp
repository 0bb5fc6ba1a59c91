// Deciding who belongs where: the sources merged into the desired state by the rule chosen
// in the configuration (membership.rule).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/source.hpp"

#include <span>
#include <string>
#include <string_view>
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

// A placeholder of a cohort template and its value.
struct TemplateValue {
    std::string_view name; // "etape", without braces
    std::string_view value;
};

// Expands a cohort template over the given placeholders (a cohort kind's). Unknown placeholders
// are rejected by parse_config, so here they cannot occur; one would be left as it is.
std::string expand_template(const std::string& pattern, std::span<const TemplateValue> values);

// An étape cohort's template over {etape}, {version}, {label}, {year}.
std::string expand_template(const std::string& pattern, const std::string& etape, const std::string& version,
                            const std::string& label, int year);

} // namespace cohort_sync
