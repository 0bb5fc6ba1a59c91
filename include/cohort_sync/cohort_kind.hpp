// What a cohort kind is, and the one place where a new one plugs in.
//
// Every cohort cohort-sync manages is of one kind: the students of an étape (the first kind),
// later those following a teaching element or sitting in one of its TD/TP groups. A kind says
// whether this configuration makes its cohorts, what keys them (the étape code...), the
// templates of their idnumber, name and description, which sources feed it, and its guards (how
// far one of its cohorts may shrink in a night, how many of its cohorts one student may be in).
// Who is a member is its membership rule, a step of the merge (src/core/plan/merge.cpp).
//
// Adding a kind = a CohortKind in src/core/cohorts registered in cohort_kinds.cpp, its options
// in the configuration, and its membership rule in the merge. The plan, the guards, the report
// and the metrics go through the kind and its name.
#pragma once

#include "cohort_sync/config.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

class CohortKind {
public:
    virtual ~CohortKind() = default;

    // "etape": DesiredCohort::kind, the report's and the metrics' label.
    virtual std::string_view name() const = 0;
    // What one of its keys is called in messages: "étape" ("étape L1INF is skipped").
    virtual std::string_view noun() const = 0;
    // Whether this configuration makes cohorts of this kind.
    virtual bool enabled(const Config& config) const = 0;
    // The source kinds (SourceKind::name) that feed it beyond the membership rule's own: none for
    // étapes, whose sources the rule chooses.
    virtual std::vector<std::string_view> sources() const = 0;

    // Its cohorts' templates, and the configuration section holding them (for hints).
    virtual const std::string& idnumber_template(const Config& config) const = 0;
    virtual const std::string& name_template(const Config& config) const = 0;
    virtual const std::string& description_template(const Config& config) const = 0;
    virtual std::string_view template_section() const = 0; // "membership"

    // Its shrink guard: no cohort of guards.min_cohort_size or more members may shrink by more
    // than this ratio in a night.
    virtual std::string_view shrink_guard() const = 0; // "etape_shrink"
    virtual double max_shrink_ratio(const GuardConfig& guards) const = 0;
    virtual std::string_view shrink_setting() const = 0; // "max_etape_shrink_ratio"
    // Its implausible-input guard: no student in more of its cohorts than this.
    virtual std::string_view per_student_guard() const = 0; // also its setting's name
    virtual int max_per_student(const GuardConfig& guards) const = 0;
};

// The kind of the étape cohorts, and its name.
inline constexpr std::string_view k_etape_kind = "etape";

// Every cohort kind cohort-sync knows, the étape's first.
std::span<const CohortKind* const> cohort_kinds();

// The kind registered under `name`; throws std::out_of_range for an unknown name (a bug).
const CohortKind& cohort_kind(std::string_view name);

// "étape L1INF": a cohort's key, as messages name it.
std::string cohort_subject(std::string_view kind, std::string_view key);

} // namespace cohort_sync
