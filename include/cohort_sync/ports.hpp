// The boundaries between the run logic and the outside world. Small interfaces, so that the
// run logic is testable with fakes and the real adapters (src/io) are swapped in by main.
#pragma once

#include "cohort_sync/impact.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/plan.hpp"
#include "cohort_sync/source.hpp"

#include <memory>
#include <string>

namespace cohort_sync {

// A source's adapter (source.hpp says what a source is). It reads and reports what it found;
// whether that is good enough to use is its SourceKind's decision, in the core.
class Source {
public:
    virtual ~Source() = default;
    // The whole read, or throws SourceError when it could not be read whole (a lost connection,
    // a file that changed under the reader): never a partial one.
    virtual SourceRead read() = 0;
};

struct ApplyStats {
    int accounts_created = 0;
    int cohorts_created = 0;
    int cohorts_renamed = 0;
    int members_added = 0;
    int members_removed = 0;
    int idnumbers_restored = 0; // edited in Moodle, put back (last: positional initialisers stay valid)
};

// What a run leaves in the state schema together with its changes.
struct RunRecord {
    std::string run_id;
    std::string outcome;       // "applied", "dry-run", "refused", "failed"
    long long started_at = 0;  // Unix seconds
    long long finished_at = 0; // the report's finished_at: one reading of the clock for both
    SourceCounts counts;
    std::string report_json; // the run report, for `cohort-sync status`
};

// One transaction on Moodle's database. Rolls back on destruction unless committed.
class TargetSession {
public:
    virtual ~TargetSession() = default;
    virtual Current load() = 0;
    // Read-only: what the plan will do to courses (enrol_cohort instances, enrolments, grades).
    virtual CourseImpact course_impact(const Plan& plan) = 0;
    virtual ApplyStats apply(const Plan& plan, long long now) = 0;
    virtual void record(const RunRecord& record) = 0;
    virtual void commit() = 0; // throws CommitInDoubt when the outcome is unknown
};

class Target {
public:
    virtual ~Target() = default;
    // Opens a transaction and takes the advisory lock; throws LockBusy if another run holds it.
    virtual std::unique_ptr<TargetSession> begin() = 0;
};

} // namespace cohort_sync
