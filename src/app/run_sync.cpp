#include "run_sync.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/guard.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/plan.hpp"
#include "plan_store.hpp"
#include "signals.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <ctime>
#include <ostream>
#include <spdlog/spdlog.h>

namespace cohort_sync {
namespace {

class Stopwatch {
public:
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(); }

private:
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// Times one phase into the report.
template <typename F>
auto timed(RunReport& report, const char* phase, F&& work) {
    Stopwatch watch;
    auto result = work();
    report.phases.push_back({phase, watch.seconds()});
    return result;
}

double last_seconds(const RunReport& report) { return report.phases.back().seconds; }

// Errors are few and each matters (a refused étape): all are logged. Warnings can be thousands
// (bad export rows): the first one and a count, the rest at debug level and in the report.
void log_issues(const char* source, const Issues& issues) {
    int errors = 0;
    for (const auto& issue : issues) {
        if (issue.severity == Severity::error) {
            ++errors;
            spdlog::error("{}: {}: {}", source, issue.locator, issue.message);
        } else {
            spdlog::debug("{}: {}: {}: {}", source, to_string(issue.severity), issue.locator, issue.message);
        }
    }
    const auto warnings = issues.size() - static_cast<std::size_t>(errors);
    const auto first = std::ranges::find(issues, Severity::warning, &Issue::severity);
    if (first != issues.end()) {
        spdlog::warn("{}: {} warning(s); the first: {}: {} (all are in the run report)", source, warnings,
                     first->locator, first->message);
    }
}

void append(Issues& to, const Issues& from) { to.insert(to.end(), from.begin(), from.end()); }

CivilDate local_date(long long unix_seconds) {
    const std::time_t t = unix_seconds;
    std::tm local{};
    localtime_r(&t, &local);
    return {local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
}

void log_guards(const std::vector<GuardVerdict>& verdicts, bool force) {
    for (const auto& verdict : verdicts) {
        if (!verdict.tripped) {
            spdlog::debug("guard {}: ok: {}", verdict.guard, verdict.figures);
        } else if (force) {
            spdlog::warn("guard {} tripped, overridden by --force: {}", verdict.guard, verdict.figures);
        } else {
            spdlog::error("guard {} tripped: {}", verdict.guard, verdict.figures);
            spdlog::error("HINT: {}", verdict.hint);
        }
    }
}

std::string tripped_names(const std::vector<GuardVerdict>& verdicts) {
    std::string names;
    for (const auto& verdict : verdicts) {
        if (verdict.tripped) {
            names += (names.empty() ? "" : ", ") + verdict.guard;
        }
    }
    return names;
}

long long unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The copy of the report stored with the run, in the same transaction: finished as of now.
RunRecord record_of(RunReport& report) {
    report.finished_at = unix_now();
    return {report.run_id, report.outcome, report.started_at, report.counts, to_json(report).dump()};
}

} // namespace

bool rule_needs_directory(MembershipRule rule) { return rule != MembershipRule::exportonly; }
bool rule_needs_export(MembershipRule rule) { return rule != MembershipRule::directory; }

void run_sync(const Config& config, const SyncPorts& ports, const SyncOptions& options, RunReport& report,
              std::ostream& out, const std::function<void()>& after_sources) {
    const char* tag = options.dry_run ? "[dry-run] " : "";
    report.dry_run = options.dry_run;
    report.forced = options.force;
    spdlog::info("{}sync begin: run {}, config '{}', rule {}", tag, report.run_id, config.source_path,
                 config.membership.rule == MembershipRule::both        ? "both"
                 : config.membership.rule == MembershipRule::exportonly ? "export"
                 : config.membership.rule == MembershipRule::directory  ? "directory"
                                                                        : "union");
    Stopwatch total;

    std::optional<DirectoryRead> directory;
    if (ports.directory) {
        directory = timed(report, "ldap", [&] { return ports.directory->read_all(); });
        if (after_sources) {
            after_sources();
        }
        report.directory_pages = directory->pages;
        spdlog::info("{}source ldap: {} entries in {:.1f}s ({} page(s)) from {}", tag, directory->entries.size(),
                     last_seconds(report), directory->pages, directory->uri);
        log_issues("source ldap", directory->issues);
        append(report.issues, directory->issues);
    }
    throw_if_interrupted();

    std::optional<ExportRead> apogee;
    if (ports.apogee) {
        apogee = timed(report, "export", [&] { return ports.apogee->read(); });
        spdlog::info("{}source export: {} rows ({} data lines) in {:.1f}s from '{}'", tag, apogee->rows.size(),
                     apogee->data_lines, last_seconds(report), apogee->path);
        log_issues("source export", apogee->issues);
        append(report.issues, apogee->issues);
    }
    throw_if_interrupted();

    const auto years =
        active_years(local_date(report.started_at), config.apogee.rollover, config.apogee.overlap_until);
    const auto desired = timed(report, "merge", [&] {
        return merge({directory ? &*directory : nullptr, apogee ? &*apogee : nullptr, years}, config);
    });
    report.counts = desired.counts;
    report.cross_check = desired.cross_check;
    append(report.issues, desired.issues);
    spdlog::info("{}merge: {} students in {} cohort(s), {} active inscriptions, academic year {}", tag,
                 desired.counts.students, desired.cohorts.size(), desired.counts.export_inscriptions,
                 years.empty() ? 0 : years.front());
    log_issues("merge", desired.issues);
    if (desired.cross_check.students_compared > 0) {
        spdlog::info("{}cross-check: {} students in both sources, {} étape(s) only in the export, {} only in the "
                     "directory",
                     tag, desired.cross_check.students_compared, desired.cross_check.only_in_export,
                     desired.cross_check.only_in_directory);
        for (const auto& d : desired.cross_check.examples) {
            spdlog::debug("cross-check: {} ({}) étape {} only in the {} ({})", d.student_number, d.login, d.etape,
                          d.only_in, d.locator);
        }
    }
    throw_if_interrupted();

    // The slow reads are done: only now open the transaction, so that no lock is held while
    // LDAP pages arrive. The plan is computed against the snapshot it will change.
    auto session = timed(report, "lock", [&] { return ports.target->begin(); });
    const auto current = timed(report, "load", [&] { return session->load(); });
    int memberships = 0;
    for (const auto& cohort : current.cohorts) {
        memberships += static_cast<int>(cohort.members.size());
    }
    spdlog::info("{}target: {} managed cohort(s), {} membership(s), {} user(s) in {:.1f}s", tag, current.cohorts.size(),
                 memberships, current.users.size(), last_seconds(report));

    report.plan = timed(report, "plan", [&] { return make_plan(desired, current, config.moodle, config.provisioning); });
    const Plan& plan = *report.plan;
    const auto totals = plan.totals();
    spdlog::info("{}plan: +{} -{} in {} cohort(s), {} new, {} renamed, {} unplaced, {} account(s) to create", tag,
                 totals.adds, totals.removes, totals.cohorts_changed, totals.creates, totals.renames,
                 plan.unplaced.size(), totals.accounts);
    if (!plan.unplaced.empty()) {
        std::map<std::string, int> by_reason;
        for (const auto& unplaced : plan.unplaced) {
            ++by_reason[to_string(unplaced.reason)];
        }
        std::string reasons;
        for (const auto& [reason, count] : by_reason) {
            reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", count, reason);
        }
        spdlog::warn("{}unplaced: {} student membership(s) without a usable Moodle account ({}); the list is in the "
                     "run report",
                     tag, plan.unplaced.size(), reasons);
    }
    log_issues("plan", plan.issues);
    append(report.issues, plan.issues);
    for (const auto& idnumber : plan.left_alone) {
        spdlog::warn("cohort '{}' has nobody left in the sources; it is left as it is "
                     "(moodle.empty_vanished_cohorts is off)",
                     idnumber);
    }

    report.impact = timed(report, "impact", [&] { return session->course_impact(plan); });
    spdlog::info("{}impact: {} course enrolment(s) to add, {} to {} in {} course(s); {} student(s) to be removed "
                 "have grades there",
                 tag, report.impact->enrolments_added, report.impact->enrolments_removed,
                 report.impact->deletes_data() ? "remove" : "suspend", report.impact->courses.size(),
                 report.impact->graded_students_removed);
    if (report.impact->deletes_data() && report.impact->enrolments_removed > 0) {
        spdlog::warn("{}{} course enrolment(s) will be removed at Moodle's next cohort sync, and {} of these "
                     "students have grades there: enrol_cohort's unenrol action 'unenrol' deletes them with a "
                     "student's last enrolment in a course",
                     tag, report.impact->enrolments_removed, report.impact->graded_students_removed);
    }

    report.verdicts = evaluate_guards(
        {plan, desired.counts, current.last_success, ports.directory != nullptr, ports.apogee != nullptr},
        config.guards);
    log_guards(report.verdicts, options.force);
    const bool refused = any_tripped(report.verdicts) && !options.force;
    if (!options.plan_out.empty()) {
        save_plan_file(options.plan_out, {report.run_id, report.started_at, config.moodle.prefix, config.moodle.schema,
                                          config.moodle.component, options.force, report.counts, basis_of(current),
                                          plan, report.verdicts});
        spdlog::info("{}plan saved to '{}': review it, then 'cohort-sync apply-plan {}'", tag, options.plan_out,
                     options.plan_out);
    }

    if (options.dry_run) {
        report.outcome = "dry-run";
        report.finished_at = unix_now();
        if (options.json) {
            out << to_json(report).dump(2) << '\n';
        } else {
            out << render_plan(plan, report.verdicts, options.verbose);
            out << render_impact(*report.impact, options.verbose);
        }
        if (refused) {
            spdlog::warn("[dry-run] a real run would be refused by: {}", tripped_names(report.verdicts));
        }
        spdlog::info("[dry-run] sync end: nothing applied ({:.1f}s)", total.seconds());
        return;  // the session rolls back as it goes out of scope
    }

    if (refused) {
        report.outcome = "refused";
        session->record(record_of(report));
        session->commit();
        throw GuardRefused(fmt::format("the plan was refused by: {}; nothing was changed in Moodle",
                                       tripped_names(report.verdicts)),
                           "review it with 'cohort-sync --dry-run -v', then run once with --force if it is right");
    }
    throw_if_interrupted();

    report.applied = timed(report, "apply", [&] { return session->apply(plan, report.started_at); });
    if (report.applied->accounts_created > 0 || !plan.accounts.empty()) {
        spdlog::info("apply: {} Moodle account(s) created of {} planned", report.applied->accounts_created,
                     plan.accounts.size());
    }
    spdlog::info("apply: {} cohort(s) created, {} renamed, +{} -{} member(s) in {:.1f}s", report.applied->cohorts_created,
                 report.applied->cohorts_renamed, report.applied->members_added, report.applied->members_removed,
                 last_seconds(report));
    throw_if_interrupted();
    report.outcome = "applied";
    session->record(record_of(report));
    timed(report, "commit", [&] {
        session->commit();
        return 0;
    });
    spdlog::info("commit: done in {:.2f}s", last_seconds(report));
    spdlog::info("sync end: completed ({:.1f}s)", total.seconds());
}

} // namespace cohort_sync
