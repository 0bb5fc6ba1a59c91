// What `cohort-sync check` learns about the Moodle site: the server, Moodle's release, and the
// authentication plugins accounts can be created with. Read-only, one short connection.
#pragma once

#include "cohort_sync/config.hpp"

#include <string>
#include <vector>

namespace cohort_sync {

struct MoodleSiteFacts {
    std::string server_version; // PostgreSQL's
    std::string database;
    std::string role;
    std::string cohort_table; // "public"."mdl_cohort"
    long long cohorts = 0;
    std::string moodle_release;            // mdl_config 'release'
    std::string moodle_version;            // mdl_config 'version'
    std::vector<std::string> auth_plugins; // usable_auth_plugins() of the site
};

// Throws TargetError like MoodleDatabase::begin() when the database cannot be reached or has no
// Moodle tables where the configuration says.
MoodleSiteFacts read_moodle_site(const MoodleConfig& config);

} // namespace cohort_sync
