// The run report: every fact of a run in one value, rendered as JSON (the report file, read by
// `cohort-sync status`) and as text (the plan shown by --dry-run, the summary at the end of
// the log). Rendering is pure.
#pragma once

#include "cohort_sync/guard.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/plan.hpp"
#include "cohort_sync/ports.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cohort_sync {

struct PhaseTiming {
    std::string phase; // "ldap", "export", "merge", "load", "plan", "apply", "commit"
    double seconds = 0;
};

// moodle.post_commit_command after a commit: its failure leaves the cohorts committed and the
// courses not yet updated (exit code 7, outcome "post-commit-failed").
struct PostCommitOutcome {
    std::string command; // argv[0]
    bool succeeded = false;
    std::string detail; // "exit code 1", "signal 9", "could not start: ..."
};

// What a source's read said about the source itself, beyond its records: a database's version
// and dump date (the Pégase DRE), the rows its kind read but does not count.
struct SourceFactsReport {
    std::string source;                         // the kind's name
    std::optional<DatabaseFacts> database = {}; // for a source read from a database
    std::map<std::string, int> not_counted = {};
};

struct RunReport {
    std::string run_id;
    // applied, dry-run, refused, failed, locked, in-doubt, interrupted, post-commit-failed
    std::string outcome = "failed";
    bool dry_run = false;
    bool forced = false;
    long long started_at = 0;
    long long finished_at = 0;
    std::vector<PhaseTiming> phases;
    SourceCounts counts;
    // The last applied run's counts, which the shrink guards compared `counts` with. The review
    // page shows them beside this run's; the JSON report leaves them out, since the guards'
    // figures already quote them and the previous report holds them whole.
    std::optional<SourceCounts> last_success;
    int directory_pages = 0;
    std::vector<SourceFactsReport> sources; // each source accepted, in the order they were read
    CrossCheck cross_check;
    std::optional<Plan> plan;
    std::vector<GuardVerdict> verdicts;
    std::optional<CourseImpact> impact;
    std::optional<ApplyStats> applied;
    std::optional<PostCommitOutcome> post_commit;
    std::string moodle_release; // the site's Moodle (mdl_config 'release'), once read
    std::string moodle_version; // mdl_config 'version'
    Issues issues;              // from every source and phase
    std::string error;          // set when the run failed
    std::string hint;
};

// `full`: everything (the report file, --format json). `summary`: without the per-member and
// per-student lists (plan cohorts, unplaced, accounts, disagreements), for the copy stored with
// the run in the database: a first sync at a large university would otherwise store tens of
// megabytes while holding the lock.
enum class ReportDetail { full, summary };

// The report as JSON text (without a final newline), keys in the order of docs/report.md,
// indented by two spaces, each element of a list of records (a planned member, an issue...) on
// one line. Written without building a tree: a first sync's report holds a quarter of a million
// members (json_writer.hpp).
std::string report_json_text(const RunReport& report, ReportDetail detail = ReportDetail::full);

// The plan as an admin reads it: per cohort "+N -M", new cohorts, renames, guard verdicts,
// students who cannot be placed. `verbose` lists the usernames.
std::string render_plan(const Plan& plan, const std::vector<GuardVerdict>& verdicts, bool verbose);

// "12 no_account, 3 deleted_account": the plan's unplaced students counted by reason.
std::string unplaced_by_reason(const Plan& plan);

// One short paragraph for the end of the log.
std::string render_summary(const RunReport& report);

} // namespace cohort_sync
