// Which rows of the pedagogical extracts count, for the element and group cohorts' membership
// rules (the merge) and for `explain`: one test each, so both say the same.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"

#include <string>
#include <vector>

namespace cohort_sync {

enum class ContractState { counts, other_year, carried_over, element_left_out, etape_left_out };
enum class GroupState { counts, other_year, type_left_out };

// A contract counts when its COD_ANU is an active year, it is followed this year (TEM_PRC_ICE
// 'N') and element_cohorts' filters keep its element (codes, natures) and étape. It then places
// the student in the element's cohort if the student's administrative inscription in that
// étape, version and year is active, as the étape rule says (the merge checks that part).
ContractState contract_state(const ContractRow& row, const std::vector<int>& active_years,
                             const ElementCohortsConfig& config);

// An assignment counts when its COD_ANU is an active year and group_cohorts.types keeps its
// type. It then places the student in the group's cohort if the student is in the element's.
GroupState group_state(const GroupRow& row, const std::vector<int>& active_years,
                       const GroupCohortsConfig& config);

// For people: "followed this year", "carried over from an earlier year: not counted"...
std::string contract_verdict(ContractState state);
std::string group_verdict(GroupState state);

// A group cohort's key: its element's and its own external code, "UE12/TD1", since a group code
// means something only under its element.
std::string group_key(std::string_view element, std::string_view group);

} // namespace cohort_sync
