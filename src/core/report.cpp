#include "cohort_sync/report.hpp"

#include "cohort_sync/source_counts_json.hpp"

#include <fmt/format.h>
#include <map>

namespace cohort_sync {
namespace {

nlohmann::json members_json(const std::vector<PlannedMember>& members) {
    auto out = nlohmann::json::array();
    for (const auto& member : members) {
        out.push_back({{"user_id", member.user_id},
                       {"username", member.username},
                       {"idnumber", member.student_number}});
    }
    return out;
}

nlohmann::json issues_json(const Issues& issues) {
    auto out = nlohmann::json::array();
    for (const auto& issue : issues) {
        out.push_back({{"severity", to_string(issue.severity)},
                       {"locator", issue.locator},
                       {"message", issue.message}});
    }
    return out;
}

nlohmann::json disagreements_json(const std::vector<Disagreement>& list) {
    auto out = nlohmann::json::array();
    for (const auto& d : list) {
        out.push_back({{"student_number", d.student_number},
                       {"login", d.login},
                       {"etape", d.etape},
                       {"only_in", d.only_in},
                       {"locator", d.locator}});
    }
    return out;
}

nlohmann::json plan_json(const Plan& plan, ReportDetail detail) {
    const auto totals = plan.totals();
    const nlohmann::json summary_totals = {{"adds", totals.adds},
                                           {"accounts", totals.accounts},
                                           {"removes", totals.removes},
                                           {"creates", totals.creates},
                                           {"renames", totals.renames},
                                           {"deferred", totals.deferred},
                                           {"cohorts_changed", totals.cohorts_changed},
                                           {"managed_memberships", totals.managed_memberships}};
    if (detail == ReportDetail::summary) {
        return {{"totals", summary_totals},
                {"left_alone", plan.left_alone},
                {"issues", issues_json(plan.issues)}};
    }
    auto cohorts = nlohmann::json::array();
    for (const auto& cohort : plan.cohorts) {
        if (!cohort.changes() && cohort.deferred.empty()) {
            continue;
        }
        nlohmann::json item = {{"idnumber", cohort.idnumber},
                               {"etape", cohort.etape},
                               {"name", cohort.name},
                               {"create", cohort.creates()},
                               {"current_size", cohort.current_size},
                               {"desired_size", cohort.desired_size},
                               {"adds", members_json(cohort.adds)},
                               {"removes", members_json(cohort.removes)},
                               {"deferred", members_json(cohort.deferred)}};
        item["cohort_id"] = cohort.cohort_id ? nlohmann::json(*cohort.cohort_id) : nlohmann::json(nullptr);
        item["rename_from"] =
            cohort.rename_from ? nlohmann::json(*cohort.rename_from) : nlohmann::json(nullptr);
        cohorts.push_back(std::move(item));
    }
    auto unplaced = nlohmann::json::array();
    for (const auto& u : plan.unplaced) {
        unplaced.push_back({{"student_number", u.student_number},
                            {"login", u.login},
                            {"etape", u.etape},
                            {"reason", to_string(u.reason)}});
    }
    auto accounts = nlohmann::json::array();
    for (const auto& a : plan.accounts) {
        accounts.push_back({{"username", a.username},
                            {"idnumber", a.idnumber},
                            {"first_name", a.first_name},
                            {"last_name", a.last_name},
                            {"mail", a.mail},
                            {"auth", a.auth}});
    }
    return {{"totals", summary_totals},        {"cohorts", std::move(cohorts)},
            {"unplaced", std::move(unplaced)}, {"accounts", std::move(accounts)},
            {"left_alone", plan.left_alone},   {"issues", issues_json(plan.issues)}};
}

std::string names(const std::vector<PlannedMember>& members) {
    std::string out;
    for (const auto& member : members) {
        out += (out.empty() ? "" : " ") +
               (member.username.empty() ? fmt::format("#{}", member.user_id) : member.username);
    }
    return out;
}

} // namespace

nlohmann::json to_json(const RunReport& report, ReportDetail detail) {
    nlohmann::json out = {{"format", 1},
                          {"run_id", report.run_id},
                          {"outcome", report.outcome},
                          {"dry_run", report.dry_run},
                          {"forced", report.forced},
                          {"started_at", report.started_at},
                          {"finished_at", report.finished_at},
                          {"counts", nlohmann::json(report.counts)},
                          {"directory_pages", report.directory_pages}};
    auto phases = nlohmann::json::array();
    for (const auto& phase : report.phases) {
        phases.push_back({{"phase", phase.phase}, {"seconds", phase.seconds}});
    }
    out["phases"] = std::move(phases);
    out["cross_check"] = {{"students_compared", report.cross_check.students_compared},
                          {"only_in_export", report.cross_check.only_in_export},
                          {"only_in_directory", report.cross_check.only_in_directory},
                          {"disagreements", disagreements_json(report.cross_check.all)}};
    out["plan"] = report.plan ? plan_json(*report.plan, detail) : nlohmann::json(nullptr);
    if (detail == ReportDetail::summary) {
        out["detail"] = "summary";
        out["cross_check"].erase("disagreements");
    }
    auto verdicts = nlohmann::json::array();
    for (const auto& v : report.verdicts) {
        verdicts.push_back(
            {{"guard", v.guard}, {"tripped", v.tripped}, {"figures", v.figures}, {"hint", v.hint}});
    }
    out["guards"] = std::move(verdicts);
    out["applied"] = report.applied ? nlohmann::json{{"accounts_created", report.applied->accounts_created},
                                                     {"cohorts_created", report.applied->cohorts_created},
                                                     {"cohorts_renamed", report.applied->cohorts_renamed},
                                                     {"members_added", report.applied->members_added},
                                                     {"members_removed", report.applied->members_removed}}
                                    : nlohmann::json(nullptr);
    if (report.impact) {
        auto courses = nlohmann::json::array();
        for (const auto& course : report.impact->courses) {
            courses.push_back({{"course_id", course.course_id},
                               {"shortname", course.shortname},
                               {"enrolments_added", course.enrolments_added},
                               {"enrolments_removed", course.enrolments_removed},
                               {"removed_with_grades", course.removed_with_grades}});
        }
        out["course_impact"] = {{"unenrol_action", static_cast<int>(report.impact->unenrol_action)},
                                {"cohort_enrol_enabled", report.impact->cohort_enrol_enabled},
                                {"enrolments_added", report.impact->enrolments_added},
                                {"enrolments_removed", report.impact->enrolments_removed},
                                {"graded_students_removed", report.impact->graded_students_removed},
                                {"courses", std::move(courses)}};
    } else {
        out["course_impact"] = nullptr;
    }
    out["issues"] = issues_json(report.issues);
    out["error"] = report.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.error);
    out["hint"] = report.hint.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.hint);
    return out;
}

std::string render_plan(const Plan& plan, const std::vector<GuardVerdict>& verdicts, bool verbose) {
    const auto totals = plan.totals();
    std::string out = fmt::format("plan: +{} -{} in {} cohort(s), {} new, {} renamed", totals.adds,
                                  totals.removes, totals.cohorts_changed, totals.creates, totals.renames);
    if (totals.deferred > 0) {
        out += fmt::format(", {} removal(s) deferred by the grace period", totals.deferred);
    }
    out += '\n';
    for (const auto& cohort : plan.cohorts) {
        if (!cohort.changes() && cohort.deferred.empty()) {
            continue;
        }
        out += fmt::format("  {:<24} +{:<5} -{:<5} {}{}\n", cohort.idnumber, cohort.adds.size(),
                           cohort.removes.size(), cohort.creates() ? "new: " : "", cohort.name);
        if (cohort.rename_from) {
            out += fmt::format("      rename from '{}'\n", *cohort.rename_from);
        }
        if (verbose && !cohort.adds.empty()) {
            out += fmt::format("      + {}\n", names(cohort.adds));
        }
        if (verbose && !cohort.removes.empty()) {
            out += fmt::format("      - {}\n", names(cohort.removes));
        }
        if (verbose && !cohort.deferred.empty()) {
            out += fmt::format("      kept for now (grace period): {}\n", names(cohort.deferred));
        }
    }
    if (!plan.accounts.empty()) {
        out += fmt::format(
            "accounts: {} Moodle account(s) to create for students who have none (provisioning)\n",
            plan.accounts.size());
        if (verbose) {
            for (const auto& a : plan.accounts) {
                out += fmt::format("  + {:<20} {:<12} {} {}\n", a.username, a.idnumber, a.first_name,
                                   a.last_name);
            }
        }
    }
    for (const auto& idnumber : plan.left_alone) {
        out += fmt::format(
            "  {:<24} left alone: nobody in the sources any more (moodle.empty_vanished_cohorts is off)\n",
            idnumber);
    }
    if (!plan.unplaced.empty()) {
        out += fmt::format("unplaced: {} student membership(s) without a usable Moodle account: {}\n",
                           plan.unplaced.size(), unplaced_by_reason(plan));
        if (verbose) {
            for (const auto& u : plan.unplaced) {
                out += fmt::format("  {:<12} {:<16} {:<12} {}\n", u.etape, u.student_number, u.login,
                                   to_string(u.reason));
            }
        }
    }
    for (const auto& issue : plan.issues) {
        out += fmt::format("{}: {}: {}\n", to_string(issue.severity), issue.locator, issue.message);
    }
    for (const auto& verdict : verdicts) {
        out += fmt::format("guard {:<26} {}  {}\n", verdict.guard, verdict.tripped ? "TRIPPED" : "ok",
                           verdict.figures);
    }
    return out;
}

std::string unplaced_by_reason(const Plan& plan) {
    std::map<std::string, int> by_reason;
    for (const auto& u : plan.unplaced) {
        ++by_reason[to_string(u.reason)];
    }
    std::string out;
    for (const auto& [reason, count] : by_reason) {
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", count, reason);
    }
    return out;
}

std::string render_summary(const RunReport& report) {
    std::string out = fmt::format("run {}: {}", report.run_id, report.outcome);
    if (report.plan) {
        const auto totals = report.plan->totals();
        out += fmt::format("; +{} -{} in {} cohort(s), {} new", totals.adds, totals.removes,
                           totals.cohorts_changed, totals.creates);
        out += fmt::format("; {} unplaced", report.plan->unplaced.size());
        if (totals.accounts > 0) {
            out += fmt::format("; {} account(s) to create", totals.accounts);
        }
    }
    out += fmt::format("; sources: {} directory entries, {} active inscriptions, {} students",
                       report.counts.directory_entries, report.counts.export_inscriptions,
                       report.counts.students);
    if (report.cross_check.students_compared > 0) {
        out += fmt::format("; cross-check: {} only in export, {} only in directory",
                           report.cross_check.only_in_export, report.cross_check.only_in_directory);
    }
    int tripped = 0;
    for (const auto& v : report.verdicts) {
        tripped += v.tripped ? 1 : 0;
    }
    if (tripped > 0) {
        out += fmt::format("; {} guard(s) tripped", tripped);
    }
    return out;
}

} // namespace cohort_sync
