#include "cohort_sync/plan.hpp"
#include "test_builders.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <tuple>

namespace cohort_sync {
namespace {

using testing::user;

DesiredStudent student(std::string login, std::string number) {
    DesiredStudent s;
    s.login = std::move(login);
    s.student_number = std::move(number);
    return s;
}

DesiredCohort cohort(std::string etape, std::vector<DesiredMember> members) {
    DesiredCohort c;
    c.etape = etape;
    c.idnumber = "etape-" + etape;
    c.name = etape + ": label";
    c.members = std::move(members);
    return c;
}

ManagedCohort managed(std::int64_t id, std::string etape, std::vector<std::int64_t> members) {
    return {id, "etape-" + etape, etape + ": label", "", 1, std::move(members)};
}

std::vector<std::int64_t> ids(const std::vector<PlannedMember>& members) {
    std::vector<std::int64_t> out;
    for (const auto& m : members) {
        out.push_back(m.user_id);
    }
    return out;
}

struct PlanFixture : ::testing::Test {
    Desired desired;
    Current current;
    MoodleConfig config;

    void SetUp() override {
        current.users = {user(10, "alice", "1001"), user(11, "bob", "1002"), user(12, "carol", "1003"),
                         user(13, "dave", "1004")};
    }
    Plan plan() const { return make_plan(desired, current, config); }

    // A member of a desired cohort: the student is listed once in desired.students, as merge does.
    DesiredMember member(std::string login, std::string number) {
        auto& students = desired.students;
        const auto it = std::ranges::find_if(students, [&](const DesiredStudent& s) {
            return s.login == login && s.student_number == number;
        });
        if (it != students.end()) {
            return {static_cast<int>(it - students.begin()), {}};
        }
        students.push_back(student(std::move(login), std::move(number)));
        return {static_cast<int>(students.size() - 1), {}};
    }
};

TEST_F(PlanFixture, FirstRunCreatesTheCohortWithItsMembers) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001"), member("bob", "1002")})};
    const auto p = plan();
    ASSERT_EQ(p.cohorts.size(), 1u);
    EXPECT_TRUE(p.cohorts[0].creates());
    EXPECT_EQ(ids(p.cohorts[0].adds), (std::vector<std::int64_t>{10, 11}));
    EXPECT_EQ(p.totals().creates, 1);
    EXPECT_EQ(p.totals().adds, 2);
}

TEST_F(PlanFixture, UnchangedStateGivesAnEmptyPlan) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001")})};
    current.cohorts = {managed(1, "L1INFO", {10})};
    const auto p = plan();
    EXPECT_EQ(p.totals().cohorts_changed, 0);
    EXPECT_FALSE(p.cohorts[0].changes());
}

TEST_F(PlanFixture, RemovesStudentWhoWithdrewAndAddsNewInscription) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001"), member("carol", "1003")})};
    current.cohorts = {managed(1, "L1INFO", {10, 11})};
    const auto p = plan();
    EXPECT_EQ(ids(p.cohorts[0].adds), std::vector<std::int64_t>{12});
    EXPECT_EQ(ids(p.cohorts[0].removes), std::vector<std::int64_t>{11});
    EXPECT_EQ(p.cohorts[0].removes[0].username, "bob");
}

TEST_F(PlanFixture, ChangedEtapeMovesTheStudent) {
    desired.cohorts = {cohort("L1INFO", {}), cohort("L2INFO", {member("alice", "1001")})};
    desired.cohorts[0].members = {member("bob", "1002")};
    current.cohorts = {managed(1, "L1INFO", {10, 11}), managed(2, "L2INFO", {})};
    const auto p = plan();
    EXPECT_EQ(ids(p.cohorts[0].removes), std::vector<std::int64_t>{10});
    EXPECT_EQ(ids(p.cohorts[1].adds), std::vector<std::int64_t>{10});
}

TEST_F(PlanFixture, RenamesWhenTheLabelChanged) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001")})};
    desired.cohorts[0].name = "L1INFO: Licence 1 Informatique";
    current.cohorts = {managed(1, "L1INFO", {10})};
    const auto p = plan();
    ASSERT_TRUE(p.cohorts[0].rename_from);
    EXPECT_EQ(*p.cohorts[0].rename_from, "L1INFO: label");
    EXPECT_EQ(p.totals().renames, 1);
}

TEST_F(PlanFixture, NeverAdoptsAnIdnumberTakenByAnotherCohort) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001")})};
    current.foreign = {{77, "etape-L1INFO", ""}};
    const auto p = plan();
    EXPECT_TRUE(p.cohorts.empty());
    ASSERT_EQ(p.issues.size(), 1u);
    EXPECT_EQ(p.issues[0].severity, Severity::error);
    EXPECT_NE(p.issues[0].message.find("cohort id 77"), std::string::npos) << p.issues[0].message;
}

TEST_F(PlanFixture, VanishedEtapeIsLeftAloneUnlessConfigured) {
    current.cohorts = {managed(1, "OLD", {10, 11})};
    auto p = plan();
    EXPECT_TRUE(p.cohorts.empty());
    EXPECT_EQ(p.left_alone, std::vector<std::string>{"etape-OLD"});
    config.empty_vanished_cohorts = true;
    p = plan();
    ASSERT_EQ(p.cohorts.size(), 1u);
    EXPECT_EQ(ids(p.cohorts[0].removes), (std::vector<std::int64_t>{10, 11}));
    EXPECT_FALSE(p.cohorts[0].creates()) << "a cohort is emptied, never deleted";
}

TEST_F(PlanFixture, GracePeriodDefersRemovalUntilEnoughRunsAbsent) {
    config.grace_runs = 3;
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001")})};
    current.cohorts = {managed(1, "L1INFO", {10, 11})};
    auto p = plan();
    EXPECT_TRUE(p.cohorts[0].removes.empty());
    EXPECT_EQ(ids(p.cohorts[0].deferred), std::vector<std::int64_t>{11});
    ASSERT_EQ(p.pending.size(), 1u);
    EXPECT_EQ(p.pending[0], (PendingRemoval{1, 11, 1}));

    current.pending = {{1, 11, 2}};
    p = plan();
    EXPECT_EQ(ids(p.cohorts[0].removes), std::vector<std::int64_t>{11});
    EXPECT_TRUE(p.pending.empty());
}

TEST_F(PlanFixture, ReturningStudentClearsPendingRemoval) {
    config.grace_runs = 3;
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001"), member("bob", "1002")})};
    current.cohorts = {managed(1, "L1INFO", {10, 11})};
    current.pending = {{1, 11, 2}};
    EXPECT_TRUE(plan().pending.empty());
}

TEST_F(PlanFixture, ReportsStudentsWhoCannotBePlacedByReason) {
    current.users.push_back(user(20, "erin.deleted.1700000000", "1005", true));
    current.users.push_back(user(21, "frank", "1006"));
    current.users.push_back(user(22, "frank2", "1006"));
    desired.cohorts = {cohort("L1INFO", {member("nobody", "1999"), member("erin", "1005"),
                                         member("other", "1001"), member("", "1006")})};
    auto p = plan();
    ASSERT_EQ(p.unplaced.size(), 4u);
    EXPECT_EQ(p.unplaced[0].student_number, "1001");
    EXPECT_EQ(p.unplaced[0].reason, UnplacedReason::other_key_only);
    EXPECT_EQ(p.unplaced[1].reason, UnplacedReason::deleted_account);
    EXPECT_EQ(p.unplaced[2].reason, UnplacedReason::other_key_only) << "1006 is known by idnumber only";
    EXPECT_EQ(p.unplaced[3].reason, UnplacedReason::no_account);

    config.match_by = MatchBy::idnumber;
    p = plan();
    EXPECT_EQ(ids(p.cohorts[0].adds), std::vector<std::int64_t>{10}) << "1001 is alice's idnumber";
    ASSERT_EQ(p.unplaced.size(), 3u);
    EXPECT_EQ(p.unplaced[0].reason, UnplacedReason::deleted_account);
    EXPECT_EQ(p.unplaced[1].reason, UnplacedReason::several_accounts);
    EXPECT_EQ(p.unplaced[2].reason, UnplacedReason::no_account);
}

TEST_F(PlanFixture, UsernamesAreComparedLowerCased) {
    current.users = {user(10, "alice", "")};
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001")})};
    current.cohorts = {managed(1, "L1INFO", {10})};
    EXPECT_EQ(plan().totals().cohorts_changed, 0);
}

TEST_F(PlanFixture, PlanIsSortedByIdnumber) {
    desired.cohorts = {cohort("B", {member("alice", "1001")}), cohort("A", {member("bob", "1002")})};
    const auto p = plan();
    EXPECT_EQ(p.cohorts[0].idnumber, "etape-A");
    EXPECT_EQ(p.cohorts[1].idnumber, "etape-B");
}

} // namespace
} // namespace cohort_sync

namespace cohort_sync {
namespace {

struct ProvisioningFixture : PlanFixture {
    ProvisioningConfig provisioning{true, "cas"};
    Plan plan_with_provisioning() const { return make_plan(desired, current, config, provisioning); }
};

TEST_F(ProvisioningFixture, CreatesOneAccountPerStudentWithoutOneAndAddsThem) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001"), member("newbie", "2001")}),
                       cohort("L1MATH", {member("newbie", "2001")})};
    desired.students[static_cast<std::size_t>(desired.cohorts[0].members[1].student)].first_name = "Néo";
    const auto p = plan_with_provisioning();
    ASSERT_EQ(p.accounts.size(), 1u) << "one account for two cohorts";
    EXPECT_EQ(p.accounts[0], (NewAccount{"newbie", "2001", "Néo", "", "", "cas"}));
    EXPECT_TRUE(p.unplaced.empty());
    ASSERT_EQ(p.cohorts[0].adds.size(), 2u);
    EXPECT_EQ(p.cohorts[0].adds[1], (PlannedMember{0, "newbie", "2001"})) << "resolved by username at apply";
    EXPECT_EQ(p.cohorts[1].adds, std::vector<PlannedMember>{(PlannedMember{0, "newbie", "2001"})});
    EXPECT_EQ(p.totals().accounts, 1);
}

TEST_F(ProvisioningFixture, NeverCreatesOverATakenKeyOrAReservedName) {
    current.users.push_back(user(20, "erin.gone", "3001", true)); // deleted, same student number
    desired.cohorts = {
        cohort("L1INFO", {member("erin", "3001"), member("other", "1002"), member("admin", "4001"),
                          member("", "5001"), member("bad name", "6001")})};
    const auto p = plan_with_provisioning();
    EXPECT_TRUE(p.accounts.empty());
    ASSERT_EQ(p.unplaced.size(), 5u);
    EXPECT_EQ(p.unplaced[0].reason, UnplacedReason::other_key_only) << "1002 is bob's idnumber";
    EXPECT_EQ(p.unplaced[1].reason, UnplacedReason::deleted_account);
    EXPECT_EQ(provisioning_refusal(student("admin", "4001")), "'admin' is a reserved name");
    EXPECT_EQ(provisioning_refusal(student("", "5001")), "no login in the directory");
    EXPECT_EQ(provisioning_refusal(student("bad name", "6001")), "'bad name' is not a valid Moodle username");
}

TEST_F(ProvisioningFixture, OffByDefault) {
    desired.cohorts = {cohort("L1INFO", {member("newbie", "2001")})};
    const auto p = plan();
    EXPECT_TRUE(p.accounts.empty());
    EXPECT_EQ(p.unplaced.size(), 1u);
}

} // namespace
} // namespace cohort_sync

namespace cohort_sync {
namespace {

TEST_F(PlanFixture, FitsMoodlesColumnsOrLeavesTheEtapeOut) {
    desired.cohorts = {cohort("LONG", {member("alice", "1001")}), cohort("OK", {member("bob", "1002")})};
    desired.cohorts[0].idnumber = std::string(101, 'i');
    desired.cohorts[1].name = std::string(250, 'n') + "éééééé"; // 256 characters, 262 bytes
    const auto p = plan();
    ASSERT_EQ(p.cohorts.size(), 1u) << "an idnumber cut short could collide: the étape is left out";
    EXPECT_EQ(p.cohorts[0].name, std::string(250, 'n') + "éééé") << "cut to 254 characters, not bytes";
    ASSERT_EQ(p.issues.size(), 2u);
    EXPECT_EQ(p.issues[0].severity, Severity::error);
    EXPECT_NE(p.issues[0].message.find("étape LONG is skipped"), std::string::npos) << p.issues[0].message;
    EXPECT_EQ(p.issues[1].severity, Severity::warning);

    current.cohorts = {{5, "etape-OK", p.cohorts[0].name, "", 1, {11}}};
    EXPECT_FALSE(plan().cohorts.back().rename_from) << "the cut name is not renamed every night";
}

TEST_F(PlanFixture, NamesATooLongIdnumberWithoutCuttingACharacter) {
    desired.cohorts = {cohort("LONG", {member("alice", "1001")})};
    desired.cohorts[0].idnumber = "etape-" + std::string(100, 'x') + "é";
    std::string accents;
    for (int i = 0; i < 60; ++i) {
        accents += "é";
    }
    desired.cohorts.push_back(cohort("ACCENTS", {member("bob", "1002")}));
    desired.cohorts[1].idnumber = accents + accents; // 120 characters, 240 bytes
    const auto p = plan();
    ASSERT_EQ(p.issues.size(), 2u);
    EXPECT_EQ(p.issues[0].locator, "etape-" + std::string(34, 'x') + "...");
    EXPECT_EQ(p.issues[1].locator, accents.substr(0, 80) + "...") << "40 characters, not 40 bytes";
}

TEST_F(PlanFixture, AddsCarryTheReasonsOfTheSourcesAndRemovalsNone) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001"), member("carol", "1003")})};
    const std::vector<Reason> why = {{"directory", 0, "uid=alice,ou=people,dc=univ-test,dc=fr"},
                                     {"export", 214, ""}};
    testing::give_reasons(desired, desired.cohorts[0].members[0], why);
    current.cohorts = {managed(1, "L1INFO", {11, 12})};
    const auto p = plan();
    ASSERT_EQ(p.cohorts[0].adds.size(), 1u);
    EXPECT_EQ(p.cohorts[0].adds[0].username, "alice");
    EXPECT_EQ(p.cohorts[0].adds[0].reasons, why)
        << "the review page says why from the plan, without rerunning explain";
    ASSERT_EQ(p.cohorts[0].removes.size(), 1u);
    EXPECT_TRUE(p.cohorts[0].removes[0].reasons.empty()) << "bob is in no source any more";
}

// The per-kind figures the text plan, the summary and the review page show: none on an étape-only
// plan; with element cohorts, every kind with a cohort in the plan, even one that does not change.
TEST(PlanChangesByKind, CountTheReportedCohortsOfEachKindPresent) {
    Plan plan;
    CohortPlan info;
    info.idnumber = "etape-L1INFO";
    info.adds = {{10, "alice", "1001"}};
    info.removes = {{11, "bob", "1002"}};
    plan.cohorts = {info};
    EXPECT_TRUE(plan.changes_by_kind().empty());

    CohortPlan element;
    element.kind = "element";
    element.cohort_id = 5;
    element.idnumber = "element-UE12";
    element.adds = {{10, "alice", "1001"}, {12, "carol", "1003"}};
    CohortPlan steady = element;
    steady.idnumber = "element-UE13";
    steady.adds.clear();
    plan.cohorts = {info, element, steady};
    const auto by_kind = plan.changes_by_kind();
    ASSERT_EQ(by_kind.size(), 2u);
    EXPECT_EQ(by_kind[0].kind, "etape");
    EXPECT_EQ(std::tie(by_kind[0].adds, by_kind[0].removes, by_kind[0].cohorts_changed), std::tuple(1, 1, 1));
    EXPECT_EQ(by_kind[1].kind, "element");
    EXPECT_EQ(std::tie(by_kind[1].adds, by_kind[1].removes, by_kind[1].cohorts_changed), std::tuple(2, 0, 1))
        << "UE13 does not change";

    plan.cohorts = {steady};
    ASSERT_EQ(plan.changes_by_kind().size(), 1u);
    EXPECT_EQ(plan.changes_by_kind()[0].cohorts_changed, 0);
}

// The desired state keeps every member's reasons in one array: each addition gets its own
// member's, whichever cohort it is in, and a directory reason names the student's entry.
TEST_F(PlanFixture, EachAdditionGetsItsOwnMembersReasons) {
    desired.cohorts = {cohort("L1INFO", {member("alice", "1001"), member("carol", "1003")}),
                       cohort("M1BIO", {member("dave", "1004")})};
    testing::give_reasons(desired, desired.cohorts[1].members[0], {{"export", 300, ""}});
    testing::give_reasons(desired, desired.cohorts[0].members[1], {{"export", 215, ""}});
    testing::give_reasons(
        desired, desired.cohorts[0].members[0],
        std::vector<Reason>{{"export", 214, ""}, {"directory", 0, "uid=alice,ou=people,dc=univ-test,dc=fr"}});
    current.cohorts = {managed(1, "L1INFO", {11, 12})};
    const auto p = plan();
    ASSERT_EQ(p.cohorts.size(), 2u);
    ASSERT_EQ(p.cohorts[0].adds.size(), 1u) << "carol is there already";
    EXPECT_EQ(p.cohorts[0].adds[0].username, "alice");
    EXPECT_EQ(p.cohorts[0].adds[0].reasons,
              (std::vector<Reason>{{"directory", 0, "uid=alice,ou=people,dc=univ-test,dc=fr"},
                                   {"export", 214, ""}}))
        << "sorted, as every report shows them";
    ASSERT_EQ(p.cohorts[1].adds.size(), 1u);
    EXPECT_EQ(p.cohorts[1].adds[0].username, "dave");
    EXPECT_EQ(p.cohorts[1].adds[0].reasons, (std::vector<Reason>{{"export", 300, ""}}));
    EXPECT_EQ(desired.reasons_of(desired.cohorts[0].members[1]), (std::vector<Reason>{{"export", 215, ""}}));
    EXPECT_EQ(desired.reason_sources, (std::vector<std::string>{"export", "directory"}))
        << "each source's name once";
}

} // namespace
} // namespace cohort_sync
