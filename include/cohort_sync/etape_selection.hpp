// membership.etape_patterns: which étapes cohort-sync manages. A pattern selects the étapes it
// matches; "!pattern" leaves out those it matches, so a faculty can be rolled out except a few
// of its étapes (["L*", "!LP*"]). Exclusions win; without any inclusion every étape not excluded
// is managed.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace cohort_sync {

bool etape_selected(std::span<const std::string> patterns, std::string_view code);

} // namespace cohort_sync
