// The Prometheus textfile: what monitoring reads each morning. Series carry the site label, the
// outcome is one-hot, each registered source has its size without being named here, and a failed
// night keeps the last good one's time.
#include "cohort_sync/metrics.hpp"

#include <gtest/gtest.h>
#include <string>

using namespace cohort_sync;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.starts_with(line + "\n") || text.find("\n" + line + "\n") != std::string::npos;
}

RunReport applied_report() {
    RunReport report;
    report.outcome = "applied";
    report.finished_at = 1790000000;
    report.phases = {{"ldap", 1.5}, {"apply", 0.25}};
    report.applied = ApplyStats{0, 1, 0, 12, 3};
    return report;
}

TEST(Metrics, EverySeriesCarriesTheSiteLabelAndTheOutcomeIsOneHot) {
    const auto report = applied_report();
    const auto text = render_metrics({report, "sciences", 0, 0, {}});
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_success{site=\"sciences\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_exit_code{site=\"sciences\"} 0")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_outcome{site=\"sciences\",outcome=\"applied\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_outcome{site=\"sciences\",outcome=\"failed\"} 0"))
        << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_success_timestamp_seconds{site=\"sciences\"} 1790000000"))
        << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_duration_seconds{site=\"sciences\"} 1.750")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_members_added{site=\"sciences\"} 12")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_members_removed{site=\"sciences\"} 3")) << text;
    for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos && at + 1 < text.size(); ++at) {
        const auto line = text.substr(at + 1, text.find('\n', at + 1) - at - 1);
        EXPECT_TRUE(line.starts_with("# ") || line.find("{site=\"sciences\"") != std::string::npos) << line;
    }
}

TEST(Metrics, AFailedNightKeepsTheLastSuccessfulRunsTime) {
    const auto good = render_metrics({applied_report(), "s", 0, 0, {}});
    EXPECT_EQ(last_success_in(good), 1790000000);
    RunReport failed;
    failed.error = "the directory could not be read";
    failed.finished_at = 1790086400;
    const auto text = render_metrics({failed, "s", 1, last_success_in(good), {}});
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_success{site=\"s\"} 0")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_exit_code{site=\"s\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_success_timestamp_seconds{site=\"s\"} 1790000000")) << text;
    EXPECT_EQ(text.find("cohort_sync_last_run_source_records"), std::string::npos)
        << "no source was read: no size to tell";
    EXPECT_EQ(last_success_in(""), 0);
}

TEST(Metrics, AppliedRunWithAFailedPostCommitCommandIsNoSuccess) {
    auto report = applied_report();
    report.post_commit = PostCommitOutcome{"/usr/bin/php", false, "exit code 1"};
    const auto text = render_metrics({report, "s", 7, 42, {}});
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_success{site=\"s\"} 0")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_success_timestamp_seconds{site=\"s\"} 42")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_post_commit_success{site=\"s\"} 0")) << text;
}

// Not one source is named here: each registered kind gets its series, so a new source has it too.
TEST(Metrics, EachSourceReadHasItsSizeUnderItsKindsName) {
    auto report = applied_report();
    std::vector<const SourceKind*> kinds(source_kinds().begin(), source_kinds().end());
    int records = 100;
    for (const auto* kind : kinds) {
        report.counts.records[std::string(kind->count_key())] = records++;
    }
    const auto text = render_metrics({report, "s", 0, 0, kinds});
    records = 100;
    for (const auto* kind : kinds) {
        EXPECT_TRUE(has_line(text, "cohort_sync_last_run_source_records{site=\"s\",source=\"" +
                                       std::string(kind->name()) + "\"} " + std::to_string(records++)))
            << text;
    }
}

TEST(Metrics, GuardsUnplacedAndHeldBackRemovalsAreCounted) {
    RunReport report;
    report.outcome = "refused";
    report.verdicts = {{"max_removals", true, "", ""}, {"directory_shrink", false, "", ""}};
    Plan plan;
    plan.unplaced = {{"1", "a", "L1", UnplacedReason::no_account},
                     {"2", "b", "L1", UnplacedReason::no_account}};
    CohortPlan cohort;
    cohort.cohort_id = 1;
    cohort.removes = {{1, "a", "1"}};
    cohort.deferred = {{2, "b", "2"}, {3, "c", "3"}};
    cohort.held_back = {{4, "d", "4"}};
    plan.cohorts = {cohort};
    report.plan = plan;
    const auto text = render_metrics({report, "s", 3, 0, {}});
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_guards_tripped{site=\"s\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_guard_tripped{site=\"s\",guard=\"max_removals\"} 1"))
        << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_guard_tripped{site=\"s\",guard=\"directory_shrink\"} 0"))
        << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_unplaced_memberships{site=\"s\"} 2")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_deferred_members_removed{site=\"s\"} 2")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_held_back_members_removed{site=\"s\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_planned_members_removed{site=\"s\"} 1")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_members_removed{site=\"s\"} 0")) << text;
}

TEST(Metrics, SiteLabelIsEscaped) {
    const auto text = render_metrics({applied_report(), "a\"b\\c", 0, 0, {}});
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_success{site=\"a\\\"b\\\\c\"} 1")) << text;
}

} // namespace

namespace {

TEST(Metrics, DesiredMembersPerCohortKindOnlyOnASiteWithMoreThanEtapes) {
    auto report = applied_report();
    report.counts.records = {{"directory_entries", 5}};
    report.counts.per_etape = {{"L1", 3}, {"L2", 2}};
    EXPECT_EQ(render_metrics({report, "s", 0, 0, {}}).find("cohort_sync_last_run_desired_members"),
              std::string::npos);
    report.counts.per_kind["element"] = {{"UE1", 3}, {"UE2", 4}};
    const auto text = render_metrics({report, "s", 0, 0, {}});
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_desired_members{site=\"s\",kind=\"etape\"} 5")) << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_desired_members{site=\"s\",kind=\"element\"} 7"))
        << text;
    EXPECT_TRUE(has_line(text, "cohort_sync_last_run_desired_members{site=\"s\",kind=\"group\"} 0")) << text;
}

} // namespace
