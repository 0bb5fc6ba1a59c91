#include "cohort_sync/metrics.hpp"

#include "cohort_sync/cohort_kind.hpp"

#include <array>
#include <charconv>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

constexpr std::string_view k_last_success = "cohort_sync_last_success_timestamp_seconds";

// Every outcome a real run can end with (report.hpp), so that each has its series, 0 or 1, and an
// alert can name the one that is 1.
constexpr std::array<std::string_view, 7> k_outcomes = {
    "applied", "refused", "failed", "locked", "in-doubt", "interrupted", "post-commit-failed"};

// A label value as the exposition format wants it: backslash, double quote and line feed escaped.
std::string label_value(std::string_view value) {
    std::string escaped;
    for (const char c : value) {
        if (c == '\\' || c == '"') {
            escaped += '\\';
            escaped += c;
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

class Textfile {
public:
    explicit Textfile(std::string_view site)
        : m_site(fmt::format("site=\"{}\"", label_value(site))) {}

    // The HELP and TYPE lines of one metric (all are gauges: each describes the last run).
    Textfile& metric(std::string_view name, std::string_view help) {
        m_name = name;
        m_text += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
        return *this;
    }
    template <typename T> Textfile& sample(T value) {
        m_text += fmt::format("{}{{{}}} {}\n", m_name, m_site, value);
        return *this;
    }
    template <typename T> Textfile& sample(std::string_view label, std::string_view label_text, T value) {
        m_text +=
            fmt::format("{}{{{},{}=\"{}\"}} {}\n", m_name, m_site, label, label_value(label_text), value);
        return *this;
    }
    std::string text() && { return std::move(m_text); }

private:
    std::string m_site;
    std::string m_name;
    std::string m_text;
};

} // namespace

bool run_succeeded(const RunReport& report, int exit_code) {
    return exit_code == 0 && report.outcome == "applied";
}

std::string render_metrics(const MetricsInput& input) {
    const RunReport& report = input.report;
    const bool success = run_succeeded(report, input.exit_code);
    double seconds = 0;
    for (const auto& phase : report.phases) {
        seconds += phase.seconds;
    }
    const auto planned = report.plan ? report.plan->totals() : PlanTotals{};
    const auto applied = report.applied.value_or(ApplyStats{});
    Textfile out(input.site);

    out.metric("cohort_sync_last_run_timestamp_seconds", "When the last run (not a dry run) finished.")
        .sample(report.finished_at);
    out.metric("cohort_sync_last_run_success",
               "1 if the last run applied its plan and every check passed, else 0.")
        .sample(success ? 1 : 0);
    out.metric("cohort_sync_last_run_exit_code",
               "The last run's exit code (docs/operations.md, \"Exit codes\").")
        .sample(input.exit_code);
    out.metric("cohort_sync_last_run_outcome", "1 for the last run's outcome, 0 for the others.");
    for (const auto outcome : k_outcomes) {
        out.sample("outcome", outcome, report.outcome == outcome ? 1 : 0);
    }
    out.metric(k_last_success, "When the last successful run finished; 0 if none is known.")
        .sample(success ? report.finished_at : input.last_success_at);
    out.metric("cohort_sync_last_run_duration_seconds", "Duration of the last run.")
        .sample(fmt::format("{:.3f}", seconds));

    int tripped = 0;
    for (const auto& verdict : report.verdicts) {
        tripped += verdict.tripped ? 1 : 0;
    }
    out.metric("cohort_sync_last_run_guards_tripped",
               "Safety guards that tripped in the last run (also under --force).")
        .sample(tripped);
    if (!report.verdicts.empty()) {
        out.metric("cohort_sync_last_run_guard_tripped",
                   "1 for each safety guard that tripped in the last run.");
        for (const auto& verdict : report.verdicts) {
            out.sample("guard", verdict.guard, verdict.tripped ? 1 : 0);
        }
    }
    // Only once the sources were read: a run that failed before has no size to tell.
    if (!report.counts.records.empty()) {
        out.metric("cohort_sync_last_run_source_records",
                   "Records each source gave the last run (directory entries, active inscriptions...).");
        for (const auto* kind : input.sources) {
            out.sample("source", kind->name(), report.counts.records_of(std::string(kind->count_key())));
        }
        out.metric("cohort_sync_last_run_students", "Distinct students the last run's sources placed.")
            .sample(report.counts.students);
        // Per cohort kind, on a site that makes more than the étape cohorts (one that does not
        // keeps the metrics it always had).
        if (!report.counts.per_kind.empty()) {
            out.metric(
                "cohort_sync_last_run_desired_members",
                "Memberships the last run's sources asked for, per cohort kind (etape, element, group).");
            for (const auto* kind : cohort_kinds()) {
                int members = 0;
                for (const auto& [key, count] : report.counts.per_key(kind->name())) {
                    members += count;
                }
                out.sample("kind", kind->name(), members);
            }
        }
    }

    out.metric("cohort_sync_last_run_members_added", "Cohort members the last run added (committed).")
        .sample(applied.members_added);
    out.metric("cohort_sync_last_run_members_removed", "Cohort members the last run removed (committed).")
        .sample(applied.members_removed);
    out.metric("cohort_sync_last_run_planned_members_added",
               "Cohort members the last run's plan added, also when it was refused.")
        .sample(planned.adds);
    out.metric("cohort_sync_last_run_planned_members_removed",
               "Cohort members the last run's plan removed, also when it was refused.")
        .sample(planned.removes);
    out.metric("cohort_sync_last_run_held_back_members_removed",
               "Removals the last run held back on doubt (damaged source records that may concern them).")
        .sample(planned.held_back);
    out.metric("cohort_sync_last_run_deferred_members_removed",
               "Removals the last run deferred by the grace period (moodle.grace_runs).")
        .sample(planned.deferred);
    out.metric("cohort_sync_last_run_unplaced_memberships",
               "Student memberships the last run could not place (no usable Moodle account).")
        .sample(report.plan ? report.plan->unplaced.size() : 0);
    if (report.post_commit) {
        out.metric("cohort_sync_last_run_post_commit_success",
                   "1 if the last run's post-commit command succeeded, 0 if it failed (the cohorts are "
                   "committed, the courses not yet updated).")
            .sample(report.post_commit->succeeded ? 1 : 0);
    }
    return std::move(out).text();
}

long long last_success_in(std::string_view textfile) {
    std::size_t at = 0;
    while ((at = textfile.find(k_last_success, at)) != std::string_view::npos) {
        const bool line_start = at == 0 || textfile[at - 1] == '\n';
        at += k_last_success.size();
        if (!line_start || at >= textfile.size() || textfile[at] != '{') {
            continue;
        }
        const auto close = textfile.find_first_of("}\n", at);
        if (close == std::string_view::npos || textfile[close] != '}') {
            continue;
        }
        auto value = textfile.substr(close + 1);
        while (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
        long long seconds = 0;
        if (std::from_chars(value.data(), value.data() + value.size(), seconds).ec == std::errc{}) {
            return seconds;
        }
    }
    return 0;
}

} // namespace cohort_sync
