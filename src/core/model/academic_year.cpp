#include "cohort_sync/academic_year.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace cohort_sync {
namespace {

bool on_or_after(const CivilDate& date, int year, MonthDay day) {
    return std::tie(date.year, date.month, date.day) >= std::tie(year, day.month, day.day);
}

bool on_or_before(const CivilDate& date, int year, MonthDay day) {
    return std::tie(date.year, date.month, date.day) <= std::tie(year, day.month, day.day);
}

} // namespace

std::vector<int> active_years(CivilDate today, MonthDay rollover, std::optional<MonthDay> overlap_until) {
    // COD_ANU names the academic year by its first calendar year, so before the rollover date
    // we are still in the year that began last calendar year.
    const int current = on_or_after(today, today.year, rollover) ? today.year : today.year - 1;
    std::vector<int> years{current};
    if (overlap_until) {
        // The overlap ends on the first `overlap_until` on or after the rollover: the same
        // calendar year ("10-15" after "09-01"), or the next one ("01-31" after "09-01").
        const bool same_year =
            std::tie(overlap_until->month, overlap_until->day) >= std::tie(rollover.month, rollover.day);
        const int overlap_end_year = same_year ? current : current + 1;
        if (on_or_before(today, overlap_end_year, *overlap_until)) {
            years.push_back(current - 1);
        }
    }
    return years;
}

std::string inscription_verdict(InscriptionState state, std::string_view statuses_setting) {
    switch (state) {
    case InscriptionState::other_year:
        return "not counted, not an active academic year";
    case InscriptionState::inactive_status:
        return "not counted, status not in " + std::string(statuses_setting);
    case InscriptionState::active:
        break;
    }
    return "active inscription";
}

InscriptionState inscription_state(const Inscription& row, const std::vector<int>& active_years,
                                   const std::vector<std::string>& active_statuses) {
    if (std::ranges::find(active_years, row.year) == active_years.end()) {
        return InscriptionState::other_year;
    }
    if (std::ranges::find(active_statuses, row.status) == active_statuses.end()) {
        return InscriptionState::inactive_status;
    }
    return InscriptionState::active;
}

CivilDate civil_date_from_unix(long long seconds) {
    using namespace std::chrono;
    // floor<days>, not a cast: an instant before 1970 belongs to the day that began before it.
    const year_month_day date{floor<days>(sys_seconds{std::chrono::seconds{seconds}})};
    return CivilDate{static_cast<int>(date.year()), static_cast<int>(static_cast<unsigned>(date.month())),
                     static_cast<int>(static_cast<unsigned>(date.day()))};
}

} // namespace cohort_sync
