#include "moodle_sql.hpp"

#include <stdexcept>

namespace cohort_sync::sql {
namespace {

struct Template {
    Id id;
    std::string_view name;
    int parameters;
    std::string_view text; // {m:table} is a Moodle table, {s:table} a state table, {s} the state schema
};

// The enrolments the plan's removals take away, one row each, with whether the student then
// loses the course and has grades there. A student loses a course only when no other active
// enrolment in it remains: not a manual or self enrolment, not a second cohort's (unless this plan
// removes the student from that cohort too), not the cohort enrolment an addition of this plan
// brings (enrol_cohort_sync() enrols before it unenrols, so a student moving between two cohorts
// of one course keeps it). Only such a student's grades go (grade_user_unenrol() runs with the
// last enrolment). On a real site the preview said 22 graded students would lose a course when
// Moodle deleted 20 students' grades: the other two kept the course this way. $1: the unenrol
// action (with a suspend action, suspended enrolments are already done).
#define COHORT_SYNC_REMOVED_ENROLMENTS                                                                       \
    "WITH removed AS (SELECT e.courseid, ue.userid, e.id AS enrolid, e.customint2,"                          \
    " EXISTS (SELECT 1 FROM {m:grade_grades} g JOIN {m:grade_items} gi ON gi.id = g.itemid"                  \
    " WHERE gi.courseid = e.courseid AND g.userid = ue.userid AND g.finalgrade IS NOT NULL) AS graded,"      \
    " NOT EXISTS (SELECT 1 FROM {m:user_enrolments} ue2 JOIN {m:enrol} e2 ON e2.id = ue2.enrolid"            \
    " WHERE ue2.userid = ue.userid AND e2.courseid = e.courseid AND ue2.status = 0 AND e2.status = 0"        \
    " AND NOT (e2.enrol = 'cohort' AND EXISTS (SELECT 1 FROM pg_temp.cohort_sync_impact_removes r2"          \
    " WHERE r2.userid = ue2.userid AND r2.cohortid = e2.customint1)))"                                       \
    " AND NOT EXISTS (SELECT 1 FROM pg_temp.cohort_sync_impact_adds a JOIN {m:enrol} e3"                     \
    " ON e3.enrol = 'cohort' AND e3.status = 0 AND e3.customint1 = a.cohortid"                               \
    " WHERE a.userid = ue.userid AND e3.courseid = e.courseid) AS loses_course"                              \
    " FROM pg_temp.cohort_sync_impact_removes r"                                                             \
    " JOIN {m:enrol} e ON e.enrol = 'cohort' AND e.customint1 = r.cohortid"                                  \
    " JOIN {m:user_enrolments} ue ON ue.enrolid = e.id AND ue.userid = r.userid"                             \
    " WHERE $1::int = 0 OR ue.status = 0) "

// Temporary tables are named through pg_temp so that a real table with the same name earlier in
// search_path can never be picked instead.
constexpr std::array<Template, static_cast<std::size_t>(Id::count_)> k_templates = {{
    {Id::begin, "begin", 0, "BEGIN ISOLATION LEVEL READ COMMITTED"},

    // A run that says "committed" must be durable: a server (or database, or role) configured with
    // synchronous_commit = off would otherwise acknowledge the COMMIT before its WAL reached disk,
    // and a crash then could lose a night's changes that the log and report call applied.
    // set_config(..., true) is SET LOCAL: this transaction only. A function call, not SET, so that
    // it can be a prepared statement like every other.
    {Id::durable_commit, "durable_commit", 0,
     "SELECT pg_catalog.set_config('synchronous_commit', 'on', true)"},

    // The lock is per database and released by COMMIT or ROLLBACK (or a lost connection), so a
    // crashed run can never leave it behind. The existence checks ride along to save a round trip:
    // CREATE ... IF NOT EXISTS is not enough on its own because CREATE SCHEMA checks the CREATE
    // privilege on the database even when the schema exists, and a deployment may grant it only
    // for the first run.
    {Id::lock_and_inspect, "lock_and_inspect", 3,
     "SELECT pg_try_advisory_xact_lock($1::int4, $2::int4) AS locked,"
     " EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $3) AS schema_exists,"
     " (SELECT count(*) FROM pg_catalog.pg_tables"
     " WHERE schemaname = $3 AND tablename IN ('runs', 'pending', 'cohorts')) AS state_tables"},

    // Privileges (docs/operations.md will repeat this): the first run needs CREATE on the database
    // (or an existing state schema it owns); every run needs USAGE on Moodle's schema, SELECT on
    // config, user, cohort and cohort_members, INSERT and UPDATE on cohort, INSERT and DELETE on
    // cohort_members, USAGE on the sequences mdl_cohort_id_seq and mdl_cohort_members_id_seq,
    // TEMPORARY on the database, and SELECT, INSERT, DELETE on the state tables (plus USAGE on
    // cohort_sync.runs_id_seq) when they were created by another role.
    {Id::create_state_schema, "create_state_schema", 0, "CREATE SCHEMA IF NOT EXISTS {s}"},
    {Id::create_state_tables, "create_state_tables", 0,
     "CREATE TABLE IF NOT EXISTS {s:runs} ("
     "id bigserial PRIMARY KEY, run_id text NOT NULL UNIQUE, started_at bigint NOT NULL,"
     " finished_at bigint NOT NULL, outcome text NOT NULL, counts jsonb NOT NULL, report jsonb);"
     " CREATE TABLE IF NOT EXISTS {s:pending} ("
     "cohortid bigint NOT NULL, userid bigint NOT NULL, absent_runs int NOT NULL,"
     " PRIMARY KEY (cohortid, userid));"
     // Each managed cohort's key, the idnumber cohort-sync gave it: a site manager's edit of the
     // idnumber in Moodle is then undone, not taken for a new étape. One cohort per key. Added by
     // the version after 0.1.0; IF NOT EXISTS makes the first run of the upgrade create it.
     " CREATE TABLE IF NOT EXISTS {s:cohorts} ("
     "cohortid bigint PRIMARY KEY, idnumber text NOT NULL UNIQUE, recorded_at bigint NOT NULL)"},

    {Id::load_config, "load_config", 0,
     "SELECT name, value FROM {m:config}"
     " WHERE name IN ('mnet_localhost_id', 'siteguest', 'siteadmins', 'version', 'release')"},
    {Id::load_users, "load_users", 2,
     "SELECT id, username, idnumber, suspended, deleted FROM {m:user}"
     " WHERE mnethostid = $1::bigint AND NOT (id = ANY ($2::bigint[])) ORDER BY id"},
    // Ours and everybody else's that carries an idnumber (the plan must not take a foreign
    // cohort's idnumber), in one scan.
    {Id::load_cohorts, "load_cohorts", 1,
     "SELECT id, idnumber, name, description, contextid, component FROM {m:cohort}"
     " WHERE component = $1::text OR (idnumber IS NOT NULL AND idnumber <> '') ORDER BY id"},
    // Streamed with COPY: a university's two million memberships in one result took the client
    // some 150 MB more, and fetching them through a cursor cost a third more time. COPY takes no
    // parameter, so the component travels as one, into a setting of this transaction, first.
    {Id::set_component, "set_component", 1, "SELECT set_config('cohort_sync.component', $1::text, true)"},
    {Id::load_members, "load_members", 0,
     "COPY (SELECT m.cohortid, m.userid FROM {m:cohort_members} m JOIN {m:cohort} c ON c.id = m.cohortid"
     " WHERE c.component = current_setting('cohort_sync.component') ORDER BY m.cohortid, m.userid)"
     " TO STDOUT"},
    {Id::load_pending, "load_pending", 0,
     "SELECT cohortid, userid, absent_runs FROM {s:pending} ORDER BY cohortid, userid"},
    {Id::load_recorded, "load_recorded", 0, "SELECT cohortid, idnumber FROM {s:cohorts} ORDER BY cohortid"},
    {Id::load_last_success, "load_last_success", 0,
     "SELECT counts::text AS counts FROM {s:runs} WHERE outcome = 'applied' ORDER BY id DESC LIMIT 1"},

    // Provisioning: accounts as Moodle's external-auth plugins create them (auth_cas, auth_ldap's
    // user sync): confirmed, the site's host, password 'not cached' (AUTH_PASSWORD_NOT_CACHED),
    // the site's default language, country, city and calendar, every other column at its
    // default. An account whose username exists (ON CONFLICT) or whose student number is any
    // account's idnumber, a deleted one's included, is not created: RETURNING tells which were.
    // $1..$5 username, idnumber, firstname, lastname, email; $6 auth; $7 mnethostid; $8 now.
    {Id::create_accounts, "create_accounts", 8,
     "INSERT INTO {m:user} (auth, confirmed, mnethostid, username, idnumber, firstname, lastname, email,"
     " password, lang, country, city, calendartype, timecreated, timemodified)"
     " SELECT $6::text, 1, $7::bigint, n.username, n.idnumber, left(n.firstname, 100), left(n.lastname, 100),"
     " left(n.email, 100), 'not cached',"
     " coalesce((SELECT value FROM {m:config} WHERE name = 'lang'), 'en'),"
     " left(coalesce(nullif((SELECT value FROM {m:config} WHERE name = 'country'), '0'), ''), 2),"
     " left(coalesce((SELECT value FROM {m:config} WHERE name = 'defaultcity'), ''), 120),"
     " coalesce((SELECT value FROM {m:config} WHERE name = 'calendartype'), 'gregorian'), $8::bigint, "
     "$8::bigint"
     " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY"
     " AS n(username, idnumber, firstname, lastname, email, ord)"
     " WHERE NOT EXISTS (SELECT 1 FROM {m:user} u WHERE u.idnumber = n.idnumber)"
     " ORDER BY n.ord ON CONFLICT (mnethostid, username) DO NOTHING RETURNING id, username"},
    // context_user::instance() would create these on first use; made here so the account is
    // complete as Moodle's own user_create_user() leaves it.
    {Id::create_user_contexts, "create_user_contexts", 1,
     "INSERT INTO {m:context} (contextlevel, instanceid, depth, path)"
     " SELECT 30, u.id, 2, NULL FROM unnest($1::bigint[]) AS u(id)"
     " ON CONFLICT (contextlevel, instanceid) DO NOTHING"},
    {Id::set_user_context_paths, "set_user_context_paths", 1,
     "UPDATE {m:context} c SET path = (SELECT s.path FROM {m:context} s WHERE s.contextlevel = 10"
     " ORDER BY s.id LIMIT 1) || '/' || c.id"
     " WHERE c.contextlevel = 30 AND c.instanceid = ANY ($1::bigint[]) AND c.path IS NULL"},

    // As cohort_add_cohort() fills a row. WITH ORDINALITY keeps the plan's order, so new ids are
    // handed out in idnumber order and a rerun of the same plan gives the same ids.
    {Id::create_cohorts, "create_cohorts", 7,
     "INSERT INTO {m:cohort} (contextid, name, idnumber, description, descriptionformat, visible,"
     " component, timecreated, timemodified, theme)"
     " SELECT $4::bigint, n.name, n.idnumber, n.description, 1, $5::smallint, $6::text,"
     " $7::bigint, $7::bigint, ''"
     " FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS n(idnumber, name, description, ord)"
     " ORDER BY n.ord RETURNING id, idnumber"},
    // The component condition here and below means a wrong plan can never touch a cohort created
    // by hand or by another plugin.
    {Id::rename_cohorts, "rename_cohorts", 4,
     "UPDATE {m:cohort} c SET name = u.name, timemodified = $3::bigint"
     " FROM unnest($1::bigint[], $2::text[]) AS u(id, name) WHERE c.id = u.id AND c.component = $4::text"},
    // Puts back the idnumbers a site manager changed. $1: ids, $2: their recorded idnumbers.
    {Id::restore_idnumbers, "restore_idnumbers", 4,
     "UPDATE {m:cohort} c SET idnumber = u.idnumber, timemodified = $3::bigint"
     " FROM unnest($1::bigint[], $2::text[]) AS u(id, idnumber) WHERE c.id = u.id AND c.component = "
     "$4::text"},

    // Members of cohorts this transaction created: nothing to conflict with. timeadded as the
    // cohort API fills it.
    {Id::copy_new_members, "copy_new_members", 0,
     "COPY {m:cohort_members} (cohortid, userid, timeadded) FROM STDIN"},
    {Id::create_adds_table, "create_adds_table", 0,
     "CREATE TEMPORARY TABLE cohort_sync_adds (cohortid bigint NOT NULL, userid bigint NOT NULL)"
     " ON COMMIT DROP"},
    {Id::copy_adds, "copy_adds", 0, "COPY pg_temp.cohort_sync_adds (cohortid, userid) FROM STDIN"},
    {Id::insert_members, "insert_members", 2,
     "INSERT INTO {m:cohort_members} (cohortid, userid, timeadded)"
     " SELECT a.cohortid, a.userid, $2::bigint FROM pg_temp.cohort_sync_adds a"
     " JOIN {m:cohort} c ON c.id = a.cohortid AND c.component = $1::text"
     " ORDER BY a.cohortid, a.userid ON CONFLICT (cohortid, userid) DO NOTHING"},
    {Id::create_removes_table, "create_removes_table", 0,
     "CREATE TEMPORARY TABLE cohort_sync_removes (cohortid bigint NOT NULL, userid bigint NOT NULL)"
     " ON COMMIT DROP"},
    {Id::copy_removes, "copy_removes", 0, "COPY pg_temp.cohort_sync_removes (cohortid, userid) FROM STDIN"},
    {Id::delete_members, "delete_members", 1,
     "DELETE FROM {m:cohort_members} m USING pg_temp.cohort_sync_removes r, {m:cohort} c"
     " WHERE m.cohortid = r.cohortid AND m.userid = r.userid AND c.id = m.cohortid AND c.component = "
     "$1::text"},

    {Id::clear_pending, "clear_pending", 0, "DELETE FROM {s:pending}"},
    {Id::copy_pending, "copy_pending", 0, "COPY {s:pending} (cohortid, userid, absent_runs) FROM STDIN"},
    // The record of cohort-sync's cohorts follows Moodle after the changes: the rows of cohorts
    // that are gone go (a cohort created again takes its key), and every managed cohort without
    // a row gets one with its idnumber (those just created; those of an older version). An
    // idnumber two managed cohorts share is recorded for neither: the plan refused to pick one.
    // $1: our component; $2: now.
    {Id::forget_gone_cohorts, "forget_gone_cohorts", 1,
     "DELETE FROM {s:cohorts} r WHERE NOT EXISTS"
     " (SELECT 1 FROM {m:cohort} c WHERE c.id = r.cohortid AND c.component = $1::text)"},
    // The idnumbers' holders are counted in one pass (a window), not by a NOT EXISTS per cohort:
    // on the cohorts a first sync has just inserted, not yet analysed, the planner chose a nested
    // loop over the whole table for each of them (1.2 s for 3,000 cohorts).
    {Id::record_cohorts, "record_cohorts", 2,
     "INSERT INTO {s:cohorts} (cohortid, idnumber, recorded_at)"
     " SELECT m.id, m.idnumber, $2::bigint FROM"
     " (SELECT c.id, c.idnumber, count(*) OVER (PARTITION BY c.idnumber) AS holders FROM {m:cohort} c"
     " WHERE c.component = $1::text AND c.idnumber IS NOT NULL AND c.idnumber <> '') m"
     " WHERE m.holders = 1 AND NOT EXISTS (SELECT 1 FROM {s:cohorts} r WHERE r.cohortid = m.id)"
     " ORDER BY m.id ON CONFLICT DO NOTHING"},
    {Id::insert_run, "insert_run", 6,
     "INSERT INTO {s:runs} (run_id, started_at, finished_at, outcome, counts, report)"
     " VALUES ($1::text, $2::bigint, $3::bigint, $4::text, $5::jsonb, $6::jsonb)"},

    {Id::commit, "commit", 0, "COMMIT"},
    {Id::rollback, "rollback", 0, "ROLLBACK"},
    {Id::check, "check", 0,
     "SELECT current_setting('server_version') AS server_version, current_database() AS database_name,"
     " current_user AS role_name, (SELECT count(*) FROM {m:cohort}) AS cohorts,"
     " (SELECT value FROM {m:config} WHERE name = 'version') AS moodle_version,"
     " (SELECT value FROM {m:config} WHERE name = 'release') AS moodle_release"},
    // The authentication plugins the site lets users log in with: the enabled list (manual and
    // nologin are always available and never listed) and those whose code is installed (a version
    // row). Moodle 5.0 uninstalled CAS: a plugin can be listed yet gone.
    {Id::auth_plugins, "auth_plugins", 0,
     "SELECT coalesce((SELECT value FROM {m:config} WHERE name = 'auth'), '') AS enabled,"
     " coalesce((SELECT string_agg(substr(plugin, 6), ',' ORDER BY plugin) FROM {m:config_plugins}"
     " WHERE plugin LIKE 'auth\\_%' AND name = 'version'), '') AS installed"},

    // One row per privilege to test, in the order given: $1 kind, $2 schema, $3 table or sequence,
    // $4 column, $5 privilege. NULL: the object is not there (yet). Objects are found in the
    // catalogs and tested by oid, because resolving a name needs USAGE on its schema, which may be
    // the privilege missing. The state schema and tables are created by the first run: missing,
    // they need CREATE on the database instead.
    {Id::privileges, "privileges", 5,
     "SELECT CASE p.kind"
     " WHEN 'database' THEN has_database_privilege(current_database(), p.privilege)"
     " WHEN 'schema' THEN CASE WHEN s.oid IS NOT NULL THEN has_schema_privilege(s.oid, p.privilege) END"
     " WHEN 'state_schema' THEN CASE WHEN s.oid IS NOT NULL THEN has_schema_privilege(s.oid, p.privilege)"
     " ELSE has_database_privilege(current_database(), 'CREATE') END"
     " WHEN 'table' THEN CASE WHEN r.oid IS NOT NULL THEN has_table_privilege(r.oid, p.privilege) END"
     " WHEN 'column' THEN CASE WHEN r.oid IS NOT NULL THEN has_column_privilege(r.oid, p.col, p.privilege) "
     "END"
     " WHEN 'sequence' THEN CASE WHEN r.oid IS NOT NULL THEN has_sequence_privilege(r.oid, p.privilege) END"
     " END AS granted, current_database() AS database_name, current_user AS role_name"
     " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY"
     " AS p(kind, nsp, rel, col, privilege, ord)"
     " LEFT JOIN pg_catalog.pg_namespace s ON s.nspname = p.nsp"
     " LEFT JOIN pg_catalog.pg_class r ON r.relnamespace = s.oid AND r.relname = p.rel"
     " ORDER BY p.ord"},

    // ---- Read-only insight. Nothing below writes to Moodle's tables.

    // enrol_cohort's unenrol action decides what a removal costs: 0 unenrols (and with the last
    // enrolment in a course deletes the grades), 2 suspends, 3 suspends and removes the roles.
    // The course-group preview needs SELECT on mdl_groups and mdl_groups_members, which sites set
    // up before it existed may not grant: without it the preview says groups were not read rather
    // than failing the run. (The quoted names inside the literals are regclass text.)
    {Id::impact_settings, "impact_settings", 0,
     "SELECT (SELECT value FROM {m:config_plugins} WHERE plugin = 'enrol_cohort' AND name = 'unenrolaction')"
     " AS unenrolaction, (SELECT value FROM {m:config} WHERE name = 'enrol_plugins_enabled') AS "
     "enrol_plugins, has_table_privilege('{m:groups}', 'SELECT') AND"
     " has_table_privilege('{m:groups_members}', 'SELECT') AS groups_readable"},
    {Id::create_impact_tables, "create_impact_tables", 0,
     "CREATE TEMPORARY TABLE cohort_sync_impact_adds (cohortid bigint NOT NULL, userid bigint NOT NULL)"
     " ON COMMIT DROP; CREATE TEMPORARY TABLE cohort_sync_impact_removes"
     " (cohortid bigint NOT NULL, userid bigint NOT NULL) ON COMMIT DROP"},
    {Id::copy_impact_adds, "copy_impact_adds", 0,
     "COPY pg_temp.cohort_sync_impact_adds (cohortid, userid) FROM STDIN"},
    {Id::copy_impact_removes, "copy_impact_removes", 0,
     "COPY pg_temp.cohort_sync_impact_removes (cohortid, userid) FROM STDIN"},
    // What enrol_cohort_sync() will do for the additions: enrol, or unsuspend, the member in every
    // enabled cohort instance of the cohort (deleted users are never enrolled). A user id of 0 or
    // less is an account provisioning creates in this run (one negative id per account, so that
    // the group preview can tell them apart): it has no enrolment yet, so each one is enrolled.
    {Id::impact_adds, "impact_adds", 0,
     "SELECT e.courseid, coalesce(max(c.shortname), '') AS shortname, count(*) AS enrolments"
     " FROM pg_temp.cohort_sync_impact_adds a"
     " JOIN {m:enrol} e ON e.enrol = 'cohort' AND e.status = 0 AND e.customint1 = a.cohortid"
     " LEFT JOIN {m:user} u ON u.id = a.userid"
     " LEFT JOIN {m:user_enrolments} ue ON ue.enrolid = e.id AND ue.userid = a.userid"
     " LEFT JOIN {m:course} c ON c.id = e.courseid"
     " WHERE (a.userid <= 0 OR u.deleted = 0) AND (ue.id IS NULL OR ue.status = 1)"
     " GROUP BY e.courseid ORDER BY e.courseid"},
    // ... and for the removals: the enrolments of the instance go (or, with a suspend action,
    // the active ones are suspended), whatever the instance's status. $1: the unenrol action.
    {Id::impact_removes, "impact_removes", 1,
     COHORT_SYNC_REMOVED_ENROLMENTS
     "SELECT r.courseid, coalesce(max(c.shortname), '') AS shortname, count(*) AS enrolments,"
     " count(DISTINCT r.userid) FILTER (WHERE r.loses_course AND r.graded) AS graded_losing"
     " FROM removed r LEFT JOIN {m:course} c ON c.id = r.courseid GROUP BY r.courseid ORDER BY r.courseid"},
    {Id::impact_graded_students, "impact_graded_students", 1,
     COHORT_SYNC_REMOVED_ENROLMENTS
     "SELECT count(DISTINCT r.userid) AS students FROM removed r WHERE r.loses_course AND r.graded"},
    // The course groups of instances with "Ajouter au groupe" (customint2 = a group of the course):
    // who joins and who leaves each one. enrol_cohort_sync() adds every enrolled member of such an
    // instance to its group (groups_sync_with_enrolment()), so an addition joins the group unless
    // already in it (unique (userid, groupid)). A removal leaves it only with the unenrol action
    // (0): unenrol_user() drops the memberships the instance made (component 'enrol_cohort',
    // itemid = the instance) and, with the last enrolment in the course, all of them; a suspended
    // enrolment keeps its group. A student who keeps or gains an enrolment through another
    // instance filling the same group is put back in it by the same sync, so does not leave.
    // One row per (course, group): the counts and, for the names, at most $2 user ids each way.
    // $1: the unenrol action.
    {Id::impact_groups, "impact_groups", 2,
     COHORT_SYNC_REMOVED_ENROLMENTS
     ", joins AS (SELECT DISTINCT e.courseid, g.id AS groupid, a.userid"
     " FROM pg_temp.cohort_sync_impact_adds a"
     " JOIN {m:enrol} e ON e.enrol = 'cohort' AND e.status = 0 AND e.customint1 = a.cohortid"
     " AND e.customint2 > 0"
     " JOIN {m:groups} g ON g.id = e.customint2 AND g.courseid = e.courseid"
     " LEFT JOIN {m:user} u ON u.id = a.userid"
     " WHERE (a.userid <= 0 OR u.deleted = 0) AND NOT EXISTS (SELECT 1 FROM {m:groups_members} gm"
     " WHERE gm.groupid = g.id AND gm.userid = a.userid)),"
     " leaves AS (SELECT DISTINCT r.courseid, g.id AS groupid, r.userid FROM removed r"
     " JOIN {m:groups} g ON g.id = r.customint2 AND g.courseid = r.courseid"
     " JOIN {m:groups_members} gm ON gm.groupid = g.id AND gm.userid = r.userid"
     " WHERE $1::int = 0 AND ((gm.component = 'enrol_cohort' AND gm.itemid = r.enrolid) OR r.loses_course)"
     " AND NOT EXISTS (SELECT 1 FROM {m:enrol} e2 JOIN {m:user_enrolments} ue2 ON ue2.enrolid = e2.id"
     " WHERE ue2.userid = r.userid AND e2.enrol = 'cohort' AND e2.customint2 = g.id AND e2.id <> r.enrolid"
     " AND e2.courseid = g.courseid AND NOT EXISTS (SELECT 1 FROM pg_temp.cohort_sync_impact_removes r2"
     " WHERE r2.cohortid = e2.customint1 AND r2.userid = r.userid))"
     " AND NOT EXISTS (SELECT 1 FROM pg_temp.cohort_sync_impact_adds a JOIN {m:enrol} e3"
     " ON e3.enrol = 'cohort' AND e3.status = 0 AND e3.customint1 = a.cohortid"
     " WHERE a.userid = r.userid AND e3.customint2 = g.id AND e3.courseid = g.courseid)),"
     " moves AS (SELECT courseid, groupid, userid, true AS joining FROM joins"
     " UNION ALL SELECT courseid, groupid, userid, false FROM leaves)"
     " SELECT m.courseid, coalesce(max(c.shortname), '') AS shortname, m.groupid,"
     " coalesce(max(g.name), '') AS groupname,"
     " count(*) FILTER (WHERE m.joining) AS joining, count(*) FILTER (WHERE NOT m.joining) AS leaving,"
     " coalesce(array_to_string((array_agg(m.userid ORDER BY m.userid) FILTER (WHERE m.joining))"
     "[1:$2::int], ','), '') AS joining_ids,"
     " coalesce(array_to_string((array_agg(m.userid ORDER BY m.userid) FILTER (WHERE NOT m.joining))"
     "[1:$2::int], ','), '') AS leaving_ids"
     " FROM moves m LEFT JOIN {m:course} c ON c.id = m.courseid LEFT JOIN {m:groups} g ON g.id = m.groupid"
     " GROUP BY m.courseid, m.groupid ORDER BY m.courseid, groupname, m.groupid"},

    {Id::recent_runs, "recent_runs", 1,
     "SELECT run_id, started_at, finished_at, outcome, coalesce(report::text, '') AS report FROM {s:runs}"
     " ORDER BY id DESC LIMIT $1::int"},
    // Cohort-driven enrolments Moodle's hourly task has not propagated yet: members of our
    // cohorts without their enrolment, and enrolments whose member has left. $1: our component;
    // $2: the unenrol action (with a suspend action, a suspended enrolment is already done).
    {Id::propagation, "propagation", 2,
     "SELECT (SELECT count(*) FROM {m:cohort_members} cm"
     " JOIN {m:cohort} co ON co.id = cm.cohortid AND co.component = $1::text"
     " JOIN {m:enrol} e ON e.enrol = 'cohort' AND e.status = 0 AND e.customint1 = cm.cohortid"
     " JOIN {m:user} u ON u.id = cm.userid AND u.deleted = 0"
     " LEFT JOIN {m:user_enrolments} ue ON ue.enrolid = e.id AND ue.userid = cm.userid"
     " WHERE ue.id IS NULL OR ue.status = 1) AS to_enrol,"
     " (SELECT count(*) FROM {m:user_enrolments} ue"
     " JOIN {m:enrol} e ON e.id = ue.enrolid AND e.enrol = 'cohort'"
     " JOIN {m:cohort} co ON co.id = e.customint1 AND co.component = $1::text"
     " LEFT JOIN {m:cohort_members} cm ON cm.cohortid = e.customint1 AND cm.userid = ue.userid"
     " WHERE cm.id IS NULL AND ($2::int = 0 OR ue.status = 0)) AS to_unenrol,"
     " (SELECT count(*) FROM {m:enrol} e JOIN {m:cohort} co ON co.id = e.customint1"
     " AND co.component = $1::text WHERE e.enrol = 'cohort') AS instances,"
     // ... of which "Ajouter au groupe" fills a course group with (customint2 > 0).
     " (SELECT count(*) FROM {m:enrol} e JOIN {m:cohort} co ON co.id = e.customint1"
     " AND co.component = $1::text WHERE e.enrol = 'cohort' AND e.customint2 > 0) AS group_instances"},

    // `explain`: one student's accounts, cohorts and courses. $1: username (lower-cased),
    // $2: idnumber (student number), $3: the site's mnethostid.
    {Id::explain_users, "explain_users", 3,
     "SELECT id, username, idnumber, suspended, deleted, auth FROM {m:user}"
     " WHERE mnethostid = $3::bigint AND ((username = $1::text AND $1::text <> '')"
     " OR (idnumber = $2::text AND $2::text <> '')) ORDER BY id"},
    {Id::explain_memberships, "explain_memberships", 1,
     "SELECT c.id, coalesce(c.idnumber, '') AS idnumber, c.name, c.component, m.timeadded"
     " FROM {m:cohort_members} m JOIN {m:cohort} c ON c.id = m.cohortid"
     " WHERE m.userid = $1::bigint ORDER BY c.idnumber, c.id"},
    // The courses enrolling the given cohorts, and every cohort instance where the user is still
    // enrolled (a removal Moodle's hourly task has not applied yet), with the user's enrolment.
    // $1: cohort ids, $2: user id (0 for none).
    {Id::explain_courses, "explain_courses", 2,
     "SELECT e.customint1 AS cohortid, e.courseid, coalesce(c.shortname, '') AS shortname,"
     " e.status AS instance_status, ue.status AS enrolment_status,"
     " EXISTS (SELECT 1 FROM {m:grade_grades} g JOIN {m:grade_items} gi ON gi.id = g.itemid"
     " WHERE gi.courseid = e.courseid AND g.userid = $2::bigint AND g.finalgrade IS NOT NULL) AS has_grades,"
     " coalesce(ch.idnumber, '') AS cohort_idnumber"
     " FROM {m:enrol} e LEFT JOIN {m:course} c ON c.id = e.courseid"
     " LEFT JOIN {m:cohort} ch ON ch.id = e.customint1"
     " LEFT JOIN {m:user_enrolments} ue ON ue.enrolid = e.id AND ue.userid = $2::bigint"
     " WHERE e.enrol = 'cohort' AND (e.customint1 = ANY ($1::bigint[]) OR ue.id IS NOT NULL)"
     " ORDER BY e.courseid, e.id"},
    // Our cohorts with the given idnumbers. $1: our component, $2: idnumbers.
    {Id::explain_cohorts, "explain_cohorts", 2,
     "SELECT id, idnumber, name FROM {m:cohort} WHERE component = $1::text AND idnumber = ANY ($2::text[])"
     " ORDER BY idnumber, id"},
}};

std::string expand(std::string_view text, const MoodleConfig& config) {
    const std::string moodle_schema = quote_identifier(config.schema) + ".";
    const std::string state_schema = quote_identifier(config.state_schema);
    std::string out;
    out.reserve(text.size() + 64);
    std::size_t at = 0;
    while (at < text.size()) {
        const auto open = text.find('{', at);
        if (open == std::string_view::npos) {
            out.append(text.substr(at));
            break;
        }
        const auto close = text.find('}', open);
        out.append(text.substr(at, open - at));
        const auto token = text.substr(open + 1, close - open - 1);
        if (token == "s") {
            out += state_schema;
        } else if (token.starts_with("s:")) {
            out += state_schema + "." + quote_identifier(token.substr(2));
        } else if (token.starts_with("m:")) {
            out += moodle_schema + quote_identifier(config.prefix + std::string(token.substr(2)));
        } else {
            throw std::logic_error("unknown placeholder in SQL template: " + std::string(token));
        }
        at = close + 1;
    }
    return out;
}

// 32-bit FNV-1a: stable across builds and platforms, unlike std::hash.
std::uint32_t fnv1a(std::string_view data) {
    std::uint32_t hash = 2166136261u;
    for (const char c : data) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 16777619u;
    }
    return hash;
}

} // namespace

Statements::Statements(const MoodleConfig& config) {
    for (std::size_t i = 0; i < k_templates.size(); ++i) {
        const auto& entry = k_templates[i];
        if (static_cast<std::size_t>(entry.id) != i) {
            throw std::logic_error("SQL templates are out of order at " + std::string(entry.name));
        }
        m_statements[i] = Statement{entry.name, entry.parameters, expand(entry.text, config)};
    }
}

std::string quote_identifier(std::string_view name) {
    std::string quoted = "\"";
    for (const char c : name) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    quoted += '"';
    return quoted;
}

std::string text_array_literal(const std::vector<std::string_view>& values) {
    std::size_t size = 2;
    for (const auto value : values) {
        size += value.size() + 3;
    }
    std::string literal;
    literal.reserve(size);
    literal += '{';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            literal += ',';
        }
        // Quoting every element keeps "NULL", "", blanks, commas and braces plain text.
        literal += '"';
        for (const char c : values[i]) {
            if (c == '\0') {
                throw std::invalid_argument("a value holds a NUL byte, which PostgreSQL text cannot store");
            }
            if (c == '"' || c == '\\') {
                literal += '\\';
            }
            literal += c;
        }
        literal += '"';
    }
    literal += '}';
    return literal;
}

std::string int_array_literal(const std::vector<std::int64_t>& values) {
    std::string literal = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            literal += ',';
        }
        literal += std::to_string(values[i]);
    }
    literal += '}';
    return literal;
}

LockKeys lock_keys(const MoodleConfig& config) {
    // "cohs" in ASCII: the class of advisory locks that belong to cohort-sync.
    constexpr std::int32_t k_class_id = 0x636F6873;
    const std::string scope = config.schema + '.' + config.prefix;
    return LockKeys{k_class_id, static_cast<std::int32_t>(fnv1a(scope))};
}

} // namespace cohort_sync::sql
