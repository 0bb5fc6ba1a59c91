// The documented exit codes (docs/operations.md). Few and distinct, so that a systemd
// OnFailure= hook or a monitoring check can tell the cases apart.
#pragma once

namespace cohort_sync {

enum class ExitCode : int {
    success = 0,            // the plan was applied (or, with --dry-run, computed) and all checks passed
    failed = 1,             // an error stopped the run; nothing was changed in Moodle
    usage = 2,              // bad command line or configuration; nothing was read or written
    guard_refused = 3,      // a safety guard refused the plan; nothing was written
    locked = 4,             // another run holds the lock on this Moodle database
    commit_in_doubt = 5,    // the connection was lost during COMMIT: check the next run
    check_failed = 6,       // `cohort-sync check` found a server it could not reach or bind to
    post_commit_failed = 7, // the plan was committed, but moodle.post_commit_command failed: the
                            // cohorts are in, the courses not yet updated
    interrupted = 130,      // SIGINT/SIGTERM: rolled back (128 + SIGINT, as shells report it)
};

constexpr int to_int(ExitCode code) {
    return static_cast<int>(code);
}

} // namespace cohort_sync
