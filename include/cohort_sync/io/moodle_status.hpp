// Read-only views of Moodle's database for the admin at the desk: the run history that
// cohort-sync keeps in its state schema, and whether Moodle's hourly enrol_cohort task has
// caught up with the cohorts.
#pragma once

#include "cohort_sync/config.hpp"

#include <string>
#include <vector>

namespace cohort_sync {

struct RunHistoryEntry {
    std::string run_id;
    long long started_at = 0;
    long long finished_at = 0;
    std::string outcome;
    std::string report_json; // empty when not stored
};

// The newest `limit` runs, newest first; empty before the first run created the state schema.
std::vector<RunHistoryEntry> read_run_history(const MoodleConfig& config, int limit);

struct Propagation {
    int members_without_enrolment = 0; // enrol_cohort will enrol (or unsuspend) them
    int enrolments_without_member = 0; // enrol_cohort will unenrol (or suspend) them
    int cohort_instances = 0;          // course enrolment instances using our cohorts
    int group_instances = 0;           // of those, instances that fill a course group (customint2)
};

Propagation read_propagation(const MoodleConfig& config);

} // namespace cohort_sync
