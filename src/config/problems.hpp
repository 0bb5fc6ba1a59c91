// The problems found in a configuration file, which every part of the parser adds to. Private to
// the parser's files in src/config.
#pragma once

#include "cohort_sync/issue.hpp"
#include "spelling.hpp"

#include <fmt/format.h>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace cohort_sync::config_detail {

struct Problems {
    Issues issues;
    std::set<std::string> bad_paths; // keys whose value was refused: their checks are moot

    void error(const std::string& at, std::string message) {
        bad_paths.insert(at);
        issues.push_back({Severity::error, at, std::move(message)});
    }
    void warning(const std::string& at, std::string message) {
        issues.push_back({Severity::warning, at, std::move(message)});
    }
    bool refused(const std::string& at) const { return bad_paths.contains(at); }
};

inline void wrong_type(Problems& problems, const std::string& at, std::string_view expected,
                       const Json& value) {
    problems.error(at, fmt::format("expected {}, got {}", expected, describe(value)));
}

} // namespace cohort_sync::config_detail
