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

// A privilege the role lacks, and the statement that grants it.
struct MissingPrivilege {
    std::string what;  // "SELECT on \"public\".\"mdl_enrol\""
    std::string grant; // "GRANT SELECT ON \"public\".\"mdl_enrol\" TO \"cohort_sync\""
};

// The privileges a sync needs (docs/operations.md, "Database privileges"; provisioning's too when
// it is enabled) that the configured role lacks, tested with has_*_privilege(). Throws TargetError.
std::vector<MissingPrivilege> missing_privileges(const MoodleConfig& config, bool provisioning);

// Throws TargetError like MoodleDatabase::begin() when the database cannot be reached or has no
// Moodle tables where the configuration says.
MoodleSiteFacts read_moodle_site(const MoodleConfig& config);

} // namespace cohort_sync
