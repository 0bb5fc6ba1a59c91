// Which authentication plugins a Moodle site lets users log in with. Moodle keeps the enabled list
// in mdl_config 'auth' (comma-separated; manual and nologin are always available and never listed)
// and an installed plugin has a mdl_config_plugins row (auth_<name>, version). An account whose
// plugin is missing cannot log in and cannot be deleted: CAS left Moodle's core in 5.0, and a 5.0
// site got 140 such accounts from provisioning's former default.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

// manual and nologin, then the enabled plugins that are installed, in the site's order.
std::vector<std::string> usable_auth_plugins(std::string_view enabled, std::string_view installed);

// "manual, nologin, ldap"
std::string join_plugins(const std::vector<std::string>& plugins);

} // namespace cohort_sync
