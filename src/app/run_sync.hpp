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
    Directory* directory = nullptr; // null when the membership rule needs no directory
    ExportSource* apogee = nullptr; // null when the rule needs no export
    Target* target = nullptr;
};

// Fills `report` as it goes, so that a run that throws still leaves a report behind. Prints
// the plan on `out` for --dry-run. Throws GuardRefused, LockBusy, SourceError, TargetError,
// CommitInDoubt, Interrupted.
// `after_sources` runs once the sources are read (the CLI clears its progress line there).
void run_sync(const Config& config, const SyncPorts& ports, const SyncOptions& options, RunReport& report,
              std::ostream& out, const std::function<void()>& after_sources = {});

// Applies the report's plan in `session`, records the run with it and commits: the tail shared
// by a sync and `apply-plan`. Throws CommitInDoubt, TargetError, Interrupted.
void apply_and_commit(TargetSession& session, RunReport& report);

bool rule_needs_directory(MembershipRule rule);
bool rule_needs_export(MembershipRule rule);

} // namespace cohort_sync
