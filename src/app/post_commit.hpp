// moodle.post_commit_command (Moodle's enrol/cohort/cli/sync.php) after a commit, so that courses
// follow at once instead of at Moodle's next hourly task. No shell is involved: argv is run as
// given.
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

// Runs the command and waits for it; logs the outcome. Never throws.
PostCommitOutcome run_post_commit_command(const std::vector<std::string>& argv);

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
