#pragma once

#include "cohort_sync/config.hpp"

#include <ostream>

namespace cohort_sync {

// The Moodle lines of `cohort-sync check`: the database, Moodle's release against the tested ones,
// the authentication plugin provisioning would use, the grants the role needs, and the post-commit
// command. One line each,
// "ok" or "FAILED" with a HINT line; returns false when any failed.
bool check_moodle_site(const Config& config, std::ostream& out);

} // namespace cohort_sync
