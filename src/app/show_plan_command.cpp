#include "show_plan_command.hpp"

#include "cohort_sync/exit_code.hpp"
#include "plan_output.hpp"
#include "plan_store.hpp"

#include <spdlog/spdlog.h>

namespace cohort_sync {

int show_plan_command(const ShowPlanOptions& options, std::ostream& out) {
    auto file = load_plan_file(options.path);
    std::string text;
    if (options.html) {
        const auto site = review_site(file, options.path);
        text = render_review_page(report_of_plan_file(std::move(file)), site, options.review);
    } else {
        text = render_plan(file.plan, file.verdicts, options.verbose);
    }
    write_plan_output(text, options.output, out);
    if (!options.output.empty()) {
        spdlog::info("plan of '{}' written to '{}' (readable by its owner only)", options.path,
                     options.output);
    }
    return to_int(ExitCode::success);
}

} // namespace cohort_sync
