#pragma once

#include "cohort_sync/config.hpp"

#include <string>

namespace cohort_sync {

// Reads and parses the configuration file; throws ConfigError listing every problem.
Config load_config_file(const std::string& path);

} // namespace cohort_sync
