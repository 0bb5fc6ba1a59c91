// The run logic with fake ports: what it calls, in which order, and what it refuses to call.
#include "../../src/app/run_sync.hpp"
#include "cohort_sync/error.hpp"
#include "fake_ports.hpp"
#include "test_builders.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cohort_sync {
namespace {

using testing::Calls;
using testing::FakeDirectory;
using testing::FakeExport;
using testing::FakeTarget;
using testing::inscription;
using testing::student;
using testing::user;

struct RunSyncFixture : ::testing::Test {
    FakeDirectory directory;
    FakeExport apogee;
    FakeTarget target;
    Config config = testing::test_config();
    RunReport report;
    std::ostringstream out;
    const RunClock clock{1795000000, {2026, 11, 18}};

    void SetUp() override {
        report.run_id = "test-run";
        report.started_at = clock.instant;
        directory.result.entries = {student("alice", "1001"), student("bob", "1002")};
        apogee.result.path = "export.csv";
        apogee.result.rows = {inscription("1001", "L1INFO", 2), inscription("1002", "L1INFO", 3)};
        apogee.result.data_lines = 2;
        target.calls.current.users = {user(10, "alice", "1001"), user(11, "bob", "1002")};
    }
    void run(SyncOptions options = {}) {
        run_sync(config, {{&directory, &apogee}, &target}, options, clock, report, out);
    }
};

TEST_F(RunSyncFixture, RealRunAppliesRecordsAndCommitsInOneSession) {
    run();
    EXPECT_EQ(target.calls.log, (std::vector<std::string>{"begin", "load", "impact", "apply",
                                                          "record applied", "commit", "close"}));
    ASSERT_TRUE(target.calls.applied);
    EXPECT_EQ(target.calls.applied->totals().adds, 2);
    EXPECT_EQ(report.outcome, "applied");
    EXPECT_EQ(target.calls.records.at(0).counts.students, 2);
}

TEST_F(RunSyncFixture, DryRunNeverCallsApplyAndRollsBack) {
    run({.dry_run = true, .plan_out = ""});
    EXPECT_EQ(target.calls.log, (std::vector<std::string>{"begin", "load", "impact", "rollback"}));
    EXPECT_EQ(report.outcome, "dry-run");
    EXPECT_NE(out.str().find("plan: +2 -0 in 1 cohort(s), 1 new"), std::string::npos) << out.str();
}

TEST_F(RunSyncFixture, DryRunPrintsJsonOnRequest) {
    run({.dry_run = true, .json = true, .plan_out = ""});
    const auto json = nlohmann::json::parse(out.str());
    EXPECT_EQ(json.at("plan").at("totals").at("adds"), 2);
    EXPECT_EQ(json.at("outcome"), "dry-run");
}

TEST_F(RunSyncFixture, DryRunPrintsTheReviewPageOnRequestWithLastNightsCounts) {
    target.calls.current.last_success =
        SourceCounts{{{"directory_entries", 2}, {"export_inscriptions", 2}}, 2, {{"L1INFO", 2}}};
    run({.dry_run = true, .plan_out = "", .review_page = ReviewOptions{}});
    EXPECT_EQ(target.calls.log, (std::vector<std::string>{"begin", "load", "impact", "rollback"}));
    EXPECT_TRUE(out.str().starts_with("<!DOCTYPE html>")) << out.str().substr(0, 200);
    EXPECT_NE(out.str().find("<b>+2</b> members added"), std::string::npos);
    EXPECT_EQ(report.last_success, target.calls.current.last_success) << "the page compares with it";
}

TEST_F(RunSyncFixture, TrippedGuardRecordsTheRefusalAndAppliesNothing) {
    target.calls.current.cohorts = {{1, "etape-L1INFO", "L1INFO: L1INFO", "", 1, {10, 11}}};
    apogee.result.rows.clear(); // a broken export: its two lines are bad rows
    EXPECT_THROW(run(), GuardRefused);
    EXPECT_EQ(target.calls.log,
              (std::vector<std::string>{"begin", "load", "impact", "record refused", "commit", "close"}));
    EXPECT_FALSE(target.calls.applied);
    EXPECT_EQ(report.outcome, "refused");
}

TEST_F(RunSyncFixture, ForceAppliesATrippedPlan) {
    config.guards.max_removals = 0;
    target.calls.current.cohorts = {{1, "etape-L1INFO", "L1INFO: L1INFO", "", 1, {10, 11}}};
    apogee.result.rows.pop_back();
    EXPECT_THROW(run(), GuardRefused);
    target.calls.log.clear();
    run({.force = true, .plan_out = ""});
    EXPECT_EQ(target.calls.applied->totals().removes, 1);
    EXPECT_TRUE(report.forced);
}

TEST_F(RunSyncFixture, SourceErrorStopsBeforeTheTargetIsTouched) {
    struct BrokenDirectory : Source {
        SourceRead read() override { throw SourceError("LDAP search failed on page 3"); }
    } broken;
    EXPECT_THROW(run_sync(config, {{&broken, &apogee}, &target}, {}, clock, report, out), SourceError);
    EXPECT_TRUE(target.calls.log.empty());
}

TEST_F(RunSyncFixture, RuleDirectoryNeedsNoExport) {
    config.membership.rule = MembershipRule::directory;
    directory.result.entries = {student("alice", "1001", {"L1INFO"})};
    run_sync(config, {{&directory}, &target}, {}, clock, report, out);
    EXPECT_EQ(target.calls.applied->totals().adds, 1);
    EXPECT_EQ(needed_source_kinds(config), std::vector<const SourceKind*>{&source_kind("ldap")});
    config.membership.rule = MembershipRule::exportonly;
    config.apogee.path = "export.csv";
    EXPECT_EQ(needed_source_kinds(config), std::vector<const SourceKind*>{&source_kind("export")});
}

TEST_F(RunSyncFixture, ReportTimesEveryPhase) {
    run();
    std::vector<std::string> phases;
    for (const auto& phase : report.phases) {
        phases.push_back(phase.phase);
    }
    EXPECT_EQ(phases, (std::vector<std::string>{"ldap", "export", "merge", "lock", "load", "plan", "impact",
                                                "apply", "commit"}));
}

} // namespace
} // namespace cohort_sync
