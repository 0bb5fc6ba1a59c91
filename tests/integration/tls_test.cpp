// TLS to the directory: slapd with a certificate signed by a throwaway CA that no system trusts,
// reached by ldaps:// and by ldap:// with StartTLS. Without ldap.ca_file every run must fail,
// saying that the certificate could not be verified and pointing at ldap.ca_file; with it, the
// run syncs. ldap.verify_certificate = false works, and says loudly on every run that it is on.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using nlohmann::json;

constexpr const char* k_verify_warning =
    "ldap.verify_certificate is false: the LDAP server's certificate is not "
    "checked";

class Tls : public SiteTest {
protected:
    static void SetUpTestSuite() {
        cst::servers().reset_ldap_people();
        std::string ldif;
        for (int i = 1; i <= 20; ++i) {
            const std::string number = std::to_string(22800000 + i);
            ldif += cst::make_student_ldif("etu" + number, number, {"{UAI:0751717J}L1INFO"});
        }
        cst::servers().ldap_add_ldif(ldif);
    }

    void SetUp() override {
        open_site("tls", "apogee-inscriptions.csv", Directory::keep);
        std::vector<MoodleAccount> accounts;
        std::vector<ExportRow> rows;
        for (int i = 1; i <= 20; ++i) {
            const std::string number = std::to_string(22800000 + i);
            accounts.push_back({"etu" + number, number});
            rows.push_back({number, "L1INFO", "Licence 1 Informatique"});
            m_expected.push_back({"etape-L1INFO", "etu" + number});
        }
        add_moodle_users(accounts);
        write_export(m_export, rows);
    }

    void configure_ldap(const json& ldap) { configure({{"ldap", ldap}}); }

    static cst::Rows members() {
        return cst::servers().query(
            "SELECT c.idnumber, u.username FROM mdl_cohort_members m JOIN mdl_cohort c ON"
            " c.id = m.cohortid JOIN mdl_user u ON u.id = m.userid ORDER BY 1, 2");
    }

    // A run that could not verify the server: exit 1, the URI and the cause named, ldap.ca_file
    // in the hint, and nothing written.
    void expect_refused_certificate(const RunResult& result, const std::string& uri) {
        EXPECT_EQ(result.exit_code, 1) << result.describe();
        EXPECT_TRUE(contains(result.err, "unable to connect to LDAP server " + uri)) << result.describe();
        EXPECT_TRUE(contains(line_starting_after_level(result.err, "HINT:"), "ldap.ca_file"))
            << result.describe();
        EXPECT_FALSE(contains(result.err, "source ldap:")) << result.describe();
        EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort"), "0");
    }

    // The run says that the server's certificate could not be verified, in the words of the TLS
    // library libldap was built with: GnuTLS (Debian 12) reports a failed ldaps:// handshake
    // without detail, so cohort-sync's hint names the likely cause ("a server certificate that
    // cannot be verified"); OpenSSL (Debian 13) names it itself ("certificate verify failed"),
    // and both may also say "certificate ... is not trusted" or "self-signed".
    static bool says_certificate_unverified(const std::string& err) {
        for (const char* wording :
             {"certificate that cannot be verified", "certificate verify failed",
              "certificate is not trusted", "self-signed certificate", "self signed certificate"}) {
            if (contains(err, wording)) {
                return true;
            }
        }
        return false;
    }

    // The first log line whose message starts with `prefix` (after the timestamp and level).
    static std::string line_starting_after_level(const std::string& log, const std::string& prefix) {
        return line_with(log, "] " + prefix);
    }

    cst::Rows m_expected;
};

TEST_F(Tls, LdapsWithoutTheCaFileFailsPointingAtCaFile) {
    configure_ldap({{"uris", {cst::servers().ldaps_uri()}}});

    const auto result = run();

    expect_refused_certificate(result, cst::servers().ldaps_uri());
    EXPECT_TRUE(says_certificate_unverified(result.err)) << result.describe();
}

TEST_F(Tls, StarttlsWithoutTheCaFileFailsPointingAtCaFile) {
    configure_ldap({{"uris", {cst::servers().ldap_uri()}}, {"starttls", true}});

    const auto result = run();

    expect_refused_certificate(result, cst::servers().ldap_uri());
    EXPECT_TRUE(contains(result.err, "TLS handshake failed")) << result.describe();
}

TEST_F(Tls, CaFileWithoutTheServersCaFailsNamingTheFile) {
    // The system's bundle: real CAs, none of which signed the throwaway server certificate.
    const std::string bundle = "/etc/ssl/certs/ca-certificates.crt";
    if (!fs::exists(bundle)) {
        GTEST_SKIP() << bundle << " is missing (package ca-certificates)";
    }
    configure_ldap({{"uris", {cst::servers().ldap_uri()}}, {"starttls", true}, {"ca_file", bundle}});

    const auto result = run();

    expect_refused_certificate(result, cst::servers().ldap_uri());
    EXPECT_TRUE(contains(result.err, "ldap.ca_file '" + bundle + "'")) << result.describe();
}

TEST_F(Tls, MissingCaFileIsAClearError) {
    configure_ldap({{"uris", {cst::servers().ldaps_uri()}}, {"ca_file", m_dir + "/no-such-ca.pem"}});

    const auto result = run();

    EXPECT_TRUE(result.exit_code == 1 || result.exit_code == 2) << result.describe();
    EXPECT_TRUE(contains(result.err, "no-such-ca.pem")) << result.describe();
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort"), "0");
}

TEST_F(Tls, LdapsWithTheCaFileSyncs) {
    configure_ldap({{"uris", {cst::servers().ldaps_uri()}}, {"ca_file", cst::servers().ldap_ca_file()}});

    const auto result = run();

    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "source ldap: 20 entries")) << result.describe();
    EXPECT_TRUE(contains(result.err, "from " + cst::servers().ldaps_uri())) << result.describe();
    EXPECT_FALSE(contains(result.err, k_verify_warning)) << result.describe();
    EXPECT_EQ(members(), m_expected);
}

TEST_F(Tls, StarttlsWithTheCaFileSyncsAndChecks) {
    configure_ldap({{"uris", {cst::servers().ldap_uri()}},
                    {"starttls", true},
                    {"ca_file", cst::servers().ldap_ca_file()}});

    const auto result = run();
    const auto check = run({"check"});

    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(members(), m_expected);
    EXPECT_EQ(check.exit_code, 0) << check.describe();
    EXPECT_TRUE(contains(line_with(check.out, "ldap"), "ok")) << check.describe();
}

// An admin who cannot get the CA yet may turn verification off: it works, and every run, real
// or dry, says so as a warning (journalctl -p warning shows it).
TEST_F(Tls, VerifyCertificateFalseWorksButWarnsOnEveryRun) {
    configure_ldap({{"uris", {cst::servers().ldaps_uri()}}, {"verify_certificate", false}});

    const auto first = run();
    const auto second = run();
    const auto dry = run({"--dry-run"});
    const auto quiet = run({"--quiet"});

    for (const auto* each : {&first, &second, &dry, &quiet}) {
        EXPECT_EQ(each->exit_code, 0) << each->describe();
        EXPECT_TRUE(contains(line_with(each->err, k_verify_warning), "warning")) << each->describe();
        EXPECT_TRUE(contains(each->err, "HINT: set ldap.ca_file")) << each->describe();
    }
    EXPECT_EQ(members(), m_expected);
}

TEST_F(Tls, ZzNoPasswordInAnyOutput) {
    const std::vector<std::string> passwords = {
        cst::read_file(cst::servers().ldap_reader_password_file()),
        cst::read_file(cst::servers().ldap_admin_password_file()),
    };
    ASSERT_GE(captured_outputs().size(), 8U);
    for (const auto& output : captured_outputs()) {
        for (const auto& password : passwords) {
            ASSERT_GE(password.size(), 8U);
            EXPECT_FALSE(contains(output, password)) << output;
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(
        argc, argv, cst::ServersRequest{.postgres = true, .slapd = true, .ldap_tls = true});
}
