// The étape cohorts: the students with an active administrative inscription in an étape (or
// whose directory entry names it), by membership.rule. Private to src/core/cohorts; registered
// in cohort_kinds.cpp.
#pragma once

#include "cohort_sync/cohort_kind.hpp"

namespace cohort_sync {

class EtapeCohortKind final : public CohortKind {
public:
    std::string_view name() const override { return k_etape_kind; }
    std::string_view noun() const override { return "étape"; }
    // Always: the étape cohorts are what cohort-sync is for.
    bool enabled(const Config&) const override { return true; }
    std::vector<std::string_view> sources() const override { return {}; }
    const std::string& idnumber_template(const Config& config) const override {
        return config.membership.idnumber_template;
    }
    const std::string& name_template(const Config& config) const override {
        return config.membership.name_template;
    }
    const std::string& description_template(const Config& config) const override {
        return config.membership.description_template;
    }
    std::string_view template_section() const override { return "membership"; }
    std::string_view shrink_guard() const override { return "etape_shrink"; }
    double max_shrink_ratio(const GuardConfig& guards) const override {
        return guards.max_etape_shrink_ratio;
    }
    std::string_view shrink_setting() const override { return "max_etape_shrink_ratio"; }
    std::string_view per_student_guard() const override { return "max_cohorts_per_student"; }
    int max_per_student(const GuardConfig& guards) const override { return guards.max_cohorts_per_student; }
};

} // namespace cohort_sync
