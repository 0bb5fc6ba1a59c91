// Throwaway PostgreSQL and slapd for the integration tests: a C++ face over
// tests/harness/throwaway-servers, and helpers to set up and inspect what the servers hold.
//
// An integration test file starts the servers it needs once for the whole binary:
//
//     #include "servers.hpp"
//     namespace cst = cohort_sync::testing;
//     TEST(MoodleDb, LoadsCohorts) { cst::servers().psql("INSERT INTO mdl_cohort ..."); ... }
//     int main(int argc, char** argv) {
//         return cst::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/false);
//     }
//
// A server that cannot start fails the run (a missing binary is a failure, not a skip). The
// folder with the servers' logs is kept when a test failed, or always with
// COHORT_SYNC_KEEP_TEST_DIR=1.
#pragma once

#include "build_paths.hpp"

#include <gtest/gtest.h>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace cohort_sync::testing {

struct ServersRequest {
    bool postgres = false;
    bool slapd = false;
    // olcSizeLimit for every account but the rootdn: an unpaged search of more entries fails.
    int ldap_size_limit = 100;
    // How many entries one paged search may return in all: "unlimited", a number (a paged
    // search of more fails with sizeLimitExceeded midway) or "disabled" (the paged results
    // control is refused with adminLimitExceeded).
    std::string ldap_paged_total = "unlimited";
    // A throwaway CA and a server certificate for 127.0.0.1 signed by it: StartTLS on ldap_uri()
    // and ldaps:// on ldaps_uri(). Clients trust it only with ldap_ca_file().
    bool ldap_tls = false;
};

using Rows = std::vector<std::vector<std::string>>;

// Where make_student_ldif() puts students; the same as ldap_base() once slapd runs.
inline constexpr const char* k_ldap_people_base = "ou=people,dc=univ-test,dc=fr";

class ThrowawayServers {
public:
    static ThrowawayServers& instance();

    ThrowawayServers(const ThrowawayServers&) = delete;
    ThrowawayServers& operator=(const ThrowawayServers&) = delete;
    // At exit, for a main() that never called stop(); the watchdog covers crashes.
    ~ThrowawayServers() { stop(false); }

    // Creates /tmp/cohort-sync-test-XXXXXX, starts the servers on free ports, and a watchdog that
    // stops them should this process die without calling stop(). Throws std::runtime_error
    // saying which step failed, with the tail of the logs.
    void start(const ServersRequest& request);
    void start(bool postgres, bool slapd, int ldap_size_limit = 100);
    // Stops what start() started; removes the folder unless keep_logs (or
    // COHORT_SYNC_KEEP_TEST_DIR=1), then prints where the logs are. Never throws.
    void stop(bool keep_logs);
    bool running() const { return !m_dir.empty(); }

    const std::string& dir() const { return m_dir; }

    // PostgreSQL: database "moodle" holding tests/data/moodle/<version>/moodle_schema.sql (4.5, or
    // $COHORT_SYNC_MOODLE_VERSION), user cohort_admin, trust authentication on 127.0.0.1.
    const std::string& pg_conninfo() const;
    int pg_port() const { return m_pg_port; }

    // slapd: suffix dc=univ-test,dc=fr; students go under ldap_base() (ou=people). The reader
    // is cohort-sync's service account: it reads ou=people only, under the size limit. The
    // admin (rootdn) bypasses every limit: use it to set data up, never to test reads.
    const std::string& ldap_uri() const;
    const std::string& ldap_base() const;
    const std::string& ldap_admin_dn() const;
    const std::string& ldap_admin_password_file() const;
    const std::string& ldap_reader_dn() const;
    const std::string& ldap_reader_password_file() const;
    int ldap_port() const { return m_ldap_port; }
    int ldap_size_limit() const { return m_request.ldap_size_limit; }
    // With ServersRequest::ldap_tls only (std::logic_error otherwise).
    const std::string& ldaps_uri() const;
    const std::string& ldap_ca_file() const;

    // SQL helpers; each call opens its own connection to "moodle". Errors throw with the
    // server's message (which names the violated index, for instance).
    void psql(const std::string& sql) const;               // statements, one implicit transaction
    Rows query(const std::string& sql) const;              // text values; NULL as "NULL"
    std::string query_value(const std::string& sql) const; // first column of the only row
    // md5 of the table's rows in id order: equal checksums mean an untouched table.
    std::string table_checksum(const std::string& table) const;
    // Back to the fresh install of the Moodle fixture, dropping whatever a test added (tables and
    // schemas too): a copy of a template database, faster than loading the schema again.
    void reset_moodle() const;

    // Adds LDIF records as the admin (ldapmodify -a: records with a changetype work too).
    void ldap_add_ldif(const std::string& ldif) const;
    // DNs under base (base excluded), read as the admin.
    std::vector<std::string> ldap_list(const std::string& base) const;
    // Deletes every entry below base, keeping base itself.
    void ldap_delete_children(const std::string& base) const;
    void reset_ldap_people() const { ldap_delete_children(ldap_base()); }

    // Stop a server and start it again on the same port with the same data, to test what a run
    // does when a server is down.
    void stop_slapd();
    void start_slapd();
    void stop_postgres();
    void start_postgres();

private:
    ThrowawayServers() = default;

    void run_script(const std::string& what, const std::vector<std::string>& args) const;
    int pick_free_port() const;
    void start_postgres_server();
    void start_slapd_server();
    void refresh_signal_pids() const;
    void require_postgres() const;
    void require_slapd() const;

    ServersRequest m_request;
    pid_t m_owner = 0; // the process that started the servers
    std::string m_script;
    std::string m_dir;
    std::string m_log;
    int m_pg_port = 0;
    int m_ldap_port = 0;
    std::string m_pg_conninfo;
    std::string m_pg_admin_conninfo;
    std::string m_ldap_uri;
    std::string m_ldap_base;
    std::string m_ldap_admin_dn;
    std::string m_ldap_admin_password_file;
    std::string m_ldap_reader_dn;
    std::string m_ldap_reader_password_file;
    std::string m_ldaps_uri;
    std::string m_ldap_ca_file;
};

inline ThrowawayServers& servers() {
    return ThrowawayServers::instance();
}

// A SupAnn student as cohort-sync reads it.
struct StudentEntry {
    std::string uid;
    std::string etu_id;              // supannEtuId
    std::vector<std::string> etapes; // supannEtuEtape, e.g. "{UAI:0751717J}L1INFO"
    std::string given_name = "Camille";
    std::string surname = "Étudiant";
    std::string mail; // empty: <uid>@univ-test.fr
    std::vector<std::string> affiliations = {"student"};
    std::vector<std::string> inscriptions;                  // supannEtuInscription
    std::vector<std::pair<std::string, std::string>> extra; // more attributes, verbatim
};

// The whole content of a file; throws std::runtime_error naming the file when it cannot be read.
std::string read_file(const std::string& path);

// One LDIF record under ou=people, ending with an empty line so records concatenate. Values
// that LDIF cannot carry as plain text (accents, a leading space...) are base64-encoded.
std::string make_student_ldif(const StudentEntry& student);
std::string make_student_ldif(const std::string& uid, const std::string& etu_id,
                              const std::vector<std::string>& etapes);

// Starts the requested servers before the first test and stops them after the last, keeping
// the logs if anything failed.
class ServersEnvironment : public ::testing::Environment {
public:
    explicit ServersEnvironment(ServersRequest request)
        : m_request(std::move(request)) {}
    ServersEnvironment(bool postgres, bool slapd, int ldap_size_limit = 100)
        : m_request{.postgres = postgres, .slapd = slapd, .ldap_size_limit = ldap_size_limit} {}

    void SetUp() override;
    void TearDown() override;

private:
    ServersRequest m_request;
};

// For an integration test binary's main(): registers ServersEnvironment, makes SIGINT, SIGTERM
// and SIGHUP stop the servers before the process dies, and runs the tests.
int run_integration_tests(int argc, char** argv, const ServersRequest& request);
int run_integration_tests(int argc, char** argv, bool postgres, bool slapd, int ldap_size_limit = 100);

} // namespace cohort_sync::testing
