// Reading the clock, once per run (run_clock.hpp in include/ says why once).
#pragma once

#include "cohort_sync/run_clock.hpp"

namespace cohort_sync {

// Now, with this host's local date (its time zone, TZ included).
RunClock read_run_clock();

// The clock at `instant`, with the local date at that instant.
RunClock run_clock_at(long long instant);

} // namespace cohort_sync
