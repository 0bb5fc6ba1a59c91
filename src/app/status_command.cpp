#include "status_command.hpp"

#include "cohort_sync/exit_code.hpp"
#include "cohort_sync/io/moodle_status.hpp"
#include "local_time.hpp"

#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <ostream>

namespace cohort_sync {
namespace {

// "+412 -37, 2 new" from the stored report, or the guards that refused the run.
std::string changes_of(const std::string& report_json) {
    const auto report = nlohmann::json::parse(report_json, nullptr, /*allow_exceptions=*/false);
    if (report.is_discarded() || !report.is_object()) {
        return "";
    }
    std::string guards;
    for (const auto& verdict : report.value("guards", nlohmann::json::array())) {
        if (verdict.value("tripped", false)) {
            guards += (guards.empty() ? "" : ", ") + verdict.value("guard", std::string("?"));
        }
    }
    std::string text;
    if (const auto plan = report.find("plan"); plan != report.end() && plan->is_object()) {
        const auto& totals = (*plan)["totals"];
        text = fmt::format("+{} -{}, {} new", totals.value("adds", 0), totals.value("removes", 0),
                           totals.value("creates", 0));
    }
    if (!guards.empty()) {
        text += (text.empty() ? "" : "; ") + std::string("guards tripped: ") + guards;
    }
    if (report.value("forced", false)) {
        text += " (--force)";
    }
    return text;
}

} // namespace

int status_command(const Config& config, int limit, std::ostream& out) {
    const auto runs = read_run_history(config.moodle, limit);
    if (runs.empty()) {
        out << "no run recorded yet in this Moodle database\n";
    } else {
        out << fmt::format("last {} run(s), newest first:\n", runs.size());
        for (const auto& run : runs) {
            out << fmt::format("  {}  {:<8} {:>6}s  {:<48} {}\n", format_local_time(run.started_at),
                               run.outcome, run.finished_at - run.started_at, changes_of(run.report_json),
                               run.run_id);
        }
    }
    const auto propagation = read_propagation(config.moodle);
    out << fmt::format(
        "courses: {} course enrolment instance(s) use the managed cohorts; {} member(s) wait for "
        "their course enrolment, {} enrolment(s) wait for removal\n",
        propagation.cohort_instances, propagation.members_without_enrolment,
        propagation.enrolments_without_member);
    if (propagation.members_without_enrolment + propagation.enrolments_without_member > 0) {
        out << "  Moodle's hourly enrol_cohort task has not yet applied the latest cohort changes to the "
               "courses;\n  to do it now: sudo -u www-data php admin/cli/scheduled_task.php "
               "--execute='\\enrol_cohort\\task\\enrol_cohort_sync'\n";
    }
    return to_int(ExitCode::success);
}

} // namespace cohort_sync
