#include "config_file.hpp"

#include "cohort_sync/error.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>

#ifndef COHORT_SYNC_EXAMPLE_CONFIG
#define COHORT_SYNC_EXAMPLE_CONFIG "/usr/share/doc/cohort-sync/examples/cohort-sync.example.json"
#endif

namespace cohort_sync {

Config load_config_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        const int error = errno;
        throw ConfigError(
            fmt::format("cannot read the configuration file '{}': {}", path, std::strerror(error)),
            error == ENOENT
                ? fmt::format("copy the commented example {} to '{}' and edit it, or give "
                              "another file with --config FILE",
                              COHORT_SYNC_EXAMPLE_CONFIG, path)
                : "give the right file with --config FILE, readable by the user running cohort-sync");
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
