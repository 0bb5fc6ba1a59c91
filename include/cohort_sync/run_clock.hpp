// The run's one reading of the clock. The program reads it once when a run starts and passes it
// down, so that every phase agrees about when the run happened: the export's age, the academic
// year (from the local date: the rollover happens at local midnight, not UTC's), the times in
// the report and in the runs table. `explain` reads it the same way, so that it and a sync
// agree about the academic year at the rollover.
#pragma once

#include "cohort_sync/academic_year.hpp"

namespace cohort_sync {

struct RunClock {
    long long instant = 0;  // Unix seconds
    CivilDate local_date{}; // this host's calendar date at `instant`, in its time zone
};

} // namespace cohort_sync
