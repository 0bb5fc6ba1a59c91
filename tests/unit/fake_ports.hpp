// Fake ports for the run logic's unit tests: sources that hand over fixed records, and a target
// that logs the calls made on it instead of writing.
#pragma once

#include "cohort_sync/ports.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cohort_sync::testing {

struct FakeDirectory : Source {
    DirectoryRead result;
    SourceRead read() override { return {"ldap", result, std::nullopt}; }
};

struct FakeExport : Source {
    ExportRead result;
    SourceRead read() override { return {"export", result, std::nullopt}; }
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

} // namespace cohort_sync::testing
