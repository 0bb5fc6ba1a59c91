#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"
#include "cohort_sync/report.hpp"

#include <string>

namespace cohort_sync {

// `cohort-sync apply-plan FILE`: applies exactly the saved plan, in one transaction, after
// checking that the managed cohorts are still what it was computed from. Refuses (GuardRefused)
// a stale plan, saying what moved, and a plan its guards refused unless it or this run is forced.
void apply_plan_file(const Config& config, const std::string& path, bool force, Target& target,
                     RunReport& report);

} // namespace cohort_sync
