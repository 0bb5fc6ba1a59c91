#include "cohort_sync/io/moodle_site.hpp"

#include "cohort_sync/moodle_auth.hpp"
#include "pg_connection.hpp"

#include <fmt/format.h>
#include <string_view>

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

namespace {

struct Needed {
    const char* kind; // database, schema, state_schema, table, column, sequence
    std::string schema;
    std::string relation; // a table or sequence; empty for a database or schema
    std::string column;
    std::string privilege;

    std::string object() const {
        return sql::quote_identifier(schema) + "." + sql::quote_identifier(relation);
    }
};

std::string describe(const Needed& needed, std::string_view database) {
    const std::string kind = needed.kind;
    if (kind == "database") {
        return fmt::format("{} on the database {}", needed.privilege, database);
    }
    if (kind == "state_schema") {
        return fmt::format("{} on the schema {} (or CREATE on the database, to create it)", needed.privilege,
                           sql::quote_identifier(needed.schema));
    }
    if (kind == "schema") {
        return fmt::format("{} on the schema {}", needed.privilege, sql::quote_identifier(needed.schema));
    }
    if (kind == "column") {
        return fmt::format("{} ({}) on {}", needed.privilege, needed.column, needed.object());
    }
    return fmt::format("{} on {}", needed.privilege, needed.object());
}

std::string grant_of(const Needed& needed, std::string_view database, std::string_view role) {
    const std::string kind = needed.kind;
    const auto to = sql::quote_identifier(std::string(role));
    if (kind == "database") {
        return fmt::format("GRANT {} ON DATABASE {} TO {}", needed.privilege,
                           sql::quote_identifier(std::string(database)), to);
    }
    if (kind == "state_schema") {
        return fmt::format("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}",
                           sql::quote_identifier(needed.schema), to);
    }
    if (kind == "schema") {
        return fmt::format("GRANT {} ON SCHEMA {} TO {}", needed.privilege,
                           sql::quote_identifier(needed.schema), to);
    }
    if (kind == "column") {
        return fmt::format("GRANT {} ({}) ON {} TO {}", needed.privilege, needed.column, needed.object(), to);
    }
    return fmt::format("GRANT {} ON {}{} TO {}", needed.privilege, kind == "sequence" ? "SEQUENCE " : "",
                       needed.object(), to);
}

// docs/operations.md's grants, one privilege each (tests/integration/privileges_test.cpp proves
// each is needed).
std::vector<Needed> needed_privileges(const MoodleConfig& config, bool provisioning) {
    const auto moodle = [&](const char* kind, const std::string& name, const std::string& column,
                            const char* privilege) {
        return Needed{kind, config.schema, config.prefix + name, column, privilege};
    };
    std::vector<Needed> needed = {
        {"database", "", "", "", "CONNECT"},
        {"database", "", "", "", "TEMPORARY"},
        {"schema", config.schema, "", "", "USAGE"},
    };
    for (const auto* name : {"config", "config_plugins", "cohort", "cohort_members", "enrol",
                             "user_enrolments", "course", "grade_items", "grade_grades"}) {
        needed.push_back(moodle("table", name, "", "SELECT"));
    }
    for (const auto* column : {"id", "username", "idnumber", "auth", "mnethostid", "suspended", "deleted"}) {
        needed.push_back(moodle("column", "user", column, "SELECT"));
    }
    needed.push_back(moodle("table", "cohort", "", "INSERT"));
    needed.push_back(moodle("column", "cohort", "name", "UPDATE"));
    needed.push_back(moodle("column", "cohort", "timemodified", "UPDATE"));
    needed.push_back(moodle("table", "cohort_members", "", "INSERT"));
    needed.push_back(moodle("table", "cohort_members", "", "DELETE"));
    needed.push_back(moodle("sequence", "cohort_id_seq", "", "USAGE"));
    needed.push_back(moodle("sequence", "cohort_members_id_seq", "", "USAGE"));
    // Created by the first run when missing (then CREATE on the database is what it needs).
    needed.push_back({"state_schema", config.state_schema, "", "", "USAGE"});
    for (const auto* name : {"runs", "pending"}) {
        for (const auto* privilege : {"SELECT", "INSERT", "DELETE"}) {
            needed.push_back({"table", config.state_schema, name, "", privilege});
        }
    }
    needed.push_back({"sequence", config.state_schema, "runs_id_seq", "", "USAGE"});
    if (provisioning) {
        for (const auto* column :
             {"auth", "confirmed", "mnethostid", "username", "idnumber", "firstname", "lastname", "email",
              "password", "lang", "country", "city", "calendartype", "timecreated", "timemodified"}) {
            needed.push_back(moodle("column", "user", column, "INSERT"));
        }
        needed.push_back(moodle("sequence", "user_id_seq", "", "USAGE"));
        for (const auto* column : {"id", "contextlevel", "instanceid", "path"}) {
            needed.push_back(moodle("column", "context", column, "SELECT"));
        }
        for (const auto* column : {"contextlevel", "instanceid", "depth", "path"}) {
            needed.push_back(moodle("column", "context", column, "INSERT"));
        }
        needed.push_back(moodle("column", "context", "path", "UPDATE"));
        needed.push_back(moodle("sequence", "context_id_seq", "", "USAGE"));
    }
    return needed;
}

} // namespace

std::vector<MissingPrivilege> missing_privileges(const MoodleConfig& config, bool provisioning) {
    const sql::Statements statements(config);
    const auto connection = connect(config);
    const auto needed = needed_privileges(config, provisioning);
    std::vector<std::string_view> kinds, schemas, relations, columns, privileges;
    for (const auto& entry : needed) {
        kinds.emplace_back(entry.kind);
        schemas.emplace_back(entry.schema);
        relations.emplace_back(entry.relation);
        columns.emplace_back(entry.column);
        privileges.emplace_back(entry.privilege);
    }
    const auto result = execute(connection.get(), statements[sql::Id::privileges],
                                {sql::text_array_literal(kinds), sql::text_array_literal(schemas),
                                 sql::text_array_literal(relations), sql::text_array_literal(columns),
                                 sql::text_array_literal(privileges)},
                                PGRES_TUPLES_OK, "test the role's privileges", config);
    std::vector<MissingPrivilege> missing;
    const int granted = result.column("granted");
    // Read here rather than with Moodle's tables: a role that may not read mdl_config still gets
    // its list of missing grants.
    const std::string database(result.rows() > 0 ? result.text(0, result.column("database_name")) : "");
    const std::string role(result.rows() > 0 ? result.text(0, result.column("role_name")) : "");
    for (int row = 0; row < result.rows() && row < static_cast<int>(needed.size()); ++row) {
        // NULL: a state table not created yet (the schema's CREATE covers it), or a provisioning
        // table of an older Moodle; only an explicit false is missing.
        if (!result.is_null(row, granted) && result.text(row, granted) == "f") {
            const auto& entry = needed[static_cast<std::size_t>(row)];
            missing.push_back({describe(entry, database), grant_of(entry, database, role)});
        }
    }
    return missing;
}

} // namespace cohort_sync
