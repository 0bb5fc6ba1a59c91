// The run logic with fake ports: what it calls, in which order, and what it refuses to call.
#include "../../src/app/run_sync.hpp"
#include "cohort_sync/error.hpp"
#include "test_builders.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace cohort_sync {
namespace {

using testing::inscription;
using testing::student;
using testing::user;

struct FakeDirectory : Directory {
    DirectoryRead result;
    DirectoryRead read_all() override { return result; }
};

struct FakeExport : ExportSource {
    ExportRead result;
    ExportRead read() override { return result; }
};

struct Calls {
    std::vector<std::string> log;
    Current current;
    std::vector<RunRecord> records;
    std::optional<Plan> applied;
};

struct FakeSession : TargetSession {
    explicit FakeSession(Calls& calls)
        : m_calls(calls) {}
    ~FakeSession() override { m_calls.log.push_back(m_committed ? "close" : "rollback"); }
    Current load() override {
        m_calls.log.push_back("load");
        return m_calls.current;
    }
    CourseImpact course_impact(const Plan&) override {
        m_calls.log.push_back("impact");
        return {};
    }
    ApplyStats apply(const Plan& plan, long long) override {
        m_calls.log.push_back("apply");
        m_calls.applied = plan;
        return {plan.totals().creates, plan.totals().renames, plan.totals().adds, plan.totals().removes};
    }
    void record(const RunRecord& record) override {
        m_calls.log.push_back("record " + record.outcome);
        m_calls.records.push_back(record);
    }
    void commit() override {
        m_calls.log.push_back("commit");
        m_committed = true;
    }

private:
    Calls& m_calls;
    bool m_committed = false;
};

struct FakeTarget : Target {
    Calls calls;
    std::unique_ptr<TargetSession> begin() override {
        calls.log.push_back("begin");
        return std::make_unique<FakeSession>(calls);
    }
};

struct RunSyncFixture : ::testing::Test {
    FakeDirectory directory;
    FakeExport apogee;
    FakeTarget target;
    Config config = testing::test_config();
    RunReport report;
    std::ostringstream out;

    void SetUp() override {
        report.run_id = "test-run";
        report.started_at = 1795000000; // 2026-11-18
        directory.result.entries = {student("alice", "1001"), student("bob", "1002")};
        apogee.result.path = "export.csv";
        apogee.result.rows = {inscription("1001", "L1INFO", 2), inscription("1002", "L1INFO", 3)};
        target.calls.current.users = {user(10, "alice", "1001"), user(11, "bob", "1002")};
    }
    void run(SyncOptions options = {}) {
        run_sync(config, {&directory, &apogee, &target}, options, report, out);
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
    target.calls.current.last_success = SourceCounts{2, 2, 2, {{"L1INFO", 2}}};
    run({.dry_run = true, .plan_out = "", .review_page = ReviewOptions{}});
    EXPECT_EQ(target.calls.log, (std::vector<std::string>{"begin", "load", "impact", "rollback"}));
    EXPECT_TRUE(out.str().starts_with("<!DOCTYPE html>")) << out.str().substr(0, 200);
    EXPECT_NE(out.str().find("<b>+2</b> members added"), std::string::npos);
    EXPECT_EQ(report.last_success, target.calls.current.last_success) << "the page compares with it";
}

TEST_F(RunSyncFixture, TrippedGuardRecordsTheRefusalAndAppliesNothing) {
    target.calls.current.cohorts = {{1, "etape-L1INFO", "L1INFO: L1INFO", "", 1, {10, 11}}};
    apogee.result.rows.clear(); // a broken export
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
    struct BrokenDirectory : Directory {
        DirectoryRead read_all() override { throw SourceError("LDAP search failed on page 3"); }
    } broken;
    EXPECT_THROW(run_sync(config, {&broken, &apogee, &target}, {}, report, out), SourceError);
    EXPECT_TRUE(target.calls.log.empty());
}

TEST_F(RunSyncFixture, RuleDirectoryNeedsNoExport) {
    config.membership.rule = MembershipRule::directory;
    directory.result.entries = {student("alice", "1001", {"L1INFO"})};
    run_sync(config, {&directory, nullptr, &target}, {}, report, out);
    EXPECT_EQ(target.calls.applied->totals().adds, 1);
    EXPECT_FALSE(rule_needs_export(MembershipRule::directory));
    EXPECT_FALSE(rule_needs_directory(MembershipRule::exportonly));
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
