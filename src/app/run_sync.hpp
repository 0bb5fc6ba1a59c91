// One sync run: sources -> merge -> (transaction) load -> plan -> guard -> [dry-run stops]
// -> apply -> commit. The same code runs for --dry-run and for the real run up to apply.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"
#include "cohort_sync/report.hpp"
#include "cohort_sync/review_page.hpp"

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace cohort_sync {

struct SyncOptions {
    bool dry_run = false;
    bool force = false;   // apply although a guard tripped (one reviewed run)
    bool verbose = false; // list usernames in the printed plan
    bool json = false;    // print the plan as JSON (--format json)
    std::string plan_out; // also save the plan there (--plan-out), for apply-plan
    std::optional<ReviewOptions> review_page = std::nullopt; // print the review page instead (--format html)
};

struct SyncPorts {
    std::vector<Source*> sources; // one adapter per source this configuration reads
    Target* target = nullptr;
};

// Fills `report` as it goes, so that a run that throws still leaves a report behind. Prints
// the plan on `out` for --dry-run. Throws GuardRefused, LockBusy, SourceError, TargetError,
// CommitInDoubt, Interrupted. `clock` is the run's one reading of the clock (report.started_at
// is its instant). `after_sources` runs once the sources are read (the CLI clears its progress
// line there).
void run_sync(const Config& config, const SyncPorts& ports, const SyncOptions& options, const RunClock& clock,
              RunReport& report, std::ostream& out, const std::function<void()>& after_sources = {});

// Applies the report's plan in `session`, records the run with it and commits: the tail shared
// by a sync and `apply-plan`. Throws CommitInDoubt, TargetError, Interrupted.
void apply_and_commit(TargetSession& session, RunReport& report);

// Sets report.finished_at, unless the run already recorded it: the report file and the runs
// table must say the same time.
void finish(RunReport& report);

} // namespace cohort_sync
