#include "cohort_sync/etape_selection.hpp"

#include "cohort_sync/etape.hpp"

namespace cohort_sync {

bool etape_selected(std::span<const std::string> patterns, std::string_view code) {
    bool any_inclusion = false;
    bool included = false;
    for (const auto& pattern : patterns) {
        if (pattern.starts_with('!')) {
            if (etape_matches(std::string_view(pattern).substr(1), code)) {
                return false;
            }
        } else {
            any_inclusion = true;
            included = included || etape_matches(pattern, code);
        }
    }
    return !any_inclusion || included;
}

} // namespace cohort_sync
