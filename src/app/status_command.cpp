#include "status_command.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/exit_code.hpp"
#include "cohort_sync/io/moodle_status.hpp"
#include "local_time.hpp"
#include "report_store.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <vector>

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
    // With element or group cohorts, how many cohorts of each kind the run's sources gave.
    if (const auto counts = report.find("counts"); counts != report.end() && counts->is_object()) {
        const auto per_kind = counts->find("per_kind");
        if (per_kind != counts->end() && per_kind->is_object() && !per_kind->empty()) {
            const auto etapes = counts->value("per_etape", nlohmann::json::object());
            std::string kinds = fmt::format("{} étape", etapes.is_object() ? etapes.size() : 0);
            for (const auto& [kind, keys] : per_kind->items()) {
                kinds += fmt::format(", {} {}", keys.is_object() ? keys.size() : 0, kind);
            }
            text += (text.empty() ? "" : "; ") + kinds + " cohort(s)";
        }
    }
    if (!guards.empty()) {
        text += (text.empty() ? "" : "; ") + std::string("guards tripped: ") + guards;
    }
    if (report.value("forced", false)) {
        text += " (--force)";
    }
    // Why a run failed: the first line of its error, cut to fit a line.
    if (const auto error = report.find("error"); error != report.end() && error->is_string()) {
        std::string reason = error->get<std::string>();
        reason = reason.substr(0, reason.find('\n'));
        if (reason.size() > 100) {
            reason = reason.substr(0, 99) + "…";
        }
        text += (text.empty() ? "" : "; ") + reason;
    }
    return text;
}

// The runs table's runs and those only the report files know of, newest first.
std::vector<RunHistoryEntry> all_runs(std::vector<RunHistoryEntry> recorded,
                                      std::vector<RunHistoryEntry> files, int limit) {
    recorded.insert(recorded.end(), std::make_move_iterator(files.begin()),
                    std::make_move_iterator(files.end()));
    // Stable: runs started in the same second keep the runs table's order (its ids), not their
    // run ids' random suffixes.
    std::ranges::stable_sort(recorded, std::greater<>(), &RunHistoryEntry::started_at);
    if (static_cast<int>(recorded.size()) > limit) {
        recorded.resize(static_cast<std::size_t>(limit));
    }
    return recorded;
}

} // namespace

int status_command(const Config& config, int limit, std::ostream& out) {
    // The runs table holds applied and refused runs; a night that failed (an unreachable server,
    // a refused source, a lost connection) is known from its report file only.
    std::vector<RunHistoryEntry> recorded;
    std::string database_problem;
    try {
        recorded = read_run_history(config.moodle, limit);
    } catch (const Error& error) {
        database_problem = error.what();
    }
    std::set<std::string> recorded_ids;
    for (const auto& run : recorded) {
        recorded_ids.insert(run.run_id);
    }
    std::string files_problem;
    const auto runs = all_runs(std::move(recorded),
                               unrecorded_runs(config.report, recorded_ids, limit, files_problem), limit);
    if (runs.empty()) {
        out << "no run recorded yet in this Moodle database\n";
    } else {
        out << fmt::format("last {} run(s), newest first:\n", runs.size());
        for (const auto& run : runs) {
            out << fmt::format("  {}  {:<11} {:>6}s  {:<48} {}\n", format_local_time(run.started_at),
                               run.outcome, run.finished_at - run.started_at, changes_of(run.report_json),
                               run.run_id);
        }
    }
    if (!files_problem.empty()) {
        out << fmt::format(
            "report files: {}: the runs that failed before they reached Moodle are not listed\n",
            files_problem);
    }
    if (!database_problem.empty()) {
        out << fmt::format("moodle: could not read the run history: {}\n", database_problem);
        return to_int(ExitCode::failed);
    }
    const auto propagation = read_propagation(config.moodle);
    out << fmt::format(
        "courses: {} course enrolment instance(s) use the managed cohorts; {} member(s) wait for "
        "their course enrolment, {} enrolment(s) wait for removal\n",
        propagation.cohort_instances, propagation.members_without_enrolment,
        propagation.enrolments_without_member);
    if (propagation.group_instances > 0) {
        out << fmt::format("  {} of these instance(s) put their members in a course group (\"Ajouter au "
                           "groupe\"): a dry run's course-impact preview names who joins and leaves each\n",
                           propagation.group_instances);
    }
    if (propagation.members_without_enrolment + propagation.enrolments_without_member > 0) {
        out << "  Moodle's hourly enrol_cohort task has not yet applied the latest cohort changes to the "
               "courses;\n  to do it now: sudo -u www-data php admin/cli/scheduled_task.php "
               "--execute='\\enrol_cohort\\task\\enrol_cohort_sync'\n";
    }
    return to_int(ExitCode::success);
}

} // namespace cohort_sync
