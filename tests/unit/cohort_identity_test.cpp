// cohort-sync knows its cohorts by the key it recorded for them, not by whatever idnumber Moodle
// shows tonight: an idnumber a site manager edited is restored, a managed cohort deleted in
// Moodle is created again and said so, and two cohorts claiming one key are refused, not guessed.
#include "cohort_sync/plan.hpp"
#include "cohort_sync/plan_file.hpp"
#include "cohort_sync/report.hpp"
#include "cohort_sync/review_page.hpp"
#include "test_builders.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cohort_sync {
namespace {

using testing::user;

ManagedCohort managed(std::int64_t id, std::string idnumber, std::vector<std::int64_t> members,
                      std::optional<std::string> recorded = std::nullopt) {
    ManagedCohort cohort{id, std::move(idnumber), "L1INFO: label", "", 1, std::move(members)};
    cohort.recorded_idnumber = std::move(recorded);
    return cohort;
}

const Issue* issue_about(const Plan& plan, const std::string& needle) {
    const auto it = std::ranges::find_if(
        plan.issues, [&](const Issue& issue) { return issue.message.find(needle) != std::string::npos; });
    return it == plan.issues.end() ? nullptr : &*it;
}

struct CohortIdentity : ::testing::Test {
    Desired desired;
    Current current;
    MoodleConfig config;

    void SetUp() override {
        current.users = {user(10, "alice", "1001"), user(11, "bob", "1002")};
        desired.students = {{"1001", "alice", "", "", ""}, {"1002", "bob", "", "", ""}};
        DesiredCohort l1;
        l1.etape = "L1INFO";
        l1.idnumber = "etape-L1INFO";
        l1.name = "L1INFO: label";
        l1.members = {{0, {}}, {1, {}}};
        desired.cohorts = {l1};
    }
    Plan plan() const { return make_plan(desired, current, config); }
};

TEST_F(CohortIdentity, AnEditedIdnumberIsRestoredAndTheCohortKeepsItsMembers) {
    current.cohorts = {managed(42, "L1-INFO-old", {10, 11}, "etape-L1INFO")};

    const auto p = plan();

    ASSERT_EQ(p.cohorts.size(), 1u) << "no second cohort for the étape";
    const auto& cohort = p.cohorts[0];
    EXPECT_EQ(cohort.cohort_id, 42);
    EXPECT_EQ(cohort.idnumber, "etape-L1INFO");
    EXPECT_EQ(cohort.restore_idnumber_from, "L1-INFO-old");
    EXPECT_TRUE(cohort.adds.empty());
    EXPECT_TRUE(cohort.removes.empty());
    EXPECT_TRUE(cohort.changes());
    EXPECT_TRUE(p.left_alone.empty());
    EXPECT_EQ(p.totals().restores, 1);
    EXPECT_EQ(p.totals().creates, 0);
    const auto* warning = issue_about(p, "L1-INFO-old");
    ASSERT_NE(warning, nullptr);
    EXPECT_EQ(warning->severity, Severity::warning);
    EXPECT_NE(warning->message.find("cohort id 42"), std::string::npos) << warning->message;
    EXPECT_NE(warning->message.find("étape L1INFO"), std::string::npos) << warning->message;
    EXPECT_EQ(warning->locator, "etape-L1INFO");
}

TEST_F(CohortIdentity, ARecordedIdnumberThatMoodleStillShowsChangesNothing) {
    current.cohorts = {managed(42, "etape-L1INFO", {10, 11}, "etape-L1INFO")};
    const auto p = plan();
    EXPECT_EQ(p.totals().cohorts_changed, 0);
    EXPECT_TRUE(p.issues.empty());
}

TEST_F(CohortIdentity, AVanishedCohortsEditedIdnumberIsRestoredAndItIsLeftAlone) {
    current.cohorts = {managed(7, "manager's", {10}, "etape-OLD")};
    const auto p = plan();
    EXPECT_EQ(p.left_alone, std::vector<std::string>{"etape-OLD"});
    const auto it = std::ranges::find(p.cohorts, std::optional<std::int64_t>(7), &CohortPlan::cohort_id);
    ASSERT_NE(it, p.cohorts.end());
    EXPECT_EQ(it->restore_idnumber_from, "manager's");
    EXPECT_TRUE(it->removes.empty()) << "moodle.empty_vanished_cohorts is off";
    ASSERT_NE(issue_about(p, "no étape in tonight's sources"), nullptr);
}

TEST_F(CohortIdentity, ADeletedCohortIsCreatedAgainAndReported) {
    current.gone = {{42, "etape-L1INFO"}};

    const auto p = plan();

    ASSERT_EQ(p.cohorts.size(), 1u);
    EXPECT_TRUE(p.cohorts[0].creates());
    EXPECT_EQ(p.cohorts[0].recreates, 42);
    EXPECT_EQ(p.cohorts[0].adds.size(), 2u);
    EXPECT_EQ(p.totals().recreates, 1);
    const auto* warning = issue_about(p, "cohort id 42 (étape L1INFO)");
    ASSERT_NE(warning, nullptr);
    EXPECT_NE(warning->message.find("created again"), std::string::npos);
}

TEST_F(CohortIdentity, ADeletedCohortWhoseEtapeIsGoneIsOnlyReported) {
    current.gone = {{9, "etape-OLD"}};
    const auto p = plan();
    EXPECT_EQ(p.totals().recreates, 0);
    ASSERT_NE(issue_about(p, "cohort id 9,"), nullptr);
}

TEST_F(CohortIdentity, TwoCohortsClaimingOneKeyAreRefusedNamingBoth) {
    // 42 is recorded under the key (a manager changed its idnumber); 43, never recorded, was
    // given that idnumber by hand.
    current.cohorts = {managed(42, "L1-INFO-old", {10}, "etape-L1INFO"), managed(43, "etape-L1INFO", {11})};

    const auto p = plan();

    EXPECT_TRUE(p.cohorts.empty()) << "neither cohort is touched, none created";
    const auto* error = issue_about(p, "both answer to idnumber 'etape-L1INFO'");
    ASSERT_NE(error, nullptr);
    EXPECT_EQ(error->severity, Severity::error);
    EXPECT_NE(error->message.find("id 42 and id 43"), std::string::npos) << error->message;
    EXPECT_NE(error->message.find("étape L1INFO is skipped"), std::string::npos) << error->message;
    EXPECT_NE(error->message.find("cohort id 42 is the one cohort-sync recorded"), std::string::npos)
        << error->message;
}

TEST_F(CohortIdentity, TwoUnrecordedCohortsWithOneIdnumberAreRefusedToo) {
    current.cohorts = {managed(42, "etape-L1INFO", {10}), managed(43, "etape-L1INFO", {11})};
    const auto p = plan();
    EXPECT_TRUE(p.cohorts.empty());
    ASSERT_NE(issue_about(p, "id 42 and id 43"), nullptr);
}

TEST_F(CohortIdentity, ARestoreOntoAForeignCohortsIdnumberIsRefused) {
    current.cohorts = {managed(42, "L1-INFO-old", {10, 11}, "etape-L1INFO")};
    current.foreign = {{501, "etape-L1INFO", ""}};
    const auto p = plan();
    EXPECT_TRUE(p.cohorts.empty());
    const auto* error = issue_about(p, "restoring it would give two cohorts one idnumber");
    ASSERT_NE(error, nullptr);
    EXPECT_NE(error->message.find("cohort id 42"), std::string::npos);
    EXPECT_NE(error->message.find("cohort id 501"), std::string::npos);
}

TEST_F(CohortIdentity, TwoEditedCohortsSwappingIdnumbersAreBothRestored) {
    desired.cohorts.push_back(desired.cohorts[0]);
    desired.cohorts[1].etape = "L2INFO";
    desired.cohorts[1].idnumber = "etape-L2INFO";
    desired.cohorts[1].members = {};
    current.cohorts = {managed(1, "etape-L2INFO", {10, 11}, "etape-L1INFO"),
                       managed(2, "etape-L1INFO", {}, "etape-L2INFO")};
    const auto p = plan();
    ASSERT_EQ(p.cohorts.size(), 2u);
    EXPECT_EQ(p.cohorts[0].cohort_id, 1);
    EXPECT_EQ(p.cohorts[0].restore_idnumber_from, "etape-L2INFO");
    EXPECT_TRUE(p.cohorts[0].adds.empty());
    EXPECT_EQ(p.cohorts[1].cohort_id, 2);
    EXPECT_EQ(p.cohorts[1].restore_idnumber_from, "etape-L1INFO");
}

TEST_F(CohortIdentity, TheTextAndJsonRenderingsShowTheRestoreAndTheRecreate) {
    current.cohorts = {managed(42, "L1-INFO-old", {10, 11}, "etape-L1INFO")};
    auto p = plan();
    CohortPlan again;
    again.idnumber = "etape-M1GEO";
    again.name = "M1GEO";
    again.recreates = 9;
    p.cohorts.push_back(again);

    const auto text = render_plan(p, {}, false);
    EXPECT_NE(text.find("restore idnumber (cohort id 42): it was changed in Moodle to 'L1-INFO-old'"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("created again: cohort id 9 was deleted in Moodle"), std::string::npos) << text;
    EXPECT_NE(text.find("1 idnumber(s) restored, 1 deleted cohort(s) created again"), std::string::npos)
        << text;

    PlanFile file;
    file.plan = p;
    const auto back = read_plan_file(write_plan_file(file));
    ASSERT_EQ(back.plan.cohorts.size(), 2u);
    EXPECT_EQ(back.plan.cohorts[0].restore_idnumber_from, "L1-INFO-old");
    EXPECT_EQ(back.plan.cohorts[1].recreates, 9);
    EXPECT_FALSE(back.plan.cohorts[0].recreates);
}

TEST_F(CohortIdentity, TheReviewPageShowsTheRestoreAndTheRecreateInBothLanguages) {
    current.cohorts = {managed(42, "L1-INFO-old", {10, 11}, "etape-L1INFO")};
    RunReport report;
    report.plan = plan();
    CohortPlan again;
    again.idnumber = "etape-M1GEO";
    again.name = "M1GEO";
    again.recreates = 9;
    report.plan->cohorts.push_back(again);
    const auto english = render_review_page(report, {}, {Language::en});
    EXPECT_NE(english.find("idnumber restored: it was changed in Moodle to &#39;L1-INFO-old&#39;"),
              std::string::npos);
    EXPECT_NE(english.find("created again: cohort id 9 was deleted in Moodle"), std::string::npos);
    const auto french = render_review_page(report, {}, {Language::fr});
    EXPECT_NE(french.find("identifiant rétabli : il avait été changé dans Moodle en « L1-INFO-old »"),
              std::string::npos);
    EXPECT_NE(french.find("recréée : la cohorte n° 9 a été supprimée dans Moodle"), std::string::npos);
}

TEST_F(CohortIdentity, APlanFileOfVersion2StillReadsAsAPlanWithoutRestores) {
    PlanFile file;
    file.plan = plan();
    auto json = nlohmann::json::parse(write_plan_file(file));
    json["version"] = 2;
    for (auto& cohort : json["plan"]["cohorts"]) {
        cohort.erase("restore_idnumber_from");
        cohort.erase("recreates");
    }
    const auto back = read_plan_file(json.dump());
    ASSERT_EQ(back.plan.cohorts.size(), 1u);
    EXPECT_FALSE(back.plan.cohorts[0].restore_idnumber_from);
    EXPECT_FALSE(back.plan.cohorts[0].recreates);
}

} // namespace
} // namespace cohort_sync
