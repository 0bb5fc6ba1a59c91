// The review page: the plan of a run as one self-contained HTML file, for the people who decide
// whether a night's removals may go ahead (the pedagogical team, the schooling office) rather
// than for the administrators who read the text plan or the JSON report. Rendered from the same
// RunReport as those, in English or French. Pure: values in, HTML text out; no clock, no I/O.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/plan_file.hpp"
#include "cohort_sync/report.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace cohort_sync {

enum class Language { en, fr };

// French when the first set of LC_ALL, LC_MESSAGES and LANG (POSIX's order of precedence)
// starts with "fr"; English otherwise.
Language language_from_locale(std::string_view lc_all, std::string_view lc_messages, std::string_view lang);

// What the page says about where the plan comes from. Deliberately not the configuration itself:
// the page is handed to people outside IT, so it never holds a connection string, a URI or a
// path to a secret, only these names.
struct ReviewSite {
    std::string configuration; // the configuration file, which names the Moodle site
    std::string tables;        // "public.mdl_"
    std::string component;     // the marker of the cohorts cohort-sync manages
    std::string rule;          // membership.rule; empty when unknown (a plan file)
    // The sources this configuration reads, by kind name, and where each reads (SourceKind::origin).
    std::map<std::string, std::string, std::less<>> sources;
    std::string plan_file; // set when the page shows a plan saved with --plan-out
};

ReviewSite review_site(const Config& config);
// For a plan saved with --plan-out to `path`: the Moodle tables it was made for.
ReviewSite review_site(const PlanFile& file, std::string path);

// Above this many students joining or leaving cohorts, each cohort's lists show only their first
// few (with the count of the others): a first night adds a quarter of a million members, and a
// page of that size takes a browser minutes to open. A night of 2 % churn at 100,000 students
// (some 2,500) stays far below. The other lists (students without an account, issues) show a
// tenth of it each.
inline constexpr int k_review_line_budget = 10000;

struct ReviewOptions {
    Language language = Language::en;
    bool full = false; // list every student whatever the plan's size (--html-full)
    int line_budget = k_review_line_budget;
};

// The whole page, from <!DOCTYPE html> to </html>.
std::string render_review_page(const RunReport& report, const ReviewSite& site, const ReviewOptions& options);

// A plan file as the report of the run that saved it: its plan, guard verdicts and source
// counts. The course impact, the cross-check and the sources' issues are not saved with a plan,
// so the page says they are unknown rather than empty.
RunReport report_of_plan_file(PlanFile file);

} // namespace cohort_sync
