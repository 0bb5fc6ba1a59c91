#pragma once

#include "cohort_sync/config.hpp"

#include <iosfwd>

namespace cohort_sync {

// `cohort-sync status`: the last runs at a glance, and whether Moodle has caught up.
int status_command(const Config& config, int limit, std::ostream& out);

} // namespace cohort_sync
