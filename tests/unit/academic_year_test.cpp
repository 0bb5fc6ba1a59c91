#include "cohort_sync/academic_year.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <vector>

namespace cohort_sync {
namespace {

using ::testing::ElementsAreArray;

struct YearCase {
    CivilDate today;
    MonthDay rollover;
    std::optional<MonthDay> overlap_until;
    std::vector<int> expected;
};

TEST(AcademicYear, ActiveYearsFollowRolloverAndOverlap) {
    const MonthDay sep1{9, 1};
    const MonthDay oct15{10, 15};
    const std::vector<YearCase> cases = {
        {{2026, 11, 29}, sep1, std::nullopt, {2026}},
        {{2027, 8, 31}, sep1, std::nullopt, {2026}},
        {{2027, 9, 1}, sep1, std::nullopt, {2027}},
        {{2027, 9, 1}, sep1, oct15, {2027, 2026}},
        {{2027, 10, 15}, sep1, oct15, {2027, 2026}},
        {{2027, 10, 16}, sep1, oct15, {2027}},
        {{2027, 8, 31}, sep1, oct15, {2026}},
        {{2026, 11, 29}, sep1, oct15, {2026}},
        // Across the civil new year: still in the academic year that began last September.
        {{2026, 12, 31}, sep1, std::nullopt, {2026}},
        {{2027, 1, 1}, sep1, std::nullopt, {2026}},
        // An overlap that ends in the next calendar year.
        {{2027, 1, 31}, sep1, MonthDay{1, 31}, {2026, 2025}},
        {{2027, 2, 1}, sep1, MonthDay{1, 31}, {2026}},
        {{2026, 12, 1}, sep1, MonthDay{1, 31}, {2026, 2025}},
        // Overlap equal to the rollover: the rollover day only.
        {{2027, 9, 1}, sep1, sep1, {2027, 2026}},
        {{2027, 9, 2}, sep1, sep1, {2027}},
        // Rollover on January 1st: academic year = calendar year.
        {{2027, 1, 1}, MonthDay{1, 1}, std::nullopt, {2027}},
        {{2026, 12, 31}, MonthDay{1, 1}, std::nullopt, {2026}},
        {{2028, 2, 29}, MonthDay{3, 1}, std::nullopt, {2027}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(::testing::Message() << c.today.year << '-' << c.today.month << '-' << c.today.day);
        EXPECT_THAT(active_years(c.today, c.rollover, c.overlap_until), ElementsAreArray(c.expected));
    }
}

struct UnixCase {
    long long seconds;
    int year;
    int month;
    int day;
};

TEST(AcademicYear, CivilDateFromUnix) {
    const std::vector<UnixCase> cases = {
        {0, 1970, 1, 1},
        {86399, 1970, 1, 1},
        {86400, 1970, 1, 2},
        {-1, 1969, 12, 31},
        {-86400, 1969, 12, 31},
        {-86401, 1969, 12, 30},
        {951782400, 2000, 2, 29},
        {1798502400, 2026, 12, 29},
        {1795910400 - 1, 2026, 11, 28},
        {1795910400, 2026, 11, 29},
        {1820102400, 2027, 9, 5},
        {4107542400, 2100, 3, 1},
        {253402300799, 9999, 12, 31},
    };
    for (const auto& c : cases) {
        const CivilDate date = civil_date_from_unix(c.seconds);
        EXPECT_EQ(date.year, c.year) << c.seconds;
        EXPECT_EQ(date.month, c.month) << c.seconds;
        EXPECT_EQ(date.day, c.day) << c.seconds;
    }
}

} // namespace
} // namespace cohort_sync
