// LdapDirectory against a real slapd (SupAnn schema, olcSizeLimit 100 for the reader account).
#include "cohort_sync/error.hpp"
#include "cohort_sync/io/ldap_directory.hpp"
#include "cohort_sync/io/secret.hpp"
#include "cohort_sync/ldap_filter.hpp"
#include "cohort_sync/source.hpp"
#include "servers.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

namespace cst = cohort_sync::testing;

namespace cohort_sync {
namespace {

// Integration binaries link GoogleTest without GoogleMock: small helpers instead of matchers.
::testing::AssertionResult has(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "'" << part << "' is not in '" << text << "'";
}

::testing::AssertionResult lacks(const std::string& text, const std::string& part) {
    if (text.find(part) == std::string::npos) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "'" << part << "' is in '" << text << "'";
}

std::vector<std::string> sorted(std::vector<std::string> values) {
    std::ranges::sort(values);
    return values;
}

constexpr int k_students = 1000;
constexpr int k_staff = 7;

LdapConfig reader_config() {
    const auto& servers = cst::servers();
    LdapConfig config;
    config.uris = {servers.ldap_uri()};
    config.starttls = false; // the throwaway slapd has no TLS
    config.bind_dn = servers.ldap_reader_dn();
    config.password_file = servers.ldap_reader_password_file();
    config.base_dn = servers.ldap_base();
    config.page_size = 50;
    config.network_timeout_seconds = 5;
    config.timeout_seconds = 30;
    return config;
}

LdapDirectory make_directory(const LdapConfig& config, LdapDirectory::Progress progress = {}) {
    return LdapDirectory(config, read_ldap_password(config, nullptr).value, std::move(progress));
}

// The directory as a sync uses it: the adapter's read, then the directory source kind's
// acceptance (which of two entries sharing a key counts, entries missing a key).
DirectoryRead accepted(LdapDirectory&& directory, const LdapConfig& ldap) {
    cohort_sync::Config config;
    config.ldap = ldap;
    auto read = cohort_sync::source_kind("ldap").accept(directory.read(), config, {});
    return std::get<DirectoryRead>(std::move(read.records));
}

DirectoryRead accepted(LdapDirectory& directory, const LdapConfig& ldap) {
    return accepted(std::move(directory), ldap);
}

std::string student_dn(const std::string& uid) {
    return "uid=" + uid + "," + cst::servers().ldap_base();
}

std::string student_uid(int i) {
    return fmt::format("etu{:04d}", i);
}

// 1,000 students and a few staff members, in one ldapadd.
void load_people() {
    std::string ldif;
    for (int i = 0; i < k_students; ++i) {
        ldif += cst::make_student_ldif(student_uid(i), std::to_string(21900000 + i),
                                       {"{UAI:0141408E}L1INFO", "{UAI:0141408E}L1MATH"});
    }
    for (int i = 0; i < k_staff; ++i) {
        cst::StudentEntry staff;
        staff.uid = "staff" + std::to_string(i);
        staff.affiliations = {"staff", "employee"};
        ldif += cst::make_student_ldif(staff);
    }
    cst::servers().ldap_add_ldif(ldif);
}

// An entry written by hand, for shapes make_student_ldif() does not make.
std::string person_ldif(const std::string& rdn,
                        const std::vector<std::pair<std::string, std::string>>& attributes) {
    std::string ldif = "dn: " + rdn + "," + cst::servers().ldap_base() +
                       "\nobjectClass: inetOrgPerson\nobjectClass: eduPerson\nobjectClass: supannPerson\n"
                       "eduPersonAffiliation: student\n";
    for (const auto& [name, value] : attributes) {
        ldif += name + ": " + value + "\n";
    }
    return ldif + "\n";
}

const Issue* find_issue(const DirectoryRead& read, const std::string& locator) {
    const auto it = std::ranges::find(read.issues, locator, &Issue::locator);
    return it == read.issues.end() ? nullptr : &*it;
}

template <typename F> SourceError expect_source_error(F&& f) {
    try {
        f();
    } catch (const SourceError& e) {
        return e;
    }
    ADD_FAILURE() << "expected a SourceError";
    return SourceError("(none)");
}

// Starts slapd again at the end of a test that stopped it, whatever the test's outcome.
struct RestartSlapd {
    RestartSlapd() = default;
    RestartSlapd(const RestartSlapd&) = delete;
    RestartSlapd& operator=(const RestartSlapd&) = delete;
    ~RestartSlapd() {
        if (stopped) {
            try {
                cst::servers().start_slapd();
            } catch (const std::exception& e) {
                ADD_FAILURE() << "starting slapd again failed: " << e.what();
            }
        }
    }
    void stop() {
        cst::servers().stop_slapd();
        stopped = true;
    }
    bool stopped = false;
};

class LdapDirectoryTest : public ::testing::Test {
protected:
    void SetUp() override { cst::servers().reset_ldap_people(); }
    void TearDown() override { cst::servers().reset_ldap_people(); }
};

// ---- Complete reads -------------------------------------------------------------------------

TEST_F(LdapDirectoryTest, PagedReadReturnsEveryStudentPastTheSizeLimit) {
    load_people();
    std::vector<std::pair<int, int>> progress;
    auto directory = make_directory(reader_config(),
                                    [&](int entries, int pages) { progress.emplace_back(entries, pages); });

    const DirectoryRead read = accepted(directory, reader_config());

    ASSERT_EQ(read.entries.size(), static_cast<std::size_t>(k_students));
    EXPECT_EQ(read.pages, 20);
    EXPECT_EQ(read.uri, cst::servers().ldap_uri());
    EXPECT_TRUE(read.issues.empty());
    std::vector<std::string> logins;
    for (const auto& entry : read.entries) {
        logins.push_back(entry.login);
        EXPECT_TRUE(lacks(entry.login, "staff"));
    }
    std::ranges::sort(logins);
    EXPECT_EQ(std::ranges::unique(logins).size(), 0U);
    EXPECT_EQ(logins.front(), student_uid(0));
    EXPECT_EQ(logins.back(), student_uid(k_students - 1));

    ASSERT_EQ(progress.size(), 20U);
    for (std::size_t i = 0; i < progress.size(); ++i) {
        EXPECT_EQ(progress[i], std::make_pair(static_cast<int>(50 * (i + 1)), static_cast<int>(i + 1)));
    }
}

TEST_F(LdapDirectoryTest, PagesLargerThanTheSizeLimitAreServedWhole) {
    // slapd caps the total of a paged search with size.prtotal (unlimited here), not each
    // page with the plain size limit: a 200-entry page passes a limit of 100.
    load_people();
    auto config = reader_config();
    config.page_size = 200;
    const DirectoryRead read = accepted(make_directory(config), config);
    EXPECT_EQ(read.entries.size(), static_cast<std::size_t>(k_students));
    EXPECT_EQ(read.pages, 5);
}

TEST_F(LdapDirectoryTest, MapsTheConfiguredAttributes) {
    cst::StudentEntry student;
    student.uid = "cdurand";
    student.etu_id = "21812345";
    student.etapes = {"{UAI:0141408E}L1INFO", "{UAI:0141408E}L2MATH-101", "L3PHYS"};
    student.given_name = "Zoé";
    student.surname = "Durand-Ñúñez";
    student.mail = "zoe.durand@etu.univ-test.fr";
    cst::servers().ldap_add_ldif(cst::make_student_ldif(student));

    const DirectoryRead read = accepted(make_directory(reader_config()), reader_config());

    ASSERT_EQ(read.entries.size(), 1U);
    const DirectoryEntry& entry = read.entries.front();
    EXPECT_EQ(entry.dn, student_dn("cdurand"));
    EXPECT_EQ(entry.login, "cdurand");
    EXPECT_EQ(entry.student_number, "21812345");
    EXPECT_EQ(sorted(entry.etape_values),
              sorted({"{UAI:0141408E}L1INFO", "{UAI:0141408E}L2MATH-101", "L3PHYS"}));
    EXPECT_EQ(entry.first_name, "Zoé");
    EXPECT_EQ(entry.last_name, "Durand-Ñúñez");
    EXPECT_EQ(entry.mail, "zoe.durand@etu.univ-test.fr");
    EXPECT_EQ(read.pages, 1);
    EXPECT_TRUE(read.issues.empty());
}

TEST_F(LdapDirectoryTest, AttributeNamesInTheConfigurationMatchWhateverTheirCase) {
    cst::servers().ldap_add_ldif(cst::make_student_ldif("mcase", "21800001", {"{UAI:0141408E}L1INFO"}));
    auto config = reader_config();
    config.attributes.login = "UID";
    config.attributes.student_number = "supannetuid";
    config.attributes.etapes = "SUPANNETUETAPE";
    const DirectoryRead read = accepted(make_directory(config), config);
    ASSERT_EQ(read.entries.size(), 1U);
    EXPECT_EQ(read.entries[0].login, "mcase");
    EXPECT_EQ(read.entries[0].student_number, "21800001");
    EXPECT_EQ(sorted(read.entries[0].etape_values), sorted({"{UAI:0141408E}L1INFO"}));
}

TEST_F(LdapDirectoryTest, UnpagedReadWithinTheSizeLimitIsOneSearch) {
    std::string ldif;
    for (int i = 0; i < 30; ++i) {
        ldif += cst::make_student_ldif(student_uid(i), std::to_string(21900000 + i), {"L1INFO"});
    }
    cst::servers().ldap_add_ldif(ldif);
    auto config = reader_config();
    config.paged_results = false;
    const DirectoryRead read = accepted(make_directory(config), config);
    EXPECT_EQ(read.entries.size(), 30U);
    EXPECT_EQ(read.pages, 1);
}

TEST_F(LdapDirectoryTest, EmptyResultIsNotAnError) {
    // An empty list is a valid answer here; the guards (min_directory_entries) judge it.
    const DirectoryRead read = accepted(make_directory(reader_config()), reader_config());
    EXPECT_TRUE(read.entries.empty());
    EXPECT_EQ(read.pages, 1);
}

// ---- Partial results are errors -------------------------------------------------------------

TEST_F(LdapDirectoryTest, UnpagedReadOverTheSizeLimitIsAnError) {
    load_people();
    auto config = reader_config();
    config.paged_results = false;
    auto directory = make_directory(config);
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "size limit"));
    EXPECT_TRUE(has(e.what(), "only part of the entries"));
    EXPECT_TRUE(has(e.what(), cst::servers().ldap_uri()));
    EXPECT_TRUE(has(e.hint(), "ldap.paged_results"));
}

TEST_F(LdapDirectoryTest, ConnectionLostBetweenPagesIsAnErrorNamingThePage) {
    load_people();
    RestartSlapd restart;
    auto directory = make_directory(reader_config(), [&](int, int pages) {
        if (pages == 2) {
            restart.stop();
        }
    });
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "page 3, after 100 entries"));
    EXPECT_TRUE(has(e.what(), "only part of the entries"));
    EXPECT_TRUE(has(e.what(), cst::servers().ldap_uri()));
}

TEST_F(LdapDirectoryTest, SearchReferenceInsideTheBaseIsAnError) {
    cst::servers().ldap_add_ldif(cst::make_student_ldif("aref", "21800002", {"L1INFO"}));
    const std::string referral_dn = "ou=elsewhere," + cst::servers().ldap_base();
    cst::servers().ldap_add_ldif("dn: " + referral_dn +
                                 "\nobjectClass: referral\nobjectClass: extensibleObject\nou: elsewhere\n"
                                 "ref: ldap://other.univ-test.fr/" +
                                 referral_dn + "\n\n");
    // ManageDsaIT: without it slapd answers the delete with the referral itself.
    struct DeleteReferral {
        std::string dn;
        ~DeleteReferral() {
            cst::servers().ldap_add_ldif("dn: " + dn +
                                         "\ncontrol: 2.16.840.1.113730.3.4.2 true\nchangetype: delete\n\n");
        }
    } cleanup{referral_dn};

    auto directory = make_directory(reader_config());
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "ldap://other.univ-test.fr/"));
    EXPECT_TRUE(has(e.what(), "only part of the entries"));
    EXPECT_TRUE(has(e.hint(), "does not follow referrals"));

    auto config = reader_config();
    config.base_dn = referral_dn;
    auto at_referral = make_directory(config);
    const SourceError base = expect_source_error([&] { at_referral.read(); });
    EXPECT_TRUE(has(base.what(), "referral to 'ldap://other.univ-test.fr/"));
}

TEST_F(LdapDirectoryTest, BadBaseDnIsNoSuchObject) {
    auto config = reader_config();
    config.base_dn = "ou=nowhere,dc=univ-test,dc=fr";
    auto directory = make_directory(config);
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "'ou=nowhere,dc=univ-test,dc=fr' does not exist"));
    EXPECT_TRUE(has(e.what(), "nothing was read"));
    EXPECT_TRUE(has(e.hint(), "ldap.base_dn"));
}

TEST_F(LdapDirectoryTest, InvalidFilterIsAnError) {
    auto config = reader_config();
    config.filter = "(eduPersonAffiliation=student";
    auto directory = make_directory(config);
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "(eduPersonAffiliation=student"));
    EXPECT_TRUE(has(e.hint(), "ldap.filter"));
}

TEST_F(LdapDirectoryTest, AnonymousBindSeesNoPeopleAndSaysSo) {
    // The reader ACL hides ou=people from anonymous binds: an error, never an empty list.
    cst::servers().ldap_add_ldif(cst::make_student_ldif("anon", "21800003", {"L1INFO"}));
    auto config = reader_config();
    config.bind_dn.clear();
    config.password_file.clear();
    auto directory = make_directory(config);
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "does not exist"));
}

// ---- Connecting -----------------------------------------------------------------------------

TEST_F(LdapDirectoryTest, CheckReturnsTheUriThatAnswered) {
    auto config = reader_config();
    EXPECT_EQ(make_directory(config).check(), cst::servers().ldap_uri());
}

TEST_F(LdapDirectoryTest, FailoverSkipsADeadServer) {
    cst::servers().ldap_add_ldif(cst::make_student_ldif("fover", "21800004", {"L1INFO"}));
    auto config = reader_config();
    config.uris = {"ldap://127.0.0.1:1", cst::servers().ldap_uri()};
    auto directory = make_directory(config);
    EXPECT_EQ(directory.check(), cst::servers().ldap_uri());
    const DirectoryRead read = accepted(directory, config);
    EXPECT_EQ(read.uri, cst::servers().ldap_uri());
    EXPECT_EQ(read.entries.size(), 1U);
}

TEST_F(LdapDirectoryTest, StoppedServerIsAnErrorNamingTheUri) {
    RestartSlapd restart;
    restart.stop();
    auto directory = make_directory(reader_config());
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "unable to connect to LDAP server " + cst::servers().ldap_uri()));
    EXPECT_TRUE(has(e.what(), "Can't contact LDAP server"));
    EXPECT_TRUE(has(e.hint(), "slapd running"));
    EXPECT_TRUE(has(e.hint(), "ldap.uris"));
    expect_source_error([&] { directory.check(); });
}

TEST_F(LdapDirectoryTest, EveryDeadServerIsNamed) {
    auto config = reader_config();
    config.uris = {"ldap://127.0.0.1:1", "ldap://127.0.0.1:2/"};
    auto directory = make_directory(config);
    const SourceError e = expect_source_error([&] { directory.check(); });
    EXPECT_TRUE(has(e.what(), "any of the 2 LDAP servers"));
    EXPECT_TRUE(has(e.what(), "ldap://127.0.0.1:1: Can't contact LDAP server"));
    EXPECT_TRUE(has(e.what(), "ldap://127.0.0.1:2/: Can't contact LDAP server"));
    EXPECT_TRUE(has(e.hint(), "slapd running"));
}

TEST_F(LdapDirectoryTest, MalformedUriIsAConfigErrorWithTheSecretMasked) {
    // LDAP URLs have no userinfo; libldap refuses them, and the message must not echo it.
    auto config = reader_config();
    config.uris = {"ldap://cn=x:hunter2@127.0.0.1:2"};
    auto directory = make_directory(config);
    try {
        directory.check();
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_TRUE(has(e.what(), "ldap.uris"));
        EXPECT_TRUE(has(e.what(), "ldap://cn=x:********@127.0.0.1:2"));
        EXPECT_TRUE(lacks(e.what(), "hunter2"));
    }
}

TEST_F(LdapDirectoryTest, WrongPasswordIsInvalidCredentials) {
    auto config = reader_config();
    config.password_file = cst::servers().dir() + "/wrong.password";
    std::ofstream(config.password_file) << "Not-The-Password-42\n";
    auto directory = make_directory(config);
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_EQ(std::string(e.what()), "LDAP bind as '" + config.bind_dn + "' to " + cst::servers().ldap_uri() +
                                         " failed: invalid credentials");
    EXPECT_TRUE(has(e.hint(), config.password_file));
    EXPECT_TRUE(lacks(e.what(), "Not-The-Password"));
    EXPECT_TRUE(lacks(e.hint(), "Not-The-Password"));
}

TEST_F(LdapDirectoryTest, WrongPasswordIsNotRetriedOnTheNextServer) {
    // The same account on a replica would fail too; more attempts could lock it.
    auto config = reader_config();
    config.uris = {cst::servers().ldap_uri(), "ldap://127.0.0.1:1"};
    LdapDirectory directory(config, "Not-The-Password-42");
    const SourceError e = expect_source_error([&] { directory.check(); });
    EXPECT_TRUE(has(e.what(), "invalid credentials"));
    EXPECT_TRUE(lacks(e.what(), "127.0.0.1:1"));
}

TEST_F(LdapDirectoryTest, StartTlsRefusedByTheServerIsAnErrorWithAHint) {
    auto config = reader_config();
    config.starttls = true;
    auto directory = make_directory(config);
    const SourceError e = expect_source_error([&] { directory.check(); });
    EXPECT_TRUE(has(e.what(), "StartTLS"));
    EXPECT_TRUE(has(e.hint(), "ldaps://"));
}

TEST(LdapDirectoryConfig, BindDnWithEmptyPasswordIsRefused) {
    // A DN with no password is an unauthenticated bind, which some servers take as anonymous.
    auto config = reader_config();
    EXPECT_THROW(LdapDirectory(config, ""), ConfigError);
}

// ---- Entries the run must know about --------------------------------------------------------

TEST_F(LdapDirectoryTest, EntryWithoutUidIsKeptWithAWarning) {
    cst::servers().ldap_add_ldif(cst::make_student_ldif("okay", "21800010", {"L1INFO"}) +
                                 person_ldif("cn=No Login", {{"cn", "No Login"},
                                                             {"sn", "Login"},
                                                             {"supannEtuId", "21800011"},
                                                             {"supannEtuEtape", "L1INFO"}}));
    const DirectoryRead read = accepted(make_directory(reader_config()), reader_config());
    ASSERT_EQ(read.entries.size(), 2U);
    const std::string dn = "cn=No Login," + cst::servers().ldap_base();
    const Issue* issue = find_issue(read, dn);
    ASSERT_NE(issue, nullptr);
    EXPECT_EQ(issue->severity, Severity::warning);
    EXPECT_EQ(issue->message, "entry has no 'uid' attribute");
    EXPECT_EQ(read.issues.size(), 1U);
}

TEST_F(LdapDirectoryTest, EntryWithoutStudentNumberIsKeptWithAWarning) {
    cst::StudentEntry student;
    student.uid = "noetuid";
    student.etapes = {"L1INFO"};
    cst::servers().ldap_add_ldif(cst::make_student_ldif(student));
    const DirectoryRead read = accepted(make_directory(reader_config()), reader_config());
    ASSERT_EQ(read.entries.size(), 1U);
    EXPECT_TRUE(read.entries[0].student_number.empty());
    const Issue* issue = find_issue(read, student_dn("noetuid"));
    ASSERT_NE(issue, nullptr);
    EXPECT_EQ(issue->message, "entry has no 'supannEtuId' attribute");
}

TEST_F(LdapDirectoryTest, DuplicateStudentNumberKeepsTheFirstEntry) {
    cst::servers().ldap_add_ldif(cst::make_student_ldif("first", "21800020", {"L1INFO"}) +
                                 cst::make_student_ldif("second", "21800020", {"L2INFO"}) +
                                 cst::make_student_ldif("other", "21800021", {"L1INFO"}));
    const DirectoryRead read = accepted(make_directory(reader_config()), reader_config());
    ASSERT_EQ(read.entries.size(), 2U);
    const Issue* issue = find_issue(read, student_dn("second"));
    ASSERT_NE(issue, nullptr);
    EXPECT_EQ(issue->severity, Severity::warning);
    EXPECT_TRUE(has(issue->message, "'21800020'"));
    EXPECT_TRUE(has(issue->message, student_dn("first")));
    EXPECT_TRUE(has(issue->message, "left out"));
    EXPECT_TRUE(std::ranges::none_of(read.entries, [](const auto& e) { return e.login == "second"; }));
}

TEST_F(LdapDirectoryTest, DuplicateLoginIgnoringCaseKeepsTheFirstEntry) {
    cst::servers().ldap_add_ldif(
        person_ldif(
            "cn=Jean Dupont",
            {{"cn", "Jean Dupont"}, {"sn", "Dupont"}, {"uid", "jdupont"}, {"supannEtuId", "21800030"}}) +
        person_ldif(
            "cn=Jean Dupont 2",
            {{"cn", "Jean Dupont 2"}, {"sn", "Dupont"}, {"uid", "JDupont"}, {"supannEtuId", "21800031"}}));
    const DirectoryRead read = accepted(make_directory(reader_config()), reader_config());
    ASSERT_EQ(read.entries.size(), 1U);
    EXPECT_EQ(read.entries[0].login, "jdupont");
    const Issue* issue = find_issue(read, "cn=Jean Dupont 2," + cst::servers().ldap_base());
    ASSERT_NE(issue, nullptr);
    EXPECT_TRUE(has(issue->message, "'JDupont'"));
    EXPECT_TRUE(has(issue->message, "cn=Jean Dupont," + cst::servers().ldap_base()));
}

TEST_F(LdapDirectoryTest, MultiValuedLoginUsesTheFirstWithAWarning) {
    cst::servers().ldap_add_ldif(person_ldif("cn=Two Logins", {{"cn", "Two Logins"},
                                                               {"sn", "Logins"},
                                                               {"uid", "alpha"},
                                                               {"uid", "beta"},
                                                               {"supannEtuId", "21800040"}}));
    const DirectoryRead read = accepted(make_directory(reader_config()), reader_config());
    ASSERT_EQ(read.entries.size(), 1U);
    EXPECT_EQ(read.entries[0].login, "alpha");
    const Issue* issue = find_issue(read, "cn=Two Logins," + cst::servers().ldap_base());
    ASSERT_NE(issue, nullptr);
    EXPECT_TRUE(has(issue->message, "2 'uid' values"));
    EXPECT_TRUE(has(issue->message, "the first, 'alpha', is used"));
}

TEST_F(LdapDirectoryTest, UidWithFilterMetacharactersIsReadAndMatchedExactly) {
    const std::string odd = "o*b(r)i\\en";
    cst::servers().ldap_add_ldif(
        person_ldif("cn=Odd Login",
                    {{"cn", "Odd Login"}, {"sn", "Login"}, {"uid", odd}, {"supannEtuId", "21800050"}}) +
        cst::make_student_ldif("plain1", "21800051", {"L1INFO"}) +
        cst::make_student_ldif("plain2", "21800052", {"L1INFO"}));

    const DirectoryRead all = accepted(make_directory(reader_config()), reader_config());
    ASSERT_EQ(all.entries.size(), 3U);
    EXPECT_EQ(std::ranges::count(all.entries, odd, &DirectoryEntry::login), 1);

    auto config = reader_config();
    config.filter = "(&(eduPersonAffiliation=student)" + equality_filter("uid", odd) + ")";
    const DirectoryRead one = accepted(make_directory(config), config);
    ASSERT_EQ(one.entries.size(), 1U);
    EXPECT_EQ(one.entries[0].login, odd);

    // Escaped, an injection attempt is a value nobody has, not a wildcard.
    for (const std::string attempt : {"*", "*)(uid=*", "plain1)(|(objectClass=*"}) {
        config.filter = "(&(eduPersonAffiliation=student)" + equality_filter("uid", attempt) + ")";
        EXPECT_TRUE(accepted(make_directory(config), config).entries.empty()) << attempt;
    }
}

// ---- Limits on paged searches (slapd restarted with other limits) ----------------------------

// Runs each test against a slapd whose paged searches are limited as `paged_total` says, then
// brings back the default server for the tests that follow.
class LdapDirectoryPagedLimitTest : public ::testing::Test {
protected:
    static void restart(const std::string& paged_total) {
        auto& servers = cst::servers();
        servers.stop(::testing::UnitTest::GetInstance()->Failed());
        cst::ServersRequest request;
        request.slapd = true;
        request.ldap_paged_total = paged_total;
        servers.start(request);
    }
    void TearDown() override { restart("unlimited"); }
};

TEST_F(LdapDirectoryPagedLimitTest, TotalLimitReachedMidwayIsAnErrorNamingThePage) {
    restart("300");
    load_people();
    auto directory = make_directory(reader_config());
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "size limit"));
    EXPECT_TRUE(has(e.what(), "failed at page 7, after 300 entries"));
    EXPECT_TRUE(has(e.what(), "only part of the entries"));
    EXPECT_TRUE(has(e.hint(), "size.prtotal"));
}

TEST_F(LdapDirectoryPagedLimitTest, PagedResultsRefusedByTheServerIsAnError) {
    restart("disabled");
    cst::servers().ldap_add_ldif(cst::make_student_ldif("refused", "21800060", {"L1INFO"}));
    auto directory = make_directory(reader_config());
    const SourceError e = expect_source_error([&] { directory.read(); });
    EXPECT_TRUE(has(e.what(), "failed at page 1"));
    EXPECT_TRUE(has(e.what(), "LDAP result 11"));
    EXPECT_TRUE(has(e.what(), "pagedResults control not allowed"));
    EXPECT_TRUE(has(e.what(), "nothing was read"));
    EXPECT_TRUE(has(e.hint(), "ldap.page_size"));
}

} // namespace
} // namespace cohort_sync

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/false, /*slapd=*/true);
}
