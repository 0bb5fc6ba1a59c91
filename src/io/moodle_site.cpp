#include "cohort_sync/io/moodle_site.hpp"

#include "cohort_sync/moodle_auth.hpp"
#include "pg_connection.hpp"

namespace cohort_sync {

using namespace pgio;

MoodleSiteFacts read_moodle_site(const MoodleConfig& config) {
    const sql::Statements statements(config);
    const auto connection = connect(config);
    const auto& check = statements[sql::Id::check];
    const auto result =
        execute(connection.get(), check, {}, PGRES_TUPLES_OK, "find Moodle's cohort table", config);
    MoodleSiteFacts facts;
    facts.server_version = result.text(0, result.column("server_version"));
    facts.database = result.text(0, result.column("database_name"));
    facts.role = result.text(0, result.column("role_name"));
    facts.cohorts = number_at<long long>(result, 0, result.column("cohorts"), check, "count");
    facts.moodle_release = result.text(0, result.column("moodle_release"));
    facts.moodle_version = result.text(0, result.column("moodle_version"));
    facts.cohort_table =
        sql::quote_identifier(config.schema) + "." + sql::quote_identifier(config.prefix + "cohort");
    const auto auth = execute(connection.get(), statements[sql::Id::auth_plugins], {}, PGRES_TUPLES_OK,
                              "read the site's authentication plugins", config);
    facts.auth_plugins =
        usable_auth_plugins(auth.text(0, auth.column("enabled")), auth.text(0, auth.column("installed")));
    return facts;
}

} // namespace cohort_sync
