// One student as Moodle sees them, for `cohort-sync explain`: their accounts, cohorts, and the
// courses those cohorts enrol them in. Read-only; every value travels as an SQL parameter.
#pragma once

#include "cohort_sync/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cohort_sync {

struct ExplainAccount {
    std::int64_t id = 0;
    std::string username;
    std::string idnumber;
    std::string auth;
    bool suspended = false;
    bool deleted = false;
};

struct ExplainMembership {
    std::int64_t cohort_id = 0;
    std::string idnumber;
    std::string name;
    std::string component; // empty: created by hand
    long long timeadded = 0;
};

struct ExplainCohort {
    std::int64_t id = 0;
    std::string idnumber;
    std::string name;
};

struct ExplainCourse {
    std::int64_t cohort_id = 0;
    std::string cohort_idnumber;
    std::int64_t course_id = 0;
    std::string shortname;
    bool instance_enabled = true;
    std::optional<int> enrolment_status; // 0 active, 1 suspended; empty: not enrolled
    bool has_grades = false;
};

struct MoodleView {
    std::int64_t mnet_localhost_id = 1;
    std::vector<ExplainAccount> accounts;       // by username or idnumber, deleted ones included
    std::vector<ExplainMembership> memberships; // of the account cohort-sync would use, all cohorts
    std::vector<ExplainCohort> cohorts;         // our cohorts among `idnumbers`
    std::vector<ExplainCourse> courses;         // enrolling through `memberships` or `cohorts`
};

// `user_id` picks the account whose memberships and enrolments are read (0: none).
MoodleView explain_in_moodle(const MoodleConfig& config, const std::string& login,
                             const std::string& student_number, const std::vector<std::string>& idnumbers,
                             std::int64_t user_id);

} // namespace cohort_sync
