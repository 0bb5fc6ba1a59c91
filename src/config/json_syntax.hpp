// Reading the configuration text as JSON: comments allowed, duplicate keys reported, and a syntax
// error turned into one problem at its line and column. Private to the parser's files in src/config.
#pragma once

#include "cohort_sync/issue.hpp"
#include "problems.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace cohort_sync::config_detail {

// The document, or the one error that stopped the parser. Duplicate keys are added to `problems`.
std::variant<Json, Issue> parse_json(std::string_view text, const std::string& source_path,
                                     Problems& problems);

} // namespace cohort_sync::config_detail
