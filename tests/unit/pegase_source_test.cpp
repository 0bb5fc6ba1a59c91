// The Pégase DRE source kind's acceptance: a DRE caught mid-rebuild (missing, empty, half
// loaded, yesterday's) is refused, never read as students leaving; what does not count is
// counted for the report. Pure: reads built by hand, a fixed clock.
#include "build_paths.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/io/pegase_dre.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/source.hpp"
#include "test_builders.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace cohort_sync {
namespace {

using testing::inscription;

// 5 December 2026: academic year 2026-2027.
const RunClock k_clock{1796428800, CivilDate{2026, 12, 5}};

Config pegase_config() {
    auto config = testing::test_config(MembershipRule::exportonly);
    config.apogee.path.clear();
    config.pegase.conninfo = "service=dre";
    return config;
}

SourceRead dre_read(std::vector<Inscription> rows, std::string dump_date = "20261205") {
    ExportRead records;
    records.path = "pegase";
    records.data_lines = static_cast<int>(rows.size());
    records.rows = std::move(rows);
    return {
        "pegase", std::move(records), std::nullopt, DatabaseFacts{"service=dre", "32.0.1", dump_date}, {}};
}

std::string refusal(SourceRead read, const Config& config = pegase_config()) {
    try {
        source_kind("pegase").accept(std::move(read), config, k_clock);
    } catch (const SourceError& error) {
        EXPECT_FALSE(error.hint().empty()) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "accept() did not refuse the read";
    return {};
}

std::vector<Inscription> tonight() {
    return {inscription("22600001", "L1INFO", 1, 2026, "VALIDEE"),
            inscription("22600001", "L1INFO", 2, 2025, "VALIDEE"),
            inscription("22600003", "M1BIO", 3, 2026, "ANNULEE"),
            inscription("22600003", "M1BIO", 4, 2026, "VALIDEE"),
            inscription("22600004", "L1INFO", 5, 2026, "DEBUTEE")};
}

TEST(PegaseSource, NeededOnlyWhenConfiguredAndTheRuleReadsInscriptions) {
    auto config = pegase_config();
    EXPECT_TRUE(source_kind("pegase").needed(config));
    EXPECT_FALSE(source_kind("export").needed(config));
    config.membership.rule = MembershipRule::directory;
    EXPECT_FALSE(source_kind("pegase").needed(config));
    config.membership.rule = MembershipRule::both;
    config.pegase.conninfo.clear();
    EXPECT_FALSE(source_kind("pegase").needed(config));
}

TEST(PegaseSource, AcceptsTonightsDreAndCountsWhatDoesNotCount) {
    const auto accepted = source_kind("pegase").accept(dre_read(tonight()), pegase_config(), k_clock);
    EXPECT_EQ(std::get<ExportRead>(accepted.records).rows.size(), 5u);
    EXPECT_EQ(accepted.not_counted,
              (std::map<std::string, int>{{"other year", 1}, {"status ANNULEE", 1}, {"status DEBUTEE", 1}}));
}

TEST(PegaseSource, AcceptsYesterdaysDumpAndRefusesOlder) {
    EXPECT_NO_THROW(source_kind("pegase").accept(dre_read(tonight(), "20261204"), pegase_config(), k_clock));
    EXPECT_EQ(refusal(dre_read(tonight(), "20261203")),
              "the Pégase DRE 'service=dre' (version 32.0.1) holds the dump of 20261203, 2 days old, more "
              "than pegase.max_age_days = 1");
    EXPECT_NE(refusal(dre_read(tonight(), "")).find("no usable dump date"), std::string::npos);
    EXPECT_NE(refusal(dre_read(tonight(), "2026-12-05")).find("no usable dump date"), std::string::npos);
}

TEST(PegaseSource, WarnsAboutADumpFromTheFuture) {
    const auto accepted =
        source_kind("pegase").accept(dre_read(tonight(), "20261206"), pegase_config(), k_clock);
    const auto& issues = std::get<ExportRead>(accepted.records).issues;
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues.front().kind, IssueKind::clock);
}

TEST(PegaseSource, RefusesAnEmptyDre) {
    EXPECT_NE(refusal(dre_read({})).find("gave no inscription"), std::string::npos);
}

TEST(PegaseSource, RefusesAMissingSchemaBeforeAnythingElse) {
    auto read = dre_read({}, "");
    std::get<ExportRead>(read.records)
        .issues.push_back(
            {Severity::error, "pegase", "schema \"schema_ins\" does not exist", IssueKind::missing});
    EXPECT_EQ(refusal(read),
              "the Pégase DRE 'service=dre' is incomplete: schema \"schema_ins\" does not exist");
}

TEST(PegaseSource, RefusesFewerRowsThanTheMinimum) {
    auto config = pegase_config();
    config.pegase.min_rows = 6;
    EXPECT_EQ(refusal(dre_read(tonight()), config),
              "the Pégase DRE 'service=dre' gave 5 row(s), fewer than pegase.min_rows = 6");
}

// A row with a NULL key is left out by the reader with what it still names; up to
// pegase.max_bad_rows the DRE is used and that row holds back the removals it could concern.
SourceRead with_unusable_row(SourceRead read) {
    auto& records = std::get<ExportRead>(read.records);
    ++records.data_lines;
    records.issues.push_back({Severity::warning, "pegase:6", "column 'formation_code' is NULL or blank",
                              IssueKind::bad_row, DamagedRecord{"22600009", "", "", 6}});
    return read;
}

TEST(PegaseSource, AnUnusableRowHoldsItsStudentBack) {
    const auto accepted =
        source_kind("pegase").accept(with_unusable_row(dre_read(tonight())), pegase_config(), k_clock);
    const std::vector<SourceRead> reads = {accepted};
    const auto holds = holds_of(reads);
    ASSERT_EQ(holds.size(), 1U);
    EXPECT_EQ(holds[0].student_number, "22600009");
    EXPECT_EQ(holds[0].defect, (Reason{"pegase", 6, ""}));
    EXPECT_EQ(holds[0].message, "column 'formation_code' is NULL or blank");
}

TEST(PegaseSource, RefusesMoreUnusableRowsThanAllowed) {
    auto config = pegase_config();
    config.pegase.max_bad_rows = 0;
    EXPECT_NE(refusal(with_unusable_row(dre_read(tonight())), config)
                  .find("gave 1 row(s) cohort-sync cannot use, more than pegase.max_bad_rows = 0: pegase:6"),
              std::string::npos);
}

TEST(PegaseSource, RetriesAsConfigured) {
    auto config = pegase_config();
    config.pegase.retry_tries = 4;
    config.pegase.retry_interval_seconds = 60;
    const auto policy = source_kind("pegase").retry(config);
    EXPECT_EQ(policy.tries, 4);
    EXPECT_EQ(policy.interval_seconds, 60);
    EXPECT_EQ(source_kind("export").retry(config).tries, 1);
}

// Each inscriptions source counts with its own statuses: the export's "E" and Pégase's
// "VALIDEE" in one merge, a student in either is in the cohort (rule "export": no directory).
TEST(PegaseSource, MergesWithTheExportAsAUnion) {
    auto config = pegase_config();
    config.apogee.path = "apogee.csv";
    ExportRead apogee;
    apogee.path = "apogee.csv";
    apogee.rows = {inscription("1001", "L1INFO", 2, 2026, "E"), inscription("1002", "L3HIST", 3, 2026, "E")};
    apogee.data_lines = 2;
    const std::vector<SourceRead> reads = {
        {"export", apogee, std::nullopt},
        source_kind("pegase").accept(dre_read({inscription("1001", "L1INFO", 1, 2026, "VALIDEE"),
                                               inscription("1003", "L1INFO", 2, 2026, "VALIDEE"),
                                               inscription("1004", "L1INFO", 3, 2026, "E")}),
                                     config, k_clock)};
    const auto desired = merge({reads, {2026}}, config);
    ASSERT_EQ(desired.cohorts.size(), 2u);
    EXPECT_EQ(desired.cohorts[0].idnumber, "etape-L1INFO");
    EXPECT_EQ(desired.cohorts[0].members.size(),
              2u); // 1001 (both sources) and 1003; 1004's "E" is not Pégase's
    EXPECT_EQ(desired.reasons_of(desired.cohorts[0].members[0]).size(), 2u);
    EXPECT_EQ(desired.counts.records_of("export_inscriptions"), 2);
    EXPECT_EQ(desired.counts.records_of("pegase_inscriptions"), 2);
}

TEST(PegaseSource, ExplainsEachInscriptionWithItsVerdict) {
    const auto lines = source_kind("pegase").explain(dre_read(tonight()), pegase_config(), k_clock);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "row 1: period 2026-2027 formation L1INFO status 'VALIDEE' '': active inscription");
    EXPECT_EQ(lines[1], "row 2: period 2025-2026 formation L1INFO status 'VALIDEE' '': not counted, not an "
                        "active academic year");
    EXPECT_EQ(lines[2], "row 3: period 2026-2027 formation M1BIO status 'ANNULEE' '': not counted, status "
                        "not in pegase.statuses");
}

// docs/configuration.md quotes the shipped query, and bench/run measures the one it quotes: the
// two must be the code's.
TEST(PegaseSource, DocsQuoteTheDefaultQuery) {
    const auto path = cohort_sync::testing::source_dir() / "docs" / "configuration.md";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::stringstream text;
    text << in.rdbuf();
    const std::string docs = text.str();
    const auto section = docs.find("**The default query**");
    ASSERT_NE(section, std::string::npos);
    const auto begin = docs.find("```sql\n", section);
    ASSERT_NE(begin, std::string::npos);
    const auto end = docs.find("\n```", begin + 7);
    ASSERT_NE(end, std::string::npos);
    EXPECT_EQ(docs.substr(begin + 7, end - begin - 7), default_dre_query());
}

} // namespace
} // namespace cohort_sync
