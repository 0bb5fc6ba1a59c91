#include "cohort_sync/guard.hpp"

#include "cohort_sync/cohort_kind.hpp"
#include "cohort_sync/moodle_auth.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

constexpr std::size_t k_listed = 5;

std::string force_hint(std::string_view setting) {
    return fmt::format(
        "review the plan with 'cohort-sync --dry-run -v'; if these changes are expected, run once "
        "with --force, or change guards.{} in the configuration",
        setting);
}

std::string percent(double ratio) {
    return fmt::format("{:.1f} %", ratio * 100.0);
}

class Guards {
public:
    Guards(const GuardInput& input, const GuardConfig& limits)
        : m_input(input)
        , m_limits(limits)
        , m_totals(input.plan.totals()) {}

    std::vector<GuardVerdict> run() {
        for (const auto* kind : m_input.sources) {
            source_size(*kind);
        }
        for (const auto* kind : cohort_kinds()) {
            cohort_shrink(*kind);
        }
        removals();
        cohort_removal_ratio();
        total_removal_ratio();
        accounts_created();
        accounts_auth();
        cohorts_created();
        if (m_input.desired) {
            for (const auto* kind : cohort_kinds()) {
                cohorts_per_student(*kind, *m_input.desired);
            }
        }
        return std::move(m_verdicts);
    }

private:
    void add(std::string guard, bool tripped, std::string figures, std::string hint) {
        m_verdicts.push_back({std::move(guard), tripped, std::move(figures), tripped ? std::move(hint) : ""});
    }

    void source_size(const SourceKind& kind) {
        const std::string source(kind.guard_name());
        const std::string key(kind.count_key());
        const int now = m_input.counts.records_of(key);
        const int minimum = kind.min_records(m_limits);
        std::optional<int> last;
        if (m_input.last_success) {
            last = m_input.last_success->records_of(key);
        }
        if (now == 0) {
            add(source + "_empty", true, fmt::format("the {} gave nothing", source),
                fmt::format("the {} looks broken: check it; an empty source never empties cohorts", source));
            return;
        }
        add(source + "_min_size", now < minimum,
            fmt::format("{} {} {} minimum {}", now, kind.record_noun(), now < minimum ? "<" : ">=", minimum),
            force_hint(kind.min_setting()));
        if (!last || *last == 0) {
            add(source + "_shrink", false, "no previous successful run to compare with", "");
            return;
        }
        const double shrink = 1.0 - static_cast<double>(now) / *last;
        const bool tripped = shrink > m_limits.max_source_shrink_ratio;
        add(source + "_shrink", tripped,
            fmt::format("{} now, {} at the last successful run: {} {} limit {}", now, *last,
                        shrink > 0 ? "shrank by " + percent(shrink) : std::string("did not shrink"),
                        tripped ? ">" : "<=", percent(m_limits.max_source_shrink_ratio)),
            force_hint("max_source_shrink_ratio"));
    }

    // Per cohort kind: a cohort of min_cohort_size or more members at the last successful run
    // that shrank by more than the kind's ratio. A kind this run and the last one made no
    // cohort of is not checked (the étape's always is).
    void cohort_shrink(const CohortKind& kind) {
        if (!m_input.last_success) {
            return;
        }
        const auto& before_counts = m_input.last_success->per_key(kind.name());
        const auto& now_counts = m_input.counts.per_key(kind.name());
        if (kind.name() != k_etape_kind && before_counts.empty() && now_counts.empty()) {
            return;
        }
        const double limit = kind.max_shrink_ratio(m_limits);
        std::vector<std::string> shrunk;
        int checked = 0;
        for (const auto& [key, before] : before_counts) {
            if (before < m_limits.min_cohort_size) {
                continue;
            }
            ++checked;
            const auto it = now_counts.find(key);
            const int now = it == now_counts.end() ? 0 : it->second;
            const double shrink = 1.0 - static_cast<double>(now) / before;
            if (shrink > limit) {
                shrunk.push_back(fmt::format("{} {}->{}", key, before, now));
            }
        }
        add(std::string(kind.shrink_guard()), !shrunk.empty(),
            shrunk.empty() ? fmt::format("no {} of {}+ students shrank by more than {} ({} checked)",
                                         kind.noun(), m_limits.min_cohort_size, percent(limit), checked)
                           : fmt::format("{} {}(s) shrank by more than {}: {}", shrunk.size(), kind.noun(),
                                         percent(limit), list(shrunk)),
            force_hint(kind.shrink_setting()));
    }

    void removals() {
        const bool tripped = m_totals.removes > m_limits.max_removals;
        add("max_removals", tripped,
            fmt::format("{} removal(s) {} limit {}", m_totals.removes,
                        tripped ? ">" : "<=", m_limits.max_removals),
            force_hint("max_removals"));
    }

    void cohort_removal_ratio() {
        std::vector<std::string> heavy;
        for (const auto& cohort : m_input.plan.cohorts) {
            if (cohort.current_size < m_limits.min_cohort_size || cohort.removes.empty()) {
                continue;
            }
            const double ratio = static_cast<double>(cohort.removes.size()) / cohort.current_size;
            if (ratio > m_limits.max_cohort_removal_ratio) {
                heavy.push_back(
                    fmt::format("{} -{} of {}", cohort.idnumber, cohort.removes.size(), cohort.current_size));
            }
        }
        add("max_cohort_removal_ratio", !heavy.empty(),
            heavy.empty() ? fmt::format("no cohort of {}+ members loses more than {}",
                                        m_limits.min_cohort_size, percent(m_limits.max_cohort_removal_ratio))
                          : fmt::format("{} cohort(s) would lose more than {}: {}", heavy.size(),
                                        percent(m_limits.max_cohort_removal_ratio), list(heavy)),
            force_hint("max_cohort_removal_ratio"));
    }

    void total_removal_ratio() {
        const int memberships = m_totals.managed_memberships;
        if (memberships < m_limits.min_cohort_size) {
            add("max_total_removal_ratio", false,
                fmt::format("{} managed membership(s): too few for this guard", memberships), "");
            return;
        }
        const double ratio = static_cast<double>(m_totals.removes) / memberships;
        const bool tripped = ratio > m_limits.max_total_removal_ratio;
        add("max_total_removal_ratio", tripped,
            fmt::format("{} of {} managed memberships ({}) {} limit {}", m_totals.removes, memberships,
                        percent(ratio), tripped ? ">" : "<=", percent(m_limits.max_total_removal_ratio)),
            force_hint("max_total_removal_ratio"));
    }

    void accounts_created() {
        if (m_totals.accounts == 0) {
            return;
        }
        const bool tripped = m_totals.accounts > m_limits.max_accounts_created;
        add("max_accounts_created", tripped,
            fmt::format("{} Moodle account(s) to create {} limit {}", m_totals.accounts,
                        tripped ? ">" : "<=", m_limits.max_accounts_created),
            force_hint("max_accounts_created"));
    }

    // Moodle refuses accounts whose plugin is not enabled at login, and cannot delete them once the
    // plugin is gone (CAS left core in 5.0): no --force makes such a plan right.
    void accounts_auth() {
        if (m_input.plan.accounts.empty() || !m_input.auth_plugins) {
            return;
        }
        const auto& usable = *m_input.auth_plugins;
        const auto& auth = m_input.plan.accounts.front().auth;
        const bool tripped = std::ranges::find(usable, auth) == usable.end();
        add("provisioning_auth", tripped,
            fmt::format("{} Moodle account(s) to create with authentication plugin '{}', {} on this site "
                        "(enabled: {})",
                        m_input.plan.accounts.size(), auth, tripped ? "not enabled" : "enabled",
                        join_plugins(usable)),
            fmt::format("set provisioning.auth to the plugin the students log in with, or enable '{}' in "
                        "Site administration > Plugins > Authentication > Manage authentication; --force "
                        "does not override this guard",
                        auth));
        m_verdicts.back().overridable = false;
    }

    void cohorts_created() {
        const int managed = m_input.plan.managed_cohorts;
        if (m_totals.creates == 0) {
            return;
        }
        if (managed == 0) {
            add("max_cohorts_created", false,
                fmt::format("{} cohort(s) to create: a first run, exempt", m_totals.creates), "");
            return;
        }
        const int by_ratio = static_cast<int>(m_limits.max_cohorts_created_ratio * managed);
        const bool tripped = m_totals.creates > m_limits.max_cohorts_created && m_totals.creates > by_ratio;
        add("max_cohorts_created", tripped,
            fmt::format("{} cohort(s) to create {} limit {} or {} of the {} managed ({})", m_totals.creates,
                        tripped ? ">" : "<=", m_limits.max_cohorts_created,
                        percent(m_limits.max_cohorts_created_ratio), managed, by_ratio),
            force_hint("max_cohorts_created"));
    }

    void cohorts_per_student(const CohortKind& kind, const Desired& desired) {
        const auto counts = desired.cohorts_per_student.find(std::string(kind.name()));
        if (counts == desired.cohorts_per_student.end()) {
            return;
        }
        const int limit = kind.max_per_student(m_limits);
        // "cohorts" for the étape's, as this guard always said; "element cohorts" for the others.
        const std::string cohorts =
            kind.name() == k_etape_kind ? std::string("cohorts") : fmt::format("{} cohorts", kind.noun());
        std::vector<std::string> crowded;
        int most = 0;
        for (std::size_t i = 0; i < counts->second.size(); ++i) {
            const int in = counts->second[i];
            most = std::max(most, in);
            if (in > limit) {
                const auto& student = desired.students[i];
                crowded.push_back(fmt::format("{} ({}) in {}",
                                              student.student_number.empty() ? "-" : student.student_number,
                                              student.login.empty() ? "-" : student.login, in));
            }
        }
        const bool tripped = !crowded.empty();
        add(std::string(kind.per_student_guard()), tripped,
            tripped ? fmt::format("{} student(s) in more than {} {}, which no real student is: {}",
                                  crowded.size(), limit, cohorts, list(crowded))
                    : fmt::format("at most {} {}(s) per student <= limit {}", most,
                                  cohorts.substr(0, cohorts.size() - 1), limit),
            fmt::format("the source entry or rows of these students are damaged: fix them (see 'cohort-sync "
                        "explain STUDENT'); raise guards.{} only if such students are real",
                        kind.per_student_guard()));
    }

    static std::string list(const std::vector<std::string>& items) {
        std::string out;
        for (std::size_t i = 0; i < std::min(items.size(), k_listed); ++i) {
            out += (i ? ", " : "") + items[i];
        }
        if (items.size() > k_listed) {
            out += fmt::format(" and {} more", items.size() - k_listed);
        }
        return out;
    }

    const GuardInput& m_input;
    const GuardConfig& m_limits;
    PlanTotals m_totals;
    std::vector<GuardVerdict> m_verdicts;
};

} // namespace

std::vector<GuardVerdict> evaluate_guards(const GuardInput& input, const GuardConfig& limits) {
    return Guards(input, limits).run();
}

bool any_tripped(const std::vector<GuardVerdict>& verdicts) {
    return std::ranges::any_of(verdicts, &GuardVerdict::tripped);
}

bool refuses(const std::vector<GuardVerdict>& verdicts, bool forced) {
    return std::ranges::any_of(verdicts, [forced](const GuardVerdict& verdict) {
        return verdict.tripped && (!forced || !verdict.overridable);
    });
}

} // namespace cohort_sync
