#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/run_clock.hpp"

#include <iosfwd>
#include <string>

namespace cohort_sync {

// `cohort-sync explain LOGIN|STUDENT_NUMBER`: what each source says about one student, which
// cohorts they should be in and why, which they are in, what the next run would change, and
// which courses that affects. Reads only.
int explain_command(const Config& config, const std::string& key, const RunClock& clock, std::ostream& out);

} // namespace cohort_sync
