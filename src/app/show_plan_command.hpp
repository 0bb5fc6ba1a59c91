#pragma once

#include "cohort_sync/review_page.hpp"

#include <iosfwd>
#include <string>

namespace cohort_sync {

struct ShowPlanOptions {
    std::string path;     // the plan file, saved with --plan-out
    bool html = false;    // the review page rather than the text plan
    bool verbose = false; // the text plan with the usernames
    std::string output;   // --output; empty: standard output
    ReviewOptions review; // for the review page
};

// `cohort-sync show-plan PLAN.json`: a saved plan shown again for review, as the text of
// --dry-run or as the HTML review page, without connecting to anything: whoever reviews it
// needs neither the configuration nor the servers. Throws ConfigError (unreadable plan file) and
// Error (unwritable output).
int show_plan_command(const ShowPlanOptions& options, std::ostream& out);

} // namespace cohort_sync
