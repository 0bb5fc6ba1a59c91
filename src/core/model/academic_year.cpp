#include "cohort_sync/academic_year.hpp"

#include <algorithm>
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
    // Floor division, so that instants before 1970 land on the right day.
    long long days = seconds / 86400;
    if (seconds % 86400 < 0) {
        --days;
    }
    // Howard Hinnant's civil_from_days (http://howardhinnant.github.io/date_algorithms.html).
    days += 719468;
    const long long era = (days >= 0 ? days : days - 146096) / 146097;
    const long long doe = days - era * 146097;                                   // [0, 146096]
    const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
    const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               // [0, 365]
    const long long mp = (5 * doy + 2) / 153;                                    // [0, 11]
    const long long day = doy - (153 * mp + 2) / 5 + 1;                          // [1, 31]
    const long long month = mp < 10 ? mp + 3 : mp - 9;                           // [1, 12]
    const long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    return CivilDate{static_cast<int>(year), static_cast<int>(month), static_cast<int>(day)};
}

} // namespace cohort_sync
