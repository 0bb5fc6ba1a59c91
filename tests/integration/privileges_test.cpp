// Least privilege: cohort-sync runs as a PostgreSQL role that holds exactly the grants listed in
// docs/security.md (and docs/operations.md), nothing else: not a superuser, not the owner of
// Moodle's tables, no access to password hashes. As that role every command works (dry run,
// sync, status, explain, check); without any one of the grants the sync fails with SQLSTATE
// 42501 and a hint pointing at the list, and writes nothing. So the list is both sufficient and
// minimal, and stays so as the SQL changes.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using nlohmann::json;

constexpr const char* k_role = "cohort_sync_role";

struct Grant {
    const char* what;
    std::string sql;
};

// The grants of docs/security.md, in its order. The database owner (or a superuser) runs them.
std::vector<Grant> grants() {
    const std::string to = std::string(" TO ") + k_role;
    return {
        {"CONNECT on the database", "GRANT CONNECT ON DATABASE moodle" + to},
        {"TEMPORARY on the database", "GRANT TEMPORARY ON DATABASE moodle" + to},
        {"USAGE on Moodle's schema", "GRANT USAGE ON SCHEMA public" + to},
        {"SELECT on mdl_config", "GRANT SELECT ON mdl_config" + to},
        {"SELECT on mdl_config_plugins", "GRANT SELECT ON mdl_config_plugins" + to},
        {"SELECT on seven columns of mdl_user",
         "GRANT SELECT (id, username, idnumber, auth, mnethostid, suspended, deleted) ON mdl_user" + to},
        {"SELECT on mdl_cohort", "GRANT SELECT ON mdl_cohort" + to},
        {"INSERT on mdl_cohort", "GRANT INSERT ON mdl_cohort" + to},
        {"UPDATE of name, idnumber and timemodified on mdl_cohort",
         "GRANT UPDATE (name, idnumber, timemodified) ON mdl_cohort" + to},
        {"SELECT on mdl_cohort_members", "GRANT SELECT ON mdl_cohort_members" + to},
        {"INSERT on mdl_cohort_members", "GRANT INSERT ON mdl_cohort_members" + to},
        {"DELETE on mdl_cohort_members", "GRANT DELETE ON mdl_cohort_members" + to},
        {"USAGE on mdl_cohort_id_seq", "GRANT USAGE ON SEQUENCE mdl_cohort_id_seq" + to},
        {"USAGE on mdl_cohort_members_id_seq", "GRANT USAGE ON SEQUENCE mdl_cohort_members_id_seq" + to},
        {"SELECT on mdl_enrol", "GRANT SELECT ON mdl_enrol" + to},
        {"SELECT on mdl_user_enrolments", "GRANT SELECT ON mdl_user_enrolments" + to},
        {"SELECT on mdl_course", "GRANT SELECT ON mdl_course" + to},
        {"SELECT on mdl_grade_items", "GRANT SELECT ON mdl_grade_items" + to},
        {"SELECT on mdl_grade_grades", "GRANT SELECT ON mdl_grade_grades" + to},
        {"the state schema, owned by the role",
         std::string("CREATE SCHEMA cohort_sync AUTHORIZATION ") + k_role},
    };
}

// What provisioning.enabled adds (docs/security.md): creating accounts and their contexts.
std::vector<Grant> provisioning_grants() {
    const std::string to = std::string(" TO ") + k_role;
    return {
        {"INSERT on mdl_user's account columns",
         "GRANT INSERT (auth, confirmed, mnethostid, username, idnumber, firstname, lastname, email, "
         "password,"
         " lang, country, city, calendartype, timecreated, timemodified) ON mdl_user" +
             to},
        {"USAGE on mdl_user_id_seq", "GRANT USAGE ON SEQUENCE mdl_user_id_seq" + to},
        {"SELECT on mdl_context's keys",
         "GRANT SELECT (id, contextlevel, instanceid, path) ON mdl_context" + to},
        {"INSERT on mdl_context", "GRANT INSERT (contextlevel, instanceid, depth, path) ON mdl_context" + to},
        {"UPDATE of mdl_context.path", "GRANT UPDATE (path) ON mdl_context" + to},
        {"USAGE on mdl_context_id_seq", "GRANT USAGE ON SEQUENCE mdl_context_id_seq" + to},
    };
}

std::vector<std::string> names_of(const std::vector<Grant>& list) {
    std::vector<std::string> names;
    for (const auto& grant : list) {
        names.emplace_back(grant.what);
    }
    return names;
}

// "SELECT on mdl_user" -> "SELECT_on_mdl_user": a test name.
std::string test_name_of(const std::string& what) {
    std::string name;
    for (const char c : what) {
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
    return name;
}

std::string role_conninfo() {
    return "host=127.0.0.1 port=" + std::to_string(cst::servers().pg_port()) + " user=" + k_role +
           " dbname=moodle";
}

// Runs `sql` as the role; returns the server's error message, empty when it succeeded.
std::string error_as_role(const std::string& sql) {
    const std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(role_conninfo().c_str()), PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        return PQerrorMessage(conn.get());
    }
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), PQclear);
    const auto status = PQresultStatus(result.get());
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? "" : PQresultErrorMessage(result.get());
}

class Privileges : public SiteTest {
protected:
    static void SetUpTestSuite() {
        cst::servers().psql(
            std::string("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '") + k_role +
            "') THEN CREATE ROLE " + k_role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$");
        cst::servers().reset_ldap_people();
        std::string ldif;
        for (int i = 1; i <= 20; ++i) {
            const std::string number = std::to_string(22900000 + i);
            ldif += cst::make_student_ldif("etu" + number, number, {i <= 10 ? "L1INFO" : "L2MATH"});
        }
        cst::servers().ldap_add_ldif(ldif);
    }

    // Moodle as last night left it: L1INFO under an old label with five of its students and one
    // who has left. Tonight's plan creates L2MATH, renames L1INFO, adds 15 members and removes
    // one: every kind of write, so every grant is needed.
    void SetUp() override {
        open_site("privileges", "apogee-inscriptions.csv", Directory::keep);
        std::vector<MoodleAccount> accounts = {{"etu22900099", "22900099"}};
        std::vector<ExportRow> rows;
        for (int i = 1; i <= 20; ++i) {
            const std::string number = std::to_string(22900000 + i);
            const std::string etape = i <= 10 ? "L1INFO" : "L2MATH";
            accounts.push_back({"etu" + number, number});
            rows.push_back({number, etape, etape == "L1INFO" ? "Licence 1 Informatique" : "Licence 2 Maths"});
            m_expected.push_back({"etape-" + etape, "etu" + number});
        }
        const auto ids = add_moodle_users(accounts);
        cst::servers().psql(
            "INSERT INTO mdl_cohort (contextid, name, idnumber, description, descriptionformat,"
            " visible, component, timecreated, timemodified, theme) VALUES (1, 'L1INFO: old label',"
            " 'etape-L1INFO', '', 1, 1, 'local_cohortsync', 100, 100, '')");
        std::string members;
        for (const std::size_t i : {0U, 1U, 2U, 3U, 4U, 5U}) {
            members += (members.empty() ? "" : ", ") + std::string("((SELECT id FROM mdl_cohort), ") +
                       ids[i] + ", 100)";
        }
        cst::servers().psql("INSERT INTO mdl_cohort_members (cohortid, userid, timeadded) VALUES " + members);

        write_export(m_export, rows);
        // One removal out of six memberships is a large share: these tests are about privileges.
        configure({{"moodle", {{"conninfo", role_conninfo()}}},
                   {"ldap", {{"institution_uai", ""}}},
                   {"guards", {{"max_total_removal_ratio", 1.0}, {"max_cohort_removal_ratio", 1.0}}}});
    }

    // PUBLIC's default rights (CONNECT and TEMPORARY on the database, USAGE on public) are taken
    // away first, so that only what is granted here counts.
    static void grant_all_but(const std::string& missing, const std::vector<Grant>& extra = {}) {
        std::string sql =
            "REVOKE ALL ON DATABASE moodle FROM PUBLIC; REVOKE ALL ON SCHEMA public FROM PUBLIC;";
        auto all = grants();
        all.insert(all.end(), extra.begin(), extra.end());
        for (const auto& grant : all) {
            if (grant.what != missing) {
                sql += grant.sql + ";";
            }
        }
        cst::servers().psql(sql);
    }

    // Provisioning on, and three of tonight's students without an account: the sync creates them.
    void need_provisioning() {
        cst::servers().psql(
            "DELETE FROM mdl_user WHERE username IN ('etu22900008', 'etu22900009', 'etu22900010')");
        enable_auth_plugins("cas");
        configure({{"provisioning", {{"enabled", true}, {"auth", "cas"}}}});
    }

    static cst::Rows members() {
        return cst::servers().query(
            "SELECT c.idnumber, u.username FROM mdl_cohort_members m JOIN mdl_cohort c ON"
            " c.id = m.cohortid JOIN mdl_user u ON u.id = m.userid ORDER BY 1, 2");
    }

    cst::Rows m_expected;
};

TEST_F(Privileges, TheRoleIsNeitherSuperuserNorOwnerAndCannotReadPasswords) {
    grant_all_but("");
    EXPECT_EQ(cst::servers().query_value(
                  std::string("SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls"
                              " FROM pg_roles WHERE rolname = '") +
                  k_role + "'"),
              "f");
    EXPECT_EQ(
        cst::servers().query_value(std::string("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid ="
                                               " c.relowner WHERE r.rolname = '") +
                                   k_role + "'"),
        "0");
    EXPECT_TRUE(contains(error_as_role("SELECT password FROM mdl_user"), "permission denied"));
    EXPECT_TRUE(contains(error_as_role("SELECT email FROM mdl_user"), "permission denied"));
    EXPECT_TRUE(contains(error_as_role("UPDATE mdl_user SET suspended = 1"), "permission denied"));
    EXPECT_TRUE(contains(error_as_role("DELETE FROM mdl_cohort"), "permission denied"));
    EXPECT_TRUE(contains(error_as_role("UPDATE mdl_cohort SET component = ''"), "permission denied"));
    EXPECT_TRUE(contains(error_as_role("DELETE FROM mdl_user_enrolments"), "permission denied"));
    EXPECT_TRUE(contains(error_as_role("CREATE TABLE public.x (id int)"), "permission denied"));
    EXPECT_EQ(error_as_role("SELECT id, username, idnumber FROM mdl_user"), "");
}

TEST_F(Privileges, EveryCommandWorksWithExactlyTheListedGrants) {
    grant_all_but("");

    const auto dry = run({"--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_TRUE(contains(dry.err, "plan: +15 -1 in 2 cohort(s), 1 new, 1 renamed")) << dry.describe();

    const auto sync = run();
    ASSERT_EQ(sync.exit_code, 0) << sync.describe();
    EXPECT_EQ(members(), m_expected);
    EXPECT_EQ(cst::servers().query_value("SELECT name FROM mdl_cohort WHERE idnumber = 'etape-L1INFO'"),
              "L1INFO: Licence 1 Informatique");

    const auto again = run();
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_TRUE(contains(again.err, "plan: +0 -0")) << again.describe();

    const auto status = run({"status"});
    EXPECT_EQ(status.exit_code, 0) << status.describe();
    const auto explain = run({"explain", "etu22900003"});
    EXPECT_EQ(explain.exit_code, 0) << explain.describe();
    EXPECT_TRUE(contains(explain.out, "etape-L1INFO")) << explain.describe();
    const auto check = run({"check"});
    EXPECT_EQ(check.exit_code, 0) << check.describe();
}

// The course-group preview reads mdl_groups and mdl_groups_members, which a role set up before
// it existed lacks: the listed grants still run every night, and the preview says the groups were
// not read; the optional grant makes it read them.
TEST_F(Privileges, TheCourseGroupPreviewSaysWhenItsOptionalGrantIsMissing) {
    grant_all_but("");
    const auto without = run({"--dry-run", "--format", "json"});
    ASSERT_EQ(without.exit_code, 0) << without.describe();
    EXPECT_EQ(nlohmann::json::parse(without.out).at("course_impact").at("groups_previewed"), false);
    const auto text = run({"--dry-run"});
    EXPECT_TRUE(contains(text.out, "note: course groups were not previewed")) << text.describe();

    cst::servers().psql(std::string("GRANT SELECT ON mdl_groups, mdl_groups_members TO ") + k_role);
    const auto with = run({"--dry-run", "--format", "json"});
    ASSERT_EQ(with.exit_code, 0) << with.describe();
    EXPECT_EQ(nlohmann::json::parse(with.out).at("course_impact").at("groups_previewed"), true);
}

class PrivilegesMissing : public Privileges, public ::testing::WithParamInterface<std::string> {};

TEST_P(PrivilegesMissing, SyncFailsWithPermissionDeniedAndWritesNothing) {
    grant_all_but(GetParam());
    const auto before = moodle_fingerprint();

    const auto sync = run();

    EXPECT_EQ(sync.exit_code, 1) << sync.describe();
    EXPECT_TRUE(contains(sync.err, "permission denied")) << sync.describe();
    if (GetParam() != "CONNECT on the database") {
        // At connect time the server's refusal comes without a statement: the connect hint applies.
        EXPECT_TRUE(contains(sync.err, "[SQLSTATE 42501]")) << sync.describe();
        EXPECT_TRUE(
            contains(sync.err, "HINT: grant the database user the privileges listed in docs/operations.md"))
            << sync.describe();
    }
    EXPECT_EQ(moodle_fingerprint(), before);
}

INSTANTIATE_TEST_SUITE_P(EachGrant, PrivilegesMissing, ::testing::ValuesIn(names_of(grants())),
                         [](const auto& test_info) { return test_name_of(test_info.param); });

// `check` finds the missing grant before a night does, and says how to give it. Without CONNECT
// the connection itself fails: the moodle line says so.
class CheckPrivilegesMissing : public Privileges, public ::testing::WithParamInterface<std::string> {};

TEST_P(CheckPrivilegesMissing, CheckFailsNamingTheGrant) {
    grant_all_but(GetParam());
    const auto check = run({"check"});
    EXPECT_EQ(check.exit_code, 6) << check.describe();
    if (GetParam() == "CONNECT on the database") {
        EXPECT_TRUE(line_starting(check.out, "moodle ").starts_with("moodle   FAILED")) << check.describe();
        return;
    }
    const auto grants_line = line_starting(check.out, "grants ");
    EXPECT_TRUE(grants_line.starts_with("grants   FAILED the role lacks ")) << check.describe();
    EXPECT_TRUE(contains(check.out, "HINT: as the database's owner")) << check.describe();
    const auto& what = GetParam();
    const auto object = what.substr(what.rfind(' ') + 1); // "mdl_enrol", "schema", "database", "role"
    if (object.starts_with("mdl_")) {
        EXPECT_TRUE(contains(grants_line, "\"" + object + "\"")) << check.describe();
        EXPECT_TRUE(contains(check.out, "GRANT " + what.substr(0, what.find(' ')))) << check.describe();
    } else {
        EXPECT_TRUE(contains(check.out,
                             what.starts_with("the state schema") ? "CREATE SCHEMA IF NOT EXISTS" : "GRANT "))
            << check.describe();
    }
}

INSTANTIATE_TEST_SUITE_P(EachGrant, CheckPrivilegesMissing, ::testing::ValuesIn(names_of(grants())),
                         [](const auto& test_info) { return test_name_of(test_info.param); });

TEST_F(Privileges, ProvisioningWorksWithItsListedGrants) {
    need_provisioning();
    grant_all_but("", provisioning_grants());

    const auto sync = run();

    ASSERT_EQ(sync.exit_code, 0) << sync.describe();
    EXPECT_EQ(members(), m_expected) << "the three new accounts joined their cohort";
    EXPECT_EQ(
        cst::servers().query_value("SELECT count(*) FROM mdl_user u JOIN mdl_context c ON"
                                   " c.contextlevel = 30 AND c.instanceid = u.id AND c.path IS NOT NULL"
                                   " WHERE u.username IN ('etu22900008', 'etu22900009', 'etu22900010')"),
        "3");
}

class ProvisioningPrivilegesMissing : public Privileges, public ::testing::WithParamInterface<std::string> {};

TEST_P(ProvisioningPrivilegesMissing, SyncFailsWithPermissionDeniedAndWritesNothing) {
    need_provisioning();
    grant_all_but(GetParam(), provisioning_grants());
    const auto before = moodle_fingerprint(); // mdl_user and mdl_context included

    const auto sync = run();

    EXPECT_EQ(sync.exit_code, 1) << sync.describe();
    EXPECT_TRUE(contains(sync.err, "permission denied")) << sync.describe();
    EXPECT_TRUE(contains(sync.err, "[SQLSTATE 42501]")) << sync.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
}

INSTANTIATE_TEST_SUITE_P(EachGrant, ProvisioningPrivilegesMissing,
                         ::testing::ValuesIn(names_of(provisioning_grants())),
                         [](const auto& test_info) { return test_name_of(test_info.param); });

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
