#pragma once

#include "cohort_sync/config.hpp"

#include <string>

namespace cohort_sync {

// The LDAP bind password from the configured file or systemd credential; warnings (a file
// readable by others) go to the log. Throws ConfigError.
std::string ldap_password(const Config& config);

} // namespace cohort_sync
