#include "cohort_sync/report.hpp"

#include "cohort_sync/cohort_kind.hpp"
#include "cohort_sync/json_writer.hpp"
#include "cohort_sync/plan_json.hpp"
#include "cohort_sync/source.hpp"
#include "cohort_sync/source_counts_json.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <string_view>

namespace cohort_sync {
namespace {

using Layout = JsonWriter::Layout;

// "étape +3 -1 in 2 cohort(s); element +5 -0 in 1 cohort(s)", or "" (Plan::changes_by_kind).
std::string changes_per_kind(const Plan& plan) {
    std::string out;
    for (const auto& kind : plan.changes_by_kind()) {
        out += fmt::format("{}{} +{} -{} in {} cohort(s)", out.empty() ? "" : "; ",
                           cohort_kind(kind.kind).noun(), kind.adds, kind.removes, kind.cohorts_changed);
    }
    return out;
}

void write_phases(JsonWriter& out, const std::vector<PhaseTiming>& phases) {
    out.key("phases").begin_array();
    for (const auto& phase : phases) {
        out.begin_object(Layout::line)
            .field("phase", phase.phase)
            .field("seconds", phase.seconds)
            .end_object();
    }
    out.end_array();
}

void write_sources(JsonWriter& out, const std::vector<SourceFactsReport>& sources) {
    out.key("sources").begin_array();
    for (const auto& source : sources) {
        out.begin_object(Layout::line).field("source", source.source);
        const auto* database = source.database ? &*source.database : nullptr;
        out.key("version");
        if (database && !database->version.empty()) {
            out.value(database->version);
        } else {
            out.null();
        }
        out.key("dump_date");
        if (database && !database->dump_date.empty()) {
            out.value(database->dump_date);
        } else {
            out.null();
        }
        out.key("not_counted").begin_array();
        for (const auto& [reason, rows] : source.not_counted) {
            out.begin_object().field("reason", reason).field("rows", rows).end_object();
        }
        out.end_array().end_object();
    }
    out.end_array();
}

void write_cross_check(JsonWriter& out, const CrossCheck& cross_check, ReportDetail detail) {
    out.key("cross_check")
        .begin_object()
        .field("students_compared", cross_check.students_compared)
        .field("only_in_export", cross_check.only_in_export)
        .field("only_in_directory", cross_check.only_in_directory);
    if (detail == ReportDetail::full) {
        out.key("disagreements").begin_array();
        for (const auto& d : cross_check.all) {
            out.begin_object(Layout::line)
                .field("student_number", d.student_number)
                .field("login", d.login)
                .field("etape", d.etape)
                .field("only_in", d.only_in)
                .field("locator", d.locator)
                .end_object();
        }
        out.end_array();
    }
    out.end_object();
}

void write_course_impact(JsonWriter& out, const CourseImpact& impact) {
    out.key("course_impact")
        .begin_object()
        .field("unenrol_action", static_cast<int>(impact.unenrol_action))
        .field("cohort_enrol_enabled", impact.cohort_enrol_enabled)
        .field("enrolments_added", impact.enrolments_added)
        .field("enrolments_removed", impact.enrolments_removed)
        .field("graded_students_removed", impact.graded_students_removed)
        .field("groups_previewed", impact.groups_previewed)
        .field("group_joins", impact.group_joins)
        .field("group_leaves", impact.group_leaves)
        .key("courses")
        .begin_array();
    for (const auto& course : impact.courses) {
        out.begin_object(Layout::line)
            .field("course_id", course.course_id)
            .field("shortname", course.shortname)
            .field("enrolments_added", course.enrolments_added)
            .field("enrolments_removed", course.enrolments_removed)
            .field("removed_with_grades", course.removed_with_grades)
            .key("groups")
            .begin_array(Layout::line);
        for (const auto& group : course.groups) {
            out.begin_object(Layout::line)
                .field("group_id", group.group_id)
                .field("name", group.name)
                .field("joining", group.joining)
                .field("leaving", group.leaving)
                .key("students_joining")
                .begin_array(Layout::line);
            for (const auto& name : group.students_joining) {
                out.value(name);
            }
            out.end_array().key("students_leaving").begin_array(Layout::line);
            for (const auto& name : group.students_leaving) {
                out.value(name);
            }
            out.end_array().end_object();
        }
        out.end_array().end_object();
    }
    out.end_array().end_object();
}

void write_applied(JsonWriter& out, const ApplyStats& applied) {
    out.key("applied")
        .begin_object()
        .field("accounts_created", applied.accounts_created)
        .field("cohorts_created", applied.cohorts_created)
        .field("cohorts_renamed", applied.cohorts_renamed)
        .field("idnumbers_restored", applied.idnumbers_restored)
        .field("members_added", applied.members_added)
        .field("members_removed", applied.members_removed)
        .end_object();
}

// A string, or null when empty.
void write_text_or_null(JsonWriter& out, std::string_view name, const std::string& text) {
    out.key(name);
    if (text.empty()) {
        out.null();
    } else {
        out.value(text);
    }
}

// Enough room for the whole text, so that a first sync's 25 MB report is not copied as it grows:
// about 100 bytes per record line, a little more per cohort.
std::size_t expected_size(const RunReport& report, ReportDetail detail) {
    std::size_t records =
        report.phases.size() + report.verdicts.size() + report.issues.size() + report.counts.per_etape.size();
    if (report.plan) {
        records += report.plan->issues.size() + report.plan->left_alone.size();
        if (detail == ReportDetail::full) {
            records +=
                4 * report.plan->cohorts.size() + report.plan->unplaced.size() + report.plan->accounts.size();
            for (const auto& cohort : report.plan->cohorts) {
                records += cohort.adds.size() + cohort.removes.size() + cohort.deferred.size() +
                           cohort.held_back.size();
            }
        }
    }
    if (report.impact) {
        records += report.impact->courses.size();
    }
    if (detail == ReportDetail::full) {
        records += report.cross_check.all.size();
    }
    return 4096 + 100 * records;
}

// A list on one line stays under k_max_line_bytes, the rest counted: a line of the report or the
// log is read by people and by journald, and a first night lists a quarter of a million members.
constexpr std::size_t k_max_line_bytes = 900;

std::string names(const std::vector<PlannedMember>& members) {
    std::string out;
    for (std::size_t i = 0; i < members.size(); ++i) {
        const auto& member = members[i];
        auto name = member.username.empty() ? fmt::format("#{}", member.user_id) : member.username;
        if (out.size() + name.size() > k_max_line_bytes) {
            return out + fmt::format(" … and {} more", members.size() - i);
        }
        out += (out.empty() ? "" : " ") + name;
    }
    return out;
}

std::string describe_hold(const Hold& hold) {
    const auto where = hold.defect.dn.empty()
                           ? fmt::format("{} line {}", hold.defect.source, hold.defect.line)
                           : fmt::format("{} entry '{}'", hold.defect.source, hold.defect.dn);
    const auto what = !hold.student_number.empty() ? fmt::format("student {}", hold.student_number)
                      : !hold.login.empty()        ? fmt::format("login {}", hold.login)
                      : !hold.etape.empty()        ? fmt::format("étape {}", hold.etape)
                                                   : std::string("every removal");
    return fmt::format("  {}: holds {}: {}\n", where, what,
                       std::string_view(hold.message).substr(0, k_max_line_bytes / 2));
}

// What the night's source defects hold back: the first few, and how many more.
std::string render_holds(const Plan& plan) {
    constexpr std::size_t k_shown = 10;
    if (plan.holds.empty()) {
        return {};
    }
    std::string out = fmt::format("held back: {} record(s) the sources left out may concern students, whose "
                                  "removals wait for a clean night:\n",
                                  plan.holds.size());
    for (std::size_t i = 0; i < std::min(k_shown, plan.holds.size()); ++i) {
        out += describe_hold(plan.holds[i]);
    }
    if (plan.holds.size() > k_shown) {
        out += fmt::format("  … and {} more (the JSON report lists them all)\n", plan.holds.size() - k_shown);
    }
    return out;
}

} // namespace

std::string report_json_text(const RunReport& report, ReportDetail detail) {
    JsonWriter out(expected_size(report, detail));
    out.begin_object().field("format", 1);
    if (detail == ReportDetail::summary) {
        out.field("detail", "summary");
    }
    out.field("run_id", report.run_id)
        .field("outcome", report.outcome)
        .field("dry_run", report.dry_run)
        .field("forced", report.forced)
        .field("started_at", report.started_at)
        .field("finished_at", report.finished_at);
    if (report.moodle_release.empty() && report.moodle_version.empty()) {
        out.key("moodle").null();
    } else {
        out.key("moodle")
            .begin_object()
            .field("release", report.moodle_release)
            .field("version", report.moodle_version)
            .end_object();
    }
    write_counts(out.key("counts"), report.counts);
    out.field("directory_pages", report.directory_pages);
    write_sources(out, report.sources);
    write_phases(out, report.phases);
    write_cross_check(out, report.cross_check, detail);
    if (report.plan) {
        write_plan(out.key("plan"), *report.plan,
                   detail == ReportDetail::full ? PlanDetail::report : PlanDetail::summary);
    } else {
        out.key("plan").null();
    }
    write_guards(out.key("guards"), report.verdicts);
    if (report.impact) {
        write_course_impact(out, *report.impact);
    } else {
        out.key("course_impact").null();
    }
    if (report.applied) {
        write_applied(out, *report.applied);
    } else {
        out.key("applied").null();
    }
    if (report.post_commit) {
        out.key("post_commit")
            .begin_object()
            .field("command", report.post_commit->command)
            .field("succeeded", report.post_commit->succeeded)
            .field("detail", report.post_commit->detail)
            .end_object();
    } else {
        out.key("post_commit").null();
    }
    write_issues(out.key("issues"), report.issues);
    write_text_or_null(out, "error", report.error);
    write_text_or_null(out, "hint", report.hint);
    out.end_object();
    return std::move(out).take();
}

std::string render_plan(const Plan& plan, const std::vector<GuardVerdict>& verdicts, bool verbose) {
    const auto totals = plan.totals();
    std::string out = fmt::format("plan: +{} -{} in {} cohort(s), {} new, {} renamed", totals.adds,
                                  totals.removes, totals.cohorts_changed, totals.creates, totals.renames);
    if (totals.restores > 0) {
        out += fmt::format(", {} idnumber(s) restored", totals.restores);
    }
    if (totals.recreates > 0) {
        out += fmt::format(", {} deleted cohort(s) created again", totals.recreates);
    }
    if (totals.deferred > 0) {
        out += fmt::format(", {} removal(s) deferred by the grace period", totals.deferred);
    }
    if (totals.held_back > 0) {
        out += fmt::format(", {} removal(s) held back on doubt", totals.held_back);
    }
    out += '\n';
    // With element or group cohorts, each line says its kind (étape cohorts alone read as before).
    const auto per_kind = changes_per_kind(plan);
    if (!per_kind.empty()) {
        out += "  by kind: " + per_kind + "\n";
    }
    for (const auto& cohort : plan.cohorts) {
        if (!cohort.reported()) {
            continue;
        }
        if (!per_kind.empty()) {
            out += fmt::format("  {:<8}", cohort_kind(cohort.kind).noun());
        }
        out += fmt::format("  {:<24} +{:<5} -{:<5} {}{}\n", cohort.idnumber, cohort.adds.size(),
                           cohort.removes.size(), cohort.creates() ? "new: " : "", cohort.name);
        if (cohort.rename_from) {
            out += fmt::format("      rename from '{}'\n", *cohort.rename_from);
        }
        if (cohort.restore_idnumber_from) {
            out += fmt::format("      restore idnumber (cohort id {}): it was changed in Moodle to '{}'\n",
                               cohort.cohort_id.value_or(0), *cohort.restore_idnumber_from);
        }
        if (cohort.recreates) {
            out +=
                fmt::format("      created again: cohort id {} was deleted in Moodle\n", *cohort.recreates);
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
        if (!cohort.held_back.empty()) {
            out += fmt::format("      held back on doubt: {} removal(s): {}\n", cohort.held_back.size(),
                               names(cohort.held_back));
        }
    }
    out += render_holds(plan);
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
        if (const auto per_kind = changes_per_kind(*report.plan); !per_kind.empty()) {
            out += " (" + per_kind + ")";
        }
        out += fmt::format("; {} unplaced", report.plan->unplaced.size());
        if (totals.accounts > 0) {
            out += fmt::format("; {} account(s) to create", totals.accounts);
        }
    }
    // The sources this run read; all the kinds cohort-sync knows when it failed before reading any.
    out += "; sources: ";
    for (const auto* kind : source_kinds()) {
        const bool read = std::ranges::any_of(
            report.sources, [&](const SourceFactsReport& source) { return source.source == kind->name(); });
        if (read || (report.sources.empty() && always_counted(*kind))) {
            out += fmt::format("{} {}, ", report.counts.records_of(std::string(kind->count_key())),
                               kind->summary_noun());
        }
    }
    out += fmt::format("{} students", report.counts.students);
    if (report.cross_check.students_compared > 0) {
        out += fmt::format("; cross-check: {} only in inscriptions, {} only in directory",
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
