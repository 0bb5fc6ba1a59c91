// The cohorts of APOGÉE's pedagogical inscriptions: per teaching element (the students who
// follow it this year) and per TD/TP group of an element. Off by default; their rules are in
// pedagogy_rules.cpp and the merge. Private to src/core/cohorts; registered in cohort_kinds.cpp.
#pragma once

#include "cohort_sync/cohort_kind.hpp"

namespace cohort_sync {

class ElementCohortKind final : public CohortKind {
public:
    std::string_view name() const override { return "element"; }
    std::string_view noun() const override { return "element"; }
    bool enabled(const Config& config) const override { return config.element_cohorts.enabled; }
    std::vector<std::string_view> sources() const override { return {"contracts"}; }
    const std::string& idnumber_template(const Config& config) const override {
        return config.element_cohorts.idnumber_template;
    }
    const std::string& name_template(const Config& config) const override {
        return config.element_cohorts.name_template;
    }
    const std::string& description_template(const Config& config) const override {
        return config.element_cohorts.description_template;
    }
    std::string_view template_section() const override { return "element_cohorts"; }
    std::string_view shrink_guard() const override { return "element_shrink"; }
    double max_shrink_ratio(const GuardConfig& guards) const override {
        return guards.max_element_shrink_ratio;
    }
    std::string_view shrink_setting() const override { return "max_element_shrink_ratio"; }
    std::string_view per_student_guard() const override { return "max_elements_per_student"; }
    int max_per_student(const GuardConfig& guards) const override { return guards.max_elements_per_student; }
};

class GroupCohortKind final : public CohortKind {
public:
    std::string_view name() const override { return "group"; }
    std::string_view noun() const override { return "group"; }
    bool enabled(const Config& config) const override { return config.group_cohorts.enabled; }
    std::vector<std::string_view> sources() const override { return {"contracts", "groups"}; }
    const std::string& idnumber_template(const Config& config) const override {
        return config.group_cohorts.idnumber_template;
    }
    const std::string& name_template(const Config& config) const override {
        return config.group_cohorts.name_template;
    }
    const std::string& description_template(const Config& config) const override {
        return config.group_cohorts.description_template;
    }
    std::string_view template_section() const override { return "group_cohorts"; }
    std::string_view shrink_guard() const override { return "group_shrink"; }
    double max_shrink_ratio(const GuardConfig& guards) const override {
        return guards.max_group_shrink_ratio;
    }
    std::string_view shrink_setting() const override { return "max_group_shrink_ratio"; }
    std::string_view per_student_guard() const override { return "max_groups_per_student"; }
    int max_per_student(const GuardConfig& guards) const override { return guards.max_groups_per_student; }
};

} // namespace cohort_sync
