// Which COD_ANU values are "this year" on a given date.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

struct CivilDate {
    int year = 1970;
    int month = 1;
    int day = 1;
};

// The academic years whose inscriptions count on `today`: the current one (COD_ANU is the
// first calendar year: 2026 for 2026/2027, switching on `rollover`) and, until
// `overlap_until` (inclusive) after the rollover, the previous one too.
std::vector<int> active_years(CivilDate today, MonthDay rollover, std::optional<MonthDay> overlap_until);

// Today's date from Unix seconds in UTC (callers that care about the local date pass it).
CivilDate civil_date_from_unix(long long seconds);

// Whether an administrative inscription counts: the one test that a sync's merge and `explain`
// share, so that they never disagree about a student.
enum class InscriptionState { active, other_year, inactive_status };

InscriptionState inscription_state(const Inscription& row, const std::vector<int>& active_years,
                                   const std::vector<std::string>& active_statuses);

// What `explain` says of an inscription in that state; `statuses_setting` names where the
// counted statuses are configured ("apogee.active_statuses"), for the one that is not counted.
std::string inscription_verdict(InscriptionState state, std::string_view statuses_setting);

inline bool is_active(const Inscription& row, const std::vector<int>& active_years,
                      const std::vector<std::string>& active_statuses) {
    return inscription_state(row, active_years, active_statuses) == InscriptionState::active;
}

} // namespace cohort_sync
