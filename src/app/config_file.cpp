#include "config_file.hpp"

#include "cohort_sync/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>

namespace cohort_sync {

Config load_config_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        throw ConfigError(
            fmt::format("cannot read the configuration file '{}': {}", path, std::strerror(errno)),
            "give the right file with --config FILE; config/cohort-sync.example.json is a "
            "commented starting point");
    }
    std::ostringstream text;
    text << file.rdbuf();
    auto result = parse_config(text.str(), path);
    std::string errors;
    int error_count = 0;
    for (const auto& problem : result.problems) {
        if (problem.severity == Severity::error) {
            ++error_count;
            errors += fmt::format("\n  {}: {}", problem.locator, problem.message);
        } else {
            spdlog::warn("{}: {}: {}", path, problem.locator, problem.message);
        }
    }
    if (!result.config) {
        throw ConfigError(
            fmt::format("the configuration file '{}' has {} problem(s):{}", path, error_count, errors),
            "docs/configuration.md describes every key");
    }
    return std::move(*result.config);
}

} // namespace cohort_sync
