#pragma once

#include <string>
#include <vector>

namespace cohort_sync {

// Runs moodle.post_commit_command (e.g. Moodle's enrol/cohort/cli/sync.php) after a commit, so
// that courses follow at once instead of at Moodle's next hourly task. Its failure is
// reported and does not undo the sync. No shell is involved: argv is run as given.
void run_post_commit_command(const std::vector<std::string>& argv);

} // namespace cohort_sync
