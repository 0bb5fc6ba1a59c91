// Keeping secrets out of the configuration file: keys that would hold a password, and a libpq
// connection string that carries one. Private to the parser's files in src/config.
#pragma once

#include "problems.hpp"

#include <string>
#include <string_view>

namespace cohort_sync::config_detail {

bool looks_secret(std::string_view key);

// Reports `key`, which looks_secret(), without its value.
void secret_key(Problems& problems, const std::string& at, std::string_view key);

// Reports secret-looking keys anywhere below `value`, which is not part of the layout.
void scan_for_secrets(const Json& value, const std::string& at, Problems& problems);

// Reports a connection string that holds a password, or that cannot be read well enough to
// tell; the value itself is never shown.
void conninfo_without_password(const std::string& conninfo, const std::string& at, Problems& problems);

} // namespace cohort_sync::config_detail
