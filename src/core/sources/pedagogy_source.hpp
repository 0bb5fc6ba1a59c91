// APOGÉE's pedagogical extracts as source kinds: the contracts (which elements a student
// follows) and the group assignments (which group of an element). They feed the element and
// group cohorts, never the membership rule. Private to src/core/sources; registered in
// source_kinds.cpp.
#pragma once

#include "cohort_sync/source.hpp"

namespace cohort_sync {

class PedagogySourceKind : public SourceKind {
public:
    SourceFamily family() const override { return SourceFamily::pedagogy; }
    // Refused (SourceError) as the administrative export is, with pedagogy.*'s limits: empty, older
    // than pedagogy.max_age_hours, a header or trailer problem, a truncated last record, fewer
    // than pedagogy.min_rows data lines, more than pedagogy.max_bad_rows bad rows.
    SourceRead accept(SourceRead read, const Config& config, const RunClock& clock) const override;

protected:
    virtual std::string_view what() const = 0;         // "the pedagogical contracts"
    virtual std::string_view path_setting() const = 0; // "pedagogy.contracts_path"
    virtual std::string_view columns_setting() const = 0;
};

class ContractSourceKind final : public PedagogySourceKind {
public:
    std::string_view name() const override { return "contracts"; }
    std::string_view guard_name() const override { return "contracts"; }
    std::string_view record_noun() const override { return "contracts"; }
    std::string_view summary_noun() const override { return "pedagogical contracts"; }
    std::string_view count_key() const override { return "pedagogy_contracts"; }
    int min_records(const GuardConfig& guards) const override { return guards.min_contract_rows; }
    std::string_view min_setting() const override { return "min_contract_rows"; }
    bool needed(const Config& config) const override { return config.element_cohorts.enabled; }
    std::string origin(const Config& config) const override { return config.pedagogy.contracts_path; }
    // Each contract row with whether it counts for an element cohort.
    std::vector<std::string> explain(const SourceRead& read, const Config& config,
                                     const RunClock& clock) const override;

protected:
    std::string_view what() const override { return "the pedagogical contracts"; }
    std::string_view path_setting() const override { return "pedagogy.contracts_path"; }
    std::string_view columns_setting() const override { return "pedagogy.contract_columns"; }
};

class GroupSourceKind final : public PedagogySourceKind {
public:
    std::string_view name() const override { return "groups"; }
    std::string_view guard_name() const override { return "groups"; }
    std::string_view record_noun() const override { return "assignments"; }
    std::string_view summary_noun() const override { return "group assignments"; }
    std::string_view count_key() const override { return "pedagogy_groups"; }
    int min_records(const GuardConfig& guards) const override { return guards.min_group_rows; }
    std::string_view min_setting() const override { return "min_group_rows"; }
    bool needed(const Config& config) const override { return config.group_cohorts.enabled; }
    std::string origin(const Config& config) const override { return config.pedagogy.groups_path; }
    std::vector<std::string> explain(const SourceRead& read, const Config& config,
                                     const RunClock& clock) const override;

protected:
    std::string_view what() const override { return "the group assignments"; }
    std::string_view path_setting() const override { return "pedagogy.groups_path"; }
    std::string_view columns_setting() const override { return "pedagogy.group_columns"; }
};

} // namespace cohort_sync
