// moodle.post_commit_command (Moodle's enrol/cohort/cli/sync.php) after a commit that added or
// removed a member, so that courses follow at once instead of at Moodle's next hourly task. No
// shell is involved: argv is run as given, in a process group of its own, so that a timeout or a
// stop signal ends it and everything it started.
#pragma once

#include "cohort_sync/error.hpp"
#include "cohort_sync/report.hpp"

#include <string>
#include <vector>

namespace cohort_sync {

// The cohorts are committed but the courses are not updated yet: exit code 7
// (ExitCode::post_commit_failed), outcome "post-commit-failed". Not a log line nobody reads: from
// Moodle 5.1 the documented .../enrol/cohort/cli/sync.php moved under public/, php exited 1 every
// night, and courses waited up to an hour for Moodle's own task.
class PostCommitFailed : public Error {
public:
    using Error::Error;
};

// Whether a commit is worth the command: enrol_cohort follows cohort memberships only, so a night
// of +0 -0 (or only renames) has nothing for it to do.
bool post_commit_needed(const ApplyStats& applied);

// Runs the command and waits for it, at most `timeout_seconds`
// (moodle.post_commit_timeout_seconds); on the timeout or a stop signal (SIGTERM, SIGINT) its
// process group gets SIGTERM, then SIGKILL 5 s later, and the outcome is a failure saying why.
// Logs the outcome. Never throws.
PostCommitOutcome run_post_commit_command(const std::vector<std::string>& argv, int timeout_seconds);

// Throws PostCommitFailed, naming the command and its outcome, when `outcome` failed.
void require_post_commit_success(const PostCommitOutcome& outcome);

// What `check` says about the command before any night runs it: argv[0] exists and this user may
// execute it, and the PHP scripts it is given exist and this user may read them.
struct PostCommitCheck {
    bool ok = true;
    std::string detail;
    std::string hint;
};
PostCommitCheck check_post_commit_command(const std::vector<std::string>& argv);

} // namespace cohort_sync
