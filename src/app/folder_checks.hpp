// The folder lines of `cohort-sync check`: report.directory and the metrics file's folder must be
// writable by the user cohort-sync runs as, or a night syncs and leaves neither report nor metrics
// (a warning in the journal nobody reads). Tested as the user running `check`.
#pragma once

#include "cohort_sync/config.hpp"

#include <ostream>

namespace cohort_sync {

// One line each, "ok" or "FAILED" with a HINT line; returns false when any failed.
bool check_output_folders(const Config& config, std::ostream& out);

} // namespace cohort_sync
