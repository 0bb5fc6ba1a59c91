#include "cohort_sync/plan_file.hpp"
#include "cohort_sync/report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cohort_sync {
namespace {

PlanFile sample() {
    PlanFile file;
    file.run_id = "20261130T020000Z-abcd";
    file.created_at = 1796000000;
    file.prefix = "mdl_";
    file.schema = "public";
    file.component = "local_cohortsync";
    file.counts = {{{"directory_entries", 100}, {"export_inscriptions", 250}, {"pegase_inscriptions", 0}},
                   99,
                   {{"L1INFO", 40}}};
    CohortPlan created;
    created.idnumber = "etape-L1INFO";
    created.etape = "L1INFO";
    created.name = "L1INFO: Licence 1 \"Informatique\"; é";
    created.description = "desc";
    created.adds = {{10, "alice", "1001"}};
    CohortPlan changed;
    changed.cohort_id = 7;
    changed.idnumber = "etape-M1";
    changed.name = "M1: new";
    changed.rename_from = "M1: old";
    changed.current_size = 3;
    changed.removes = {{11, "bob", "1002"}};
    changed.deferred = {{12, "carol", "1003"}};
    file.plan.cohorts = {created, changed};
    file.plan.unplaced = {{"1999", "zed", "L1INFO", UnplacedReason::deleted_account}};
    file.plan.pending = {{7, 12, 1}};
    file.plan.left_alone = {"etape-OLD"};
    file.plan.issues = {{Severity::error, "etape-X", "taken"}};
    file.plan.managed_memberships = 3;
    file.verdicts = {{"max_removals", true, "1 > 0", "use --force"}};
    Current current;
    current.cohorts = {{7, "etape-M1", "M1: old", "", 1, {11, 12, 13}}};
    current.foreign = {{3, "tuteurs", ""}};
    file.basis = basis_of(current);
    return file;
}

TEST(PlanFile, RoundTripsEveryField) {
    const auto file = sample();
    const auto back = read_plan_file(write_plan_file(file));
    EXPECT_EQ(back.run_id, file.run_id);
    EXPECT_EQ(back.created_at, file.created_at);
    EXPECT_EQ(back.counts, file.counts);
    EXPECT_EQ(back.basis, file.basis);
    ASSERT_EQ(back.plan.cohorts.size(), 2u);
    EXPECT_FALSE(back.plan.cohorts[0].cohort_id);
    EXPECT_EQ(back.plan.cohorts[0].name, file.plan.cohorts[0].name);
    EXPECT_EQ(back.plan.cohorts[0].adds, file.plan.cohorts[0].adds);
    EXPECT_EQ(back.plan.cohorts[0].description, file.plan.cohorts[0].description);
    EXPECT_EQ(back.plan.cohorts[1].cohort_id, 7);
    EXPECT_EQ(back.plan.cohorts[1].rename_from, "M1: old");
    EXPECT_EQ(back.plan.cohorts[1].removes, file.plan.cohorts[1].removes);
    EXPECT_EQ(back.plan.cohorts[1].deferred, file.plan.cohorts[1].deferred);
    EXPECT_EQ(back.plan.unplaced[0].reason, UnplacedReason::deleted_account);
    EXPECT_EQ(back.plan.pending, file.plan.pending);
    EXPECT_EQ(back.plan.left_alone, file.plan.left_alone);
    EXPECT_EQ(back.plan.issues, file.plan.issues);
    EXPECT_EQ(back.plan.totals().removes, 1);
    EXPECT_EQ(back.verdicts.at(0).tripped, true);
}

TEST(PlanFile, KeepsWhyEachStudentIsAdded) {
    auto file = sample();
    file.plan.cohorts[0].adds[0].reasons = {{"directory", 0, "uid=alice,ou=people,dc=univ-test,dc=fr"},
                                            {"export", 214, ""}};
    const auto back = read_plan_file(write_plan_file(file));
    EXPECT_EQ(back.plan.cohorts[0].adds, file.plan.cohorts[0].adds);
    EXPECT_TRUE(back.plan.cohorts[1].removes[0].reasons.empty());
}

TEST(PlanFile, ReadsAPlanSavedBeforeReasonsWereKept) {
    const auto text = write_plan_file(sample());
    ASSERT_EQ(nlohmann::json::parse(text)["plan"]["cohorts"][0]["adds"][0].size(), 3u)
        << "without reasons, a member is written as it always was";
    const auto back = read_plan_file(text);
    EXPECT_TRUE(back.plan.cohorts[0].adds[0].reasons.empty());
    EXPECT_EQ(back.plan.cohorts[0].adds[0].username, "alice");
}

TEST(PlanFile, RejectsOtherDocuments) {
    EXPECT_THROW(read_plan_file("not json"), std::invalid_argument);
    EXPECT_THROW(read_plan_file(R"({"format": "cohort-sync-plan", "version": 99})"), std::invalid_argument);
    EXPECT_THROW(read_plan_file(R"({"format": "cohort-sync-plan", "version": 1})"), std::invalid_argument);
}

TEST(PlanBasis, NamesWhatMoved) {
    Current then;
    then.cohorts = {{7, "etape-M1", "M1", "", 1, {11, 12}}, {8, "etape-L1", "L1", "", 1, {13}}};
    Current now = then;
    EXPECT_TRUE(basis_differences(basis_of(then), basis_of(now)).empty());

    now.cohorts[0].members = {11, 14}; // same size, other member
    now.cohorts[1].name = "L1 renamed";
    now.cohorts.push_back({9, "etape-NEW", "NEW", "", 1, {}});
    now.foreign = {{3, "etape-L2", ""}};
    const auto moved = basis_differences(basis_of(then), basis_of(now));
    ASSERT_EQ(moved.size(), 4u);
    EXPECT_EQ(moved[0], "the members of cohort 'etape-M1' changed: 2 when planned, 2 now");
    EXPECT_EQ(moved[1], "cohort id 8 was 'etape-L1' ('L1'), it is now 'etape-L1' ('L1 renamed')");
    EXPECT_EQ(moved[2], "cohort 'etape-NEW' (id 9) appeared since the plan was made");
    EXPECT_EQ(moved[3], "idnumber 'etape-L2' is now used by a cohort cohort-sync does not manage");

    now = then;
    now.cohorts.pop_back();
    EXPECT_EQ(basis_differences(basis_of(then), basis_of(now)),
              std::vector<std::string>{"cohort 'etape-L1' (id 8) is no longer managed by cohort-sync"});
}

// One schema: a plan file's `plan` is the run report's `plan` object, written by the same writer,
// with what apply needs added (each cohort's description, the grace state).
TEST(PlanFile, ItsPlanIsTheRunReportsPlanObject) {
    const PlanFile file = sample();
    RunReport report;
    report.plan = file.plan;
    const auto in_report = nlohmann::json::parse(report_json_text(report)).at("plan");
    auto in_file = nlohmann::json::parse(write_plan_file(file)).at("plan");
    EXPECT_TRUE(in_file.contains("pending"));
    in_file.erase("pending");
    for (auto& cohort : in_file.at("cohorts")) {
        EXPECT_TRUE(cohort.contains("description"));
        cohort.erase("description");
    }
    EXPECT_EQ(in_file, in_report);
}

} // namespace
} // namespace cohort_sync
