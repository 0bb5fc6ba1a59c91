// `explain` and a sync agree about the academic year at the rollover midnight. The rollover
// happens at local midnight (apogee.rollover), and universities sit in several time zones: in
// Cayenne 23:59 on 31 August is already 1 September in UTC, in Nouméa 00:01 on 1 September is
// still 31 August. Both read the clock once (run_clock_at) and judge an inscription by the same
// test, so at 23:59 both keep last year's inscription and at 00:01 both keep this year's.
#include "../../src/app/run_clock.hpp"
#include "../../src/app/run_sync.hpp"
#include "cohort_sync/source.hpp"
#include "fake_ports.hpp"
#include "test_builders.hpp"

#include <cstdlib>
#include <ctime>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>
#include <string>

namespace cohort_sync {
namespace {

using testing::FakeDirectory;
using testing::FakeExport;
using testing::FakeTarget;
using testing::inscription;
using testing::student;
using testing::user;

class Rollover : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        if (const char* tz = std::getenv("TZ")) {
            m_saved_tz = tz;
        }
        ::setenv("TZ", GetParam(), 1);
        ::tzset();
        // Student 1001 was in L1INFO last year (2025-2026) and is in L2INFO this year.
        m_export.result.path = "export.csv";
        m_export.result.rows = {inscription("1001", "L1INFO", 2, 2025),
                                inscription("1001", "L2INFO", 3, 2026)};
        m_export.result.data_lines = 2;
        m_directory.result.entries = {student("alice", "1001")};
    }

    void TearDown() override {
        if (m_saved_tz) {
            ::setenv("TZ", m_saved_tz->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }

    // Unix seconds of a wall-clock time in the zone under test.
    static long long local_instant(int year, int month, int day, int hour, int minute) {
        std::tm local{};
        local.tm_year = year - 1900;
        local.tm_mon = month - 1;
        local.tm_mday = day;
        local.tm_hour = hour;
        local.tm_min = minute;
        local.tm_isdst = -1;
        return static_cast<long long>(std::mktime(&local));
    }

    // The étapes `explain` calls active inscriptions for student 1001.
    std::vector<std::string> explained_active(const RunClock& clock) const {
        std::vector<std::string> active;
        const auto lines =
            source_kind("export").explain({"export", m_export.result, std::nullopt}, m_config, clock);
        for (const auto& etape : {"L1INFO", "L2INFO"}) {
            for (const auto& line : lines) {
                if (line.find(etape) != std::string::npos && line.ends_with(": active inscription")) {
                    active.push_back(etape);
                }
            }
        }
        return active;
    }

    // The étapes a sync (dry run, fake ports) places student 1001 in.
    std::vector<std::string> synced(const RunClock& clock) {
        FakeTarget target;
        target.calls.current.users = {user(10, "alice", "1001")};
        RunReport report;
        report.run_id = "rollover";
        report.started_at = clock.instant;
        std::ostringstream out;
        run_sync(m_config, {{&m_directory, &m_export}, &target}, {.dry_run = true, .plan_out = ""}, clock,
                 report, out);
        std::vector<std::string> etapes;
        for (const auto& cohort : report.plan->cohorts) {
            etapes.push_back(cohort.etape);
        }
        return etapes;
    }

    Config m_config = testing::test_config();
    FakeDirectory m_directory;
    FakeExport m_export;
    std::optional<std::string> m_saved_tz;
};

TEST_P(Rollover, ExplainAndSyncAgreeAtOneMinuteToMidnight) {
    const RunClock clock = run_clock_at(local_instant(2026, 8, 31, 23, 59));
    EXPECT_EQ(clock.local_date.month, 8);
    EXPECT_EQ(clock.local_date.day, 31);
    EXPECT_EQ(explained_active(clock), std::vector<std::string>{"L1INFO"});
    EXPECT_EQ(synced(clock), std::vector<std::string>{"L1INFO"});
}

TEST_P(Rollover, ExplainAndSyncAgreeAtOneMinutePastMidnight) {
    const RunClock clock = run_clock_at(local_instant(2026, 9, 1, 0, 1));
    EXPECT_EQ(clock.local_date.month, 9);
    EXPECT_EQ(clock.local_date.day, 1);
    EXPECT_EQ(explained_active(clock), std::vector<std::string>{"L2INFO"});
    EXPECT_EQ(synced(clock), std::vector<std::string>{"L2INFO"});
}

// Paris (UTC+2 in summer), French Guiana (UTC-3), Réunion (UTC+4), New Caledonia (UTC+11): on
// each side of UTC, and far enough that the UTC date differs from the local one at one of the
// two instants.
INSTANTIATE_TEST_SUITE_P(FrenchUniversities, Rollover,
                         ::testing::Values("Europe/Paris", "America/Cayenne", "Indian/Reunion",
                                           "Pacific/Noumea"),
                         [](const ::testing::TestParamInfo<const char*>& zone) {
                             std::string name = zone.param;
                             for (char& c : name) {
                                 c = (c == '/') ? '_' : c;
                             }
                             return name;
                         });

} // namespace
} // namespace cohort_sync
