#include "cohort_sync/pedagogy_rules.hpp"

#include "cohort_sync/etape_selection.hpp"

#include <algorithm>

namespace cohort_sync {

ContractState contract_state(const ContractRow& row, const std::vector<int>& active_years,
                             const ElementCohortsConfig& config) {
    if (std::ranges::find(active_years, row.year) == active_years.end()) {
        return ContractState::other_year;
    }
    if (row.carried_over) {
        return ContractState::carried_over;
    }
    const bool nature_kept =
        config.natures.empty() || std::ranges::find(config.natures, row.nature) != config.natures.end();
    if (!nature_kept || !etape_selected(config.element_patterns, row.element)) {
        return ContractState::element_left_out;
    }
    if (!etape_selected(config.etape_patterns, row.etape)) {
        return ContractState::etape_left_out;
    }
    return ContractState::counts;
}

GroupState group_state(const GroupRow& row, const std::vector<int>& active_years,
                       const GroupCohortsConfig& config) {
    if (std::ranges::find(active_years, row.year) == active_years.end()) {
        return GroupState::other_year;
    }
    if (!config.types.empty() && std::ranges::find(config.types, row.type) == config.types.end()) {
        return GroupState::type_left_out;
    }
    return GroupState::counts;
}

std::string contract_verdict(ContractState state) {
    switch (state) {
    case ContractState::counts:
        return "followed this year: counts if the inscription in its étape is active";
    case ContractState::other_year:
        return "not counted: another academic year";
    case ContractState::carried_over:
        return "not counted: carried over from an earlier year (TEM_PRC_ICE 'O')";
    case ContractState::element_left_out:
        return "not counted: the element is left out by element_cohorts.element_patterns or natures";
    case ContractState::etape_left_out:
        return "not counted: the étape is left out by element_cohorts.etape_patterns";
    }
    return {};
}

std::string group_verdict(GroupState state) {
    switch (state) {
    case GroupState::counts:
        return "counts if the student is in the element's cohort";
    case GroupState::other_year:
        return "not counted: another academic year";
    case GroupState::type_left_out:
        return "not counted: the group type is left out by group_cohorts.types";
    }
    return {};
}

std::string group_key(std::string_view element, std::string_view group) {
    std::string key(element);
    key += '/';
    key += group;
    return key;
}

} // namespace cohort_sync
