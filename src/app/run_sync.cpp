#include "run_sync.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/guard.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/moodle_version.hpp"
#include "cohort_sync/plan.hpp"
#include "cohort_sync/source.hpp"
#include "free_memory.hpp"
#include "plan_store.hpp"
#include "signals.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <ostream>
#include <spdlog/spdlog.h>

namespace cohort_sync {
namespace {

class Stopwatch {
public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

private:
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

// Times one phase into the report.
template <typename F> auto timed(RunReport& report, const char* phase, F&& work) {
    Stopwatch watch;
    auto result = work();
    report.phases.push_back({phase, watch.seconds()});
    return result;
}

double last_seconds(const RunReport& report) {
    return report.phases.back().seconds;
}

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

void append(Issues& to, const Issues& from) {
    to.insert(to.end(), from.begin(), from.end());
}

void log_guards(const std::vector<GuardVerdict>& verdicts, bool force) {
    for (const auto& verdict : verdicts) {
        if (!verdict.tripped) {
            spdlog::debug("guard {}: ok: {}", verdict.guard, verdict.figures);
        } else if (force && verdict.overridable) {
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
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The copy of the report stored with the run, in the same transaction: finished as of now.
RunRecord record_of(RunReport& report) {
    report.finished_at = unix_now();
    return {report.run_id,      report.outcome, report.started_at,
            report.finished_at, report.counts,  report_json_text(report, ReportDetail::summary)};
}

// One line per source read: what the adapter found, before the core judged it.
std::string describe_read(const SourceRead& read, double seconds) {
    if (const auto* directory = directory_records(read)) {
        return fmt::format("{} entries in {:.1f}s ({} page(s)) from {}", directory->entries.size(), seconds,
                           directory->pages, directory->uri);
    }
    if (const auto* pedagogy = pedagogy_records(read)) {
        return fmt::format("{} rows ({} data lines) in {:.1f}s from '{}'",
                           pedagogy->contracts.size() + pedagogy->groups.size(), pedagogy->data_lines,
                           seconds, pedagogy->path);
    }
    const auto& inscriptions = *inscription_records(read);
    if (read.database) {
        return fmt::format("{} rows ({} read) in {:.1f}s from '{}', version {}, dump of {}",
                           inscriptions.rows.size(), inscriptions.data_lines, seconds, read.database->server,
                           read.database->version, read.database->dump_date);
    }
    return fmt::format("{} rows ({} data lines) in {:.1f}s from '{}'", inscriptions.rows.size(),
                       inscriptions.data_lines, seconds, inscriptions.path);
}

// One sync, phase by phase. Each method is one phase of docs/architecture.md's pipeline; the
// report fills up as they run, so that a phase that throws still leaves the earlier ones' facts.
class SyncRun {
public:
    SyncRun(const Config& config, const SyncPorts& ports, const SyncOptions& options, const RunClock& clock,
            RunReport& report, std::ostream& out, const std::function<void()>& after_sources)
        : m_config(config)
        , m_ports(ports)
        , m_options(options)
        , m_clock(clock)
        , m_report(report)
        , m_out(out)
        , m_after_sources(after_sources)
        , m_tag(options.dry_run ? "[dry-run] " : "") {}

    void run() {
        m_report.dry_run = m_options.dry_run;
        m_report.forced = m_options.force;
        spdlog::info("{}sync begin: run {}, config '{}', rule {}", m_tag, m_report.run_id,
                     m_config.source_path, to_string(m_config.membership.rule));
        read_sources();
        // The slow reads are done: only now open the transaction, so that no lock is held while
        // LDAP pages arrive. Moodle's state is loaded while the sources are merged, on a thread of
        // its own: the one mostly waits for PostgreSQL, the other computes, and neither needs the
        // other's result. The plan is computed against the snapshot it will change.
        auto target = std::async(std::launch::async, [this] { return open_and_load(); });
        decide();
        auto loaded = target.get();
        m_report.phases.push_back({"lock", loaded.lock_seconds});
        m_report.phases.push_back({"load", loaded.load_seconds});
        m_current = std::move(loaded.current);
        auto& session = loaded.session;
        plan_against(*session);
        guard();
        if (m_options.dry_run) {
            show_dry_run();
            return; // the session rolls back as it goes out of scope
        }
        if (m_refused) {
            refuse(*session);
        }
        throw_if_interrupted();
        apply_and_commit(*session, m_report);
        spdlog::info("sync end: completed ({:.1f}s)", m_total.seconds());
    }

private:
    // The sources are read at the same time, each but the first on a thread of its own: they are
    // independent, and an LDAP read mostly waits for the server. Each phase is the time its read
    // took, so the phases of the sources overlap.
    void read_sources() {
        struct Timed {
            SourceRead read;
            double seconds = 0;
        };
        const auto timed_read = [](Source* source) {
            Stopwatch watch;
            auto read = source->read();
            return Timed{std::move(read), watch.seconds()};
        };
        std::vector<std::future<Timed>> others; // their destructors wait for the threads
        for (std::size_t i = 1; i < m_ports.sources.size(); ++i) {
            others.push_back(std::async(std::launch::async, timed_read, m_ports.sources[i]));
        }
        std::vector<Timed> reads;
        if (!m_ports.sources.empty()) {
            reads.push_back(timed_read(m_ports.sources.front()));
            if (m_after_sources) {
                m_after_sources();
            }
        }
        throw_if_interrupted();
        for (auto& other : others) {
            reads.push_back(other.get());
        }
        for (auto& [read, seconds] : reads) {
            m_report.phases.push_back({read.source, seconds});
            spdlog::info("{}source {}: {}", m_tag, read.source, describe_read(read, seconds));
            accept(std::move(read));
        }
        throw_if_interrupted();
    }

    // The source kind's verdict on tonight's read: accepted (with its defects noted) or refused.
    void accept(SourceRead read) {
        const SourceKind& kind = source_kind(read.source);
        auto accepted = kind.accept(std::move(read), m_config, m_clock);
        if (const auto* directory = directory_records(accepted)) {
            m_report.directory_pages += directory->pages;
        }
        if (!accepted.not_counted.empty()) {
            std::string counts;
            for (const auto& [reason, rows] : accepted.not_counted) {
                counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", rows, reason);
            }
            spdlog::info("{}source {}: not counted: {}", m_tag, kind.name(), counts);
        }
        m_report.sources.push_back({std::string(kind.name()), accepted.database, accepted.not_counted});
        const auto source = fmt::format("source {}", kind.name());
        log_issues(source.c_str(), issues_of(accepted));
        append(m_report.issues, issues_of(accepted));
        m_kinds.push_back(&kind);
        m_sources.push_back(std::move(accepted));
    }

    void decide() {
        const auto years =
            active_years(m_clock.local_date, m_config.apogee.rollover, m_config.apogee.overlap_until);
        m_desired = timed(m_report, "merge", [&] { return merge({m_sources, years}, m_config); });
        m_report.counts = m_desired.counts;
        m_report.cross_check = m_desired.cross_check;
        append(m_report.issues, m_desired.issues);
        std::string counted;
        for (const auto* kind : m_kinds) {
            counted += fmt::format(", {} {}", m_desired.counts.records_of(std::string(kind->count_key())),
                                   kind->summary_noun());
        }
        spdlog::info("{}merge: {} students in {} cohort(s){}, academic year {}", m_tag,
                     m_desired.counts.students, m_desired.cohorts.size(), counted,
                     years.empty() ? 0 : years.front());
        log_issues("merge", m_desired.issues);
        const auto& check = m_desired.cross_check;
        if (check.students_compared > 0) {
            spdlog::info(
                "{}cross-check: {} students in both sources, {} étape(s) only in the inscriptions, {} only "
                "in the directory",
                m_tag, check.students_compared, check.only_in_export, check.only_in_directory);
            for (const auto& d : check.examples) {
                spdlog::debug("cross-check: {} ({}) étape {} only in the {} ({})", d.student_number, d.login,
                              d.etape, d.only_in == "directory" ? "directory" : "inscriptions", d.locator);
            }
        }
        // What the run needs of tonight's records is in m_desired and the report now. They go before
        // the plan is made: with element and group cohorts at 100,000 students they are a quarter of
        // a gigabyte, and the plan of a first night is the run's other large allocation.
        m_sources = {};
        return_free_memory();
        throw_if_interrupted();
    }

    struct Loaded {
        std::unique_ptr<TargetSession> session;
        Current current;
        double lock_seconds = 0;
        double load_seconds = 0;
    };

    // Runs beside decide(): it touches neither the report nor anything the merge reads.
    Loaded open_and_load() {
        Loaded loaded;
        Stopwatch lock;
        loaded.session = m_ports.target->begin();
        loaded.lock_seconds = lock.seconds();
        Stopwatch load;
        loaded.current = loaded.session->load();
        loaded.load_seconds = load.seconds();
        return loaded;
    }

    void plan_against(TargetSession& session) {
        m_report.last_success = m_current.last_success;
        m_report.moodle_release = m_current.moodle_release;
        m_report.moodle_version = m_current.moodle_version;
        // load() refused a newer release already; an older, an accepted or an unknown one runs.
        const auto moodle = judge_moodle_release(m_current.moodle_release, m_current.moodle_version,
                                                 m_config.moodle.accept_untested_version);
        if (moodle.support != MoodleSupport::tested) {
            spdlog::warn("{}{}{}", m_tag, moodle.message,
                         moodle.hint.empty() ? "" : "; HINT: " + moodle.hint);
        }
        int memberships = 0;
        for (const auto& cohort : m_current.cohorts) {
            memberships += static_cast<int>(cohort.members.size());
        }
        spdlog::info(
            "{}target: Moodle {} (version {}), {} managed cohort(s), {} membership(s), {} user(s) in "
            "{:.1f}s",
            m_tag, m_current.moodle_release, m_current.moodle_version, m_current.cohorts.size(), memberships,
            m_current.users.size(), last_seconds(m_report));

        m_report.plan = timed(m_report, "plan", [&] {
            return make_plan(m_desired, m_current, m_config.moodle, m_config.provisioning);
        });
        const Plan& plan = *m_report.plan;
        const auto totals = plan.totals();
        spdlog::info(
            "{}plan: +{} -{} in {} cohort(s), {} new, {} renamed, {} unplaced, {} account(s) to create",
            m_tag, totals.adds, totals.removes, totals.cohorts_changed, totals.creates, totals.renames,
            plan.unplaced.size(), totals.accounts);
        if (!plan.holds.empty()) {
            const auto& first = plan.holds.front();
            spdlog::warn("{}held back on doubt: {} removal(s), because {} record(s) the sources left out may "
                         "concern them (the first: {} {}{}: {}); the list is in the run report",
                         m_tag, totals.held_back, plan.holds.size(), first.defect.source,
                         first.defect.dn.empty() ? "line " + std::to_string(first.defect.line)
                                                 : first.defect.dn,
                         first.student_number.empty() ? "" : ", student " + first.student_number,
                         std::string_view(first.message).substr(0, 300));
        }
        // Every night has some (students not yet logged in once): normal, so not a warning.
        if (!plan.unplaced.empty()) {
            spdlog::info(
                "{}unplaced: {} student membership(s) without a usable Moodle account ({}); the list is "
                "in the run report",
                m_tag, plan.unplaced.size(), unplaced_by_reason(plan));
        }
        log_issues("plan", plan.issues);
        append(m_report.issues, plan.issues);
        // A site manager's edit undone, or a cohort of theirs deleted: each said, not just counted.
        for (const auto& cohort : plan.cohorts) {
            if (cohort.restore_idnumber_from) {
                spdlog::warn("{}cohort id {}: its idnumber was changed in Moodle to '{}'; cohort-sync "
                             "restores '{}'",
                             m_tag, cohort.cohort_id.value_or(0), *cohort.restore_idnumber_from,
                             cohort.idnumber);
            }
            if (cohort.recreates) {
                spdlog::warn("{}cohort '{}': cohort id {} was deleted in Moodle; it is created again", m_tag,
                             cohort.idnumber, *cohort.recreates);
            }
        }
        for (const auto& idnumber : plan.left_alone) {
            spdlog::warn("cohort '{}' has nobody left in the sources; it is left as it is "
                         "(moodle.empty_vanished_cohorts is off)",
                         idnumber);
        }

        m_report.impact = timed(m_report, "impact", [&] { return session.course_impact(plan); });
        const auto& impact = *m_report.impact;
        spdlog::info("{}impact: {} course enrolment(s) to add, {} to {} in {} course(s); {} student(s) to be "
                     "removed have grades there",
                     m_tag, impact.enrolments_added, impact.enrolments_removed,
                     impact.deletes_data() ? "remove" : "suspend", impact.courses.size(),
                     impact.graded_students_removed);
        if (impact.group_joins + impact.group_leaves > 0) {
            spdlog::info(
                "{}impact: {} student(s) to join and {} to leave course groups (\"Ajouter au groupe\")",
                m_tag, impact.group_joins, impact.group_leaves);
        }
        if (!impact.groups_previewed) {
            spdlog::info(
                "{}impact: course groups not previewed: the database role may not read mdl_groups and "
                "mdl_groups_members (docs/security.md)",
                m_tag);
        }
        if (impact.deletes_data() && impact.enrolments_removed > 0) {
            spdlog::warn(
                "{}{} course enrolment(s) will be removed at Moodle's next cohort sync, and {} of these "
                "students have grades there: enrol_cohort's unenrol action 'unenrol' deletes them with a "
                "student's last enrolment in a course",
                m_tag, impact.enrolments_removed, impact.graded_students_removed);
        }
    }

    void guard() {
        const Plan& plan = *m_report.plan;
        m_report.verdicts = evaluate_guards(
            {plan, m_desired.counts, m_current.last_success, m_kinds, &m_desired, &m_current.auth_plugins},
            m_config.guards);
        log_guards(m_report.verdicts, m_options.force);
        m_refused = refuses(m_report.verdicts, m_options.force);
        if (!m_options.plan_out.empty()) {
            save_plan_file(m_options.plan_out,
                           {m_report.run_id, m_report.started_at, m_config.moodle.prefix,
                            m_config.moodle.schema, m_config.moodle.component, m_options.force,
                            m_report.counts, basis_of(m_current), plan, m_report.verdicts},
                           m_config.report.group);
            spdlog::info("{}plan saved to '{}': review it, then 'cohort-sync apply-plan {}'", m_tag,
                         m_options.plan_out, m_options.plan_out);
        }
    }

    void show_dry_run() {
        m_report.outcome = "dry-run";
        finish(m_report);
        if (m_options.review_page) {
            Stopwatch watch;
            const auto page = render_review_page(m_report, review_site(m_config), *m_options.review_page);
            spdlog::info("[dry-run] review page: {} bytes rendered in {:.3f}s", page.size(), watch.seconds());
            m_out << page;
        } else if (m_options.json) {
            m_out << report_json_text(m_report) << '\n';
        } else {
            m_out << render_plan(*m_report.plan, m_report.verdicts, m_options.verbose);
            m_out << render_impact(*m_report.impact, m_options.verbose);
        }
        if (m_refused) {
            spdlog::warn("[dry-run] a real run would be refused by: {}", tripped_names(m_report.verdicts));
        }
        spdlog::info("[dry-run] sync end: nothing applied ({:.1f}s)", m_total.seconds());
    }

    // The refusal is recorded in its own short transaction, so `status` shows it.
    [[noreturn]] void refuse(TargetSession& session) {
        m_report.outcome = "refused";
        session.record(record_of(m_report));
        session.commit();
        throw GuardRefused(
            fmt::format("the plan was refused by: {}; nothing was changed in Moodle",
                        tripped_names(m_report.verdicts)),
            "review it with 'cohort-sync --dry-run -v', then run once with --force if it is right");
    }

    const Config& m_config;
    const SyncPorts& m_ports;
    const SyncOptions& m_options;
    const RunClock& m_clock;
    RunReport& m_report;
    std::ostream& m_out;
    const std::function<void()>& m_after_sources;
    const char* m_tag;
    Stopwatch m_total;
    std::vector<SourceRead> m_sources;      // accepted, in the order they were read
    std::vector<const SourceKind*> m_kinds; // of m_sources
    Desired m_desired;
    Current m_current;
    bool m_refused = false;
};

} // namespace

void finish(RunReport& report) {
    if (report.finished_at == 0) {
        report.finished_at = unix_now();
    }
}

void apply_and_commit(TargetSession& session, RunReport& report) {
    const Plan& plan = *report.plan;
    report.applied = timed(report, "apply", [&] { return session.apply(plan, report.started_at); });
    const auto& applied = *report.applied;
    if (!plan.accounts.empty()) {
        spdlog::info("apply: {} Moodle account(s) created of {} planned", applied.accounts_created,
                     plan.accounts.size());
    }
    spdlog::info("apply: {} cohort(s) created, {} renamed, {} idnumber(s) restored, +{} -{} member(s) in "
                 "{:.1f}s",
                 applied.cohorts_created, applied.cohorts_renamed, applied.idnumbers_restored,
                 applied.members_added, applied.members_removed, last_seconds(report));
    throw_if_interrupted();
    report.outcome = "applied";
    session.record(record_of(report));
    timed(report, "commit", [&] {
        session.commit();
        return 0;
    });
    spdlog::info("commit: done in {:.2f}s", last_seconds(report));
}

void run_sync(const Config& config, const SyncPorts& ports, const SyncOptions& options, const RunClock& clock,
              RunReport& report, std::ostream& out, const std::function<void()>& after_sources) {
    SyncRun(config, ports, options, clock, report, out, after_sources).run();
}

} // namespace cohort_sync
