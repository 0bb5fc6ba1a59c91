#include "cohort_sync/guard.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace cohort_sync {
namespace {

CohortPlan cohort_losing(int removes, int current_size, std::string idnumber = "etape-X") {
    CohortPlan c;
    c.cohort_id = 1;
    c.idnumber = std::move(idnumber);
    c.current_size = current_size;
    for (int i = 0; i < removes; ++i) {
        c.removes.push_back({i + 1, "u" + std::to_string(i), ""});
    }
    return c;
}

struct GuardFixture : ::testing::Test {
    Plan plan;
    SourceCounts counts{
        {{"directory_entries", 1000}, {"export_inscriptions", 2500}}, 1000, {{"L1INFO", 300}, {"M2TINY", 5}}};
    std::optional<SourceCounts> last = counts;
    GuardConfig limits;
    const std::vector<std::string>* auth_plugins = nullptr;

    std::vector<GuardVerdict> verdicts() {
        plan.managed_memberships = 2500;
        return evaluate_guards(
            {plan, counts, last, {&source_kind("ldap"), &source_kind("export")}, nullptr, auth_plugins},
            limits);
    }
    std::vector<std::string> tripped() {
        std::vector<std::string> names;
        for (const auto& v : verdicts()) {
            if (v.tripped) {
                names.push_back(v.guard);
            }
        }
        return names;
    }
};

TEST_F(GuardFixture, QuietNightTripsNothing) {
    plan.cohorts = {cohort_losing(3, 300)};
    EXPECT_TRUE(tripped().empty());
    EXPECT_FALSE(any_tripped(verdicts()));
}

TEST_F(GuardFixture, EmptySourceTrips) {
    counts.records["directory_entries"] = 0;
    EXPECT_EQ(tripped(), std::vector<std::string>{"directory_empty"});
    counts.records["directory_entries"] = 1000;
    counts.records["export_inscriptions"] = 0;
    EXPECT_EQ(tripped(), std::vector<std::string>{"export_empty"});
}

TEST_F(GuardFixture, SourceBelowMinimumTrips) {
    limits.min_directory_entries = 5000;
    EXPECT_EQ(tripped(), std::vector<std::string>{"directory_min_size"});
}

TEST_F(GuardFixture, SourceShrunkSinceLastSuccessTrips) {
    counts.records["export_inscriptions"] = 2000; // -20 % > 10 %
    EXPECT_EQ(tripped(), std::vector<std::string>{"export_shrink"});
    const auto all = verdicts();
    const auto it = std::ranges::find(all, std::string("export_shrink"), &GuardVerdict::guard);
    EXPECT_NE(it->figures.find("2000 now, 2500 at the last successful run"), std::string::npos)
        << it->figures;
    EXPECT_NE(it->hint.find("--force"), std::string::npos);
}

TEST_F(GuardFixture, FirstRunHasNothingToCompareWith) {
    last.reset();
    counts.records["export_inscriptions"] = 10;
    EXPECT_TRUE(tripped().empty());
}

TEST_F(GuardFixture, EtapeShrinkTripsOnlyForBigEnoughEtapes) {
    counts.per_etape = {{"L1INFO", 100}, {"M2TINY", 0}};
    EXPECT_EQ(tripped(), std::vector<std::string>{"etape_shrink"});
    counts.per_etape = {{"L1INFO", 300}, {"M2TINY", 0}};
    EXPECT_TRUE(tripped().empty()) << "M2TINY is under min_cohort_size";
}

TEST_F(GuardFixture, TooManyRemovalsInTheRunTrips) {
    limits.max_removals = 10;
    plan.cohorts = {cohort_losing(11, 10000)};
    EXPECT_EQ(tripped(), std::vector<std::string>{"max_removals"});
}

TEST_F(GuardFixture, CohortLosingTooLargeAShareTrips) {
    plan.cohorts = {cohort_losing(30, 100, "etape-BIG"), cohort_losing(9, 10, "etape-SMALL")};
    EXPECT_EQ(tripped(), std::vector<std::string>{"max_cohort_removal_ratio"});
    const auto all = verdicts();
    const auto it = std::ranges::find(all, std::string("max_cohort_removal_ratio"), &GuardVerdict::guard);
    EXPECT_NE(it->figures.find("etape-BIG -30 of 100"), std::string::npos) << it->figures;
    EXPECT_EQ(it->figures.find("SMALL"), std::string::npos) << "small cohorts are exempt";
}

TEST_F(GuardFixture, TooLargeAShareOfAllMembershipsTrips) {
    for (int i = 0; i < 8; ++i) {
        plan.cohorts.push_back(cohort_losing(20, 100, "etape-" + std::to_string(i)));
    }
    EXPECT_EQ(tripped(), std::vector<std::string>{"max_total_removal_ratio"}) << "160 of 2500 = 6.4 %";
}

} // namespace
} // namespace cohort_sync

namespace cohort_sync {
namespace {

TEST_F(GuardFixture, TooManyAccountsToCreateTrips) {
    limits.max_accounts_created = 2;
    const auto account = [](std::string username) { return NewAccount{username, "", "", "", "", "cas"}; };
    plan.accounts = {account("a"), account("b")};
    EXPECT_TRUE(tripped().empty());
    plan.accounts.push_back(account("c"));
    EXPECT_EQ(tripped(), std::vector<std::string>{"max_accounts_created"});
    EXPECT_FALSE(refuses(verdicts(), true)) << "--force overrides the cap";
}

TEST_F(GuardFixture, AccountsWithAPluginTheSiteDoesNotEnableTripEvenForced) {
    const std::vector<std::string> enabled = {"manual", "nologin", "ldap"};
    auth_plugins = &enabled;
    plan.accounts = {NewAccount{"a", "", "", "", "", "cas"}};
    EXPECT_EQ(tripped(), std::vector<std::string>{"provisioning_auth"});
    const auto verdict = verdicts().back();
    EXPECT_EQ(verdict.figures,
              "1 Moodle account(s) to create with authentication plugin 'cas', not enabled on "
              "this site (enabled: manual, nologin, ldap)");
    EXPECT_FALSE(verdict.overridable);
    EXPECT_TRUE(refuses(verdicts(), true));

    plan.accounts.front().auth = "ldap";
    EXPECT_TRUE(tripped().empty());
    EXPECT_FALSE(refuses(verdicts(), false));
}

} // namespace
} // namespace cohort_sync
