// Which Moodle releases cohort-sync runs against, and which authentication plugins a site lets
// provisioned accounts log in with.
#include "cohort_sync/config.hpp"
#include "cohort_sync/moodle_auth.hpp"
#include "cohort_sync/moodle_version.hpp"

#include <gtest/gtest.h>

namespace {

using namespace cohort_sync;

TEST(MoodleRelease, ParsesWhatMoodleWritesInMdlConfig) {
    EXPECT_EQ(parse_moodle_release("4.5 (Build: 20241007)"), (MoodleRelease{4, 5}));
    EXPECT_EQ(parse_moodle_release("4.5.6 (Build: 20250811)"), (MoodleRelease{4, 5}));
    EXPECT_EQ(parse_moodle_release("5.1+ (Build: 20251205)"), (MoodleRelease{5, 1}));
    EXPECT_EQ(parse_moodle_release("5.2dev (Build: 20260130)"), (MoodleRelease{5, 2}));
    EXPECT_EQ(parse_moodle_release("10.0"), (MoodleRelease{10, 0}));
    EXPECT_FALSE(parse_moodle_release(""));
    EXPECT_FALSE(parse_moodle_release("Moodle 4.5"));
    EXPECT_FALSE(parse_moodle_release("5"));
    EXPECT_FALSE(parse_moodle_release("5."));
}

TEST(MoodleRelease, TestedReleasesAreTheFixtures) {
    EXPECT_EQ(tested_moodle_releases_text(), "4.5, 5.0, 5.1, 5.2");
}

TEST(MoodleRelease, TestedReleasesRunWithoutAWord) {
    for (const char* release : {"4.5.6 (Build: 20250811)", "5.0 (Build: 20250414)", "5.1+", "5.2.1"}) {
        const auto verdict = judge_moodle_release(release, "x", "");
        EXPECT_EQ(verdict.support, MoodleSupport::tested) << release;
        EXPECT_TRUE(verdict.message.empty()) << release;
    }
}

TEST(MoodleRelease, ANewerReleaseIsRefusedNamingTheSupportedOnesAndTheSetting) {
    const auto verdict = judge_moodle_release("5.3 (Build: 20261005)", "2026100500.00", "");
    EXPECT_EQ(verdict.support, MoodleSupport::refused);
    EXPECT_EQ(verdict.message,
              "Moodle 5.3 (Build: 20261005) (version 2026100500.00) is not a release cohort-sync "
              "is tested with: supported are Moodle 4.5, 5.0, 5.1, 5.2");
    EXPECT_NE(verdict.hint.find("\"moodle\": {\"accept_untested_version\": \"5.3\"}"), std::string::npos)
        << verdict.hint;
    EXPECT_EQ(judge_moodle_release("6.0", "", "").support, MoodleSupport::refused);
}

TEST(MoodleRelease, AcceptingOneNewerReleaseAcceptsThatOneOnly) {
    EXPECT_EQ(judge_moodle_release("5.3+ (Build: 20261120)", "", "5.3").support, MoodleSupport::accepted);
    EXPECT_EQ(judge_moodle_release("5.4", "", "5.3").support, MoodleSupport::refused);
    EXPECT_EQ(judge_moodle_release("5.3", "", "5.4").support, MoodleSupport::refused);
}

TEST(MoodleRelease, OlderOrUnreadableReleasesRunWithAWarning) {
    EXPECT_EQ(judge_moodle_release("4.4.3 (Build: 20240812)", "", "").support, MoodleSupport::older);
    const auto unknown = judge_moodle_release("", "", "");
    EXPECT_EQ(unknown.support, MoodleSupport::unknown);
    EXPECT_FALSE(unknown.message.empty());
}

TEST(MoodleAuth, ManualAndNologinAlwaysThenTheEnabledAndInstalledOnes) {
    EXPECT_EQ(usable_auth_plugins("", ""), (std::vector<std::string>{"manual", "nologin"}));
    EXPECT_EQ(usable_auth_plugins("ldap,cas", "cas,ldap,manual,nologin"),
              (std::vector<std::string>{"manual", "nologin", "ldap", "cas"}));
    EXPECT_EQ(join_plugins(usable_auth_plugins(" ldap , oauth2", "ldap,oauth2")),
              "manual, nologin, ldap, oauth2");
}

// CAS on a site upgraded to 5.0: still in the enabled list, its code gone. Moodle ignores it.
TEST(MoodleAuth, AnEnabledPluginWhoseCodeIsGoneIsNotUsable) {
    EXPECT_EQ(usable_auth_plugins("cas,ldap", "db,email,ldap,manual,nologin"),
              (std::vector<std::string>{"manual", "nologin", "ldap"}));
}

TEST(ProvisioningConfig, EnabledWithoutAnAuthPluginIsAnErrorNamingTheKey) {
    const std::string base = R"({"ldap": {"uris": ["ldaps://ldap.univ-exemple.fr"], "base_dn": "dc=x"},
        "apogee": {"path": "/tmp/apogee.csv"}, "moodle": {"conninfo": "service=moodle"},
        "provisioning": {"enabled": true)";
    const auto missing = parse_config(base + "}}", "c.json");
    EXPECT_FALSE(missing.config);
    ASSERT_FALSE(missing.problems.empty());
    EXPECT_EQ(missing.problems.front().locator, "/provisioning/auth");
    EXPECT_NE(missing.problems.front().message.find("provisioning.auth is not set"), std::string::npos);

    const auto set = parse_config(base + R"(, "auth": "ldap"}})", "c.json");
    ASSERT_TRUE(set.config);
    EXPECT_EQ(set.config->provisioning.auth, "ldap");
    EXPECT_TRUE(parse_config(base.substr(0, base.rfind("true")) + "false}}", "c.json").config)
        << "no auth needed while provisioning is off";
}

} // namespace
