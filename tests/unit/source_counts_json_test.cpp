#include "cohort_sync/source_counts_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

using namespace cohort_sync;

namespace {

SourceCounts sample_counts() {
    SourceCounts counts;
    counts.records = {
        {"directory_entries", 31872}, {"export_inscriptions", 30110}, {"pegase_inscriptions", 0}};
    counts.students = 29876;
    counts.per_etape = {{"L1INF", 412}, {"M2MIAGE", 38}, {"DU É/~1", 0}};
    return counts;
}

std::string parse_error(std::string_view text) {
    std::string error;
    const auto counts = source_counts_from_json(text, error);
    EXPECT_FALSE(counts.has_value()) << text;
    return error;
}

} // namespace

// One line, with the keys in the report's order (the same writer as the report's `counts`).
TEST(SourceCountsJson, WritesOneLineInTheReportsOrder) {
    EXPECT_EQ(source_counts_to_json(sample_counts()),
              R"({"directory_entries": 31872, "export_inscriptions": 30110, "pegase_inscriptions": 0, )"
              R"("students": 29876, )"
              R"("per_etape": {"DU É/~1": 0, "L1INF": 412, "M2MIAGE": 38}})");
}

TEST(SourceCountsJson, RoundTripsThroughText) {
    std::string error;
    const auto parsed = source_counts_from_json(source_counts_to_json(sample_counts()), error);
    ASSERT_TRUE(parsed.has_value()) << error;
    EXPECT_EQ(*parsed, sample_counts());
    EXPECT_TRUE(error.empty());
}

TEST(SourceCountsJson, RoundTripsEmptyCounts) {
    std::string error;
    const auto parsed = source_counts_from_json(source_counts_to_json(SourceCounts{}), error);
    ASSERT_TRUE(parsed.has_value()) << error;
    // Every registered source's count is written, 0 when it was not read.
    EXPECT_EQ(
        *parsed,
        (SourceCounts{
            {{"directory_entries", 0}, {"export_inscriptions", 0}, {"pegase_inscriptions", 0}}, 0, {}}));
}

TEST(SourceCountsJson, WorksWithNlohmannConversions) {
    const auto json = nlohmann::json::parse(source_counts_to_json(sample_counts()));
    EXPECT_EQ(json.at("per_etape").at("L1INF"), 412);
    EXPECT_EQ(json.get<SourceCounts>(), sample_counts());
}

// PostgreSQL's jsonb output adds spaces after ':' and ','; what it gives back must parse.
TEST(SourceCountsJson, ReadsJsonbFormattedText) {
    std::string error;
    const auto parsed = source_counts_from_json(
        R"({"students": 3, "per_etape": {"L1INF": 3}, "directory_entries": 5, "export_inscriptions": 4})",
        error);
    ASSERT_TRUE(parsed.has_value()) << error;
    EXPECT_EQ(parsed->records_of("directory_entries"), 5);
    EXPECT_EQ(parsed->records_of("export_inscriptions"), 4);
    EXPECT_EQ(parsed->students, 3);
    EXPECT_EQ(parsed->per_etape.at("L1INF"), 3);
}

TEST(SourceCountsJson, IgnoresUnknownKeysFromANewerVersion) {
    std::string error;
    const auto parsed = source_counts_from_json(
        R"({"directory_entries":1,"export_inscriptions":2,"students":3,"per_etape":{},"per_ufr":{"A":1}})",
        error);
    ASSERT_TRUE(parsed.has_value()) << error;
    EXPECT_EQ(parsed->students, 3);
}

TEST(SourceCountsJson, RejectsTextThatIsNotJson) {
    EXPECT_EQ(parse_error(R"({"students": )"), "not valid JSON");
    EXPECT_EQ(parse_error(""), "not valid JSON");
}

TEST(SourceCountsJson, RejectsANonObject) {
    EXPECT_EQ(parse_error("[1,2]"), "expected an object, found array");
    EXPECT_EQ(parse_error("null"), "expected an object, found null");
}

// A missing count must not read as zero: zero last time would disarm the shrink guards.
TEST(SourceCountsJson, RejectsMissingKey) {
    EXPECT_EQ(parse_error(R"({"directory_entries":1,"export_inscriptions":2,"per_etape":{}})"),
              "/students: key is missing");
    EXPECT_EQ(parse_error(R"({"directory_entries":1,"export_inscriptions":2,"students":3})"),
              "/per_etape: key is missing");
}

// A run recorded by a release that did not know the Pégase source has no count for it: the
// source gave nothing then, and the first run after the upgrade must still read that run.
TEST(SourceCountsJson, ReadsTheCountsOfARunRecordedBeforeASourceKindExisted) {
    std::string error;
    const auto counts = source_counts_from_json(
        R"({"directory_entries":1,"export_inscriptions":2,"students":3,"per_etape":{}})", error);
    ASSERT_TRUE(counts) << error;
    EXPECT_EQ(counts->records_of("export_inscriptions"), 2);
    EXPECT_EQ(counts->records_of("pegase_inscriptions"), 0);
    // Without any source's count, the counts are damaged.
    EXPECT_EQ(parse_error(R"({"students":3,"per_etape":{}})"), "/directory_entries: key is missing");
}

TEST(SourceCountsJson, RejectsWrongTypes) {
    EXPECT_EQ(parse_error(R"({"directory_entries":"1","export_inscriptions":2,"students":3,"per_etape":{}})"),
              R"(/directory_entries: expected a non-negative integer, found "1")");
    EXPECT_EQ(parse_error(R"({"directory_entries":1,"export_inscriptions":2.5,"students":3,"per_etape":{}})"),
              "/export_inscriptions: expected a non-negative integer, found 2.5");
    EXPECT_EQ(parse_error(R"({"directory_entries":1,"export_inscriptions":2,"students":3,"per_etape":[]})"),
              "/per_etape: expected an object, found array");
    EXPECT_EQ(parse_error(
                  R"({"directory_entries":1,"export_inscriptions":2,"students":3,"per_etape":{"a/b":null}})"),
              "/per_etape/a~1b: expected a non-negative integer, found null");
}

TEST(SourceCountsJson, RejectsCountsOutOfRange) {
    EXPECT_EQ(parse_error(R"({"directory_entries":-1,"export_inscriptions":2,"students":3,"per_etape":{}})"),
              "/directory_entries: count -1 is out of range");
    EXPECT_EQ(parse_error(
                  R"({"directory_entries":1,"export_inscriptions":2,"students":2147483648,"per_etape":{}})"),
              "/students: count 2147483648 is out of range");
    EXPECT_EQ(
        parse_error(
            R"({"directory_entries":1,"export_inscriptions":2,"students":3,"per_etape":{"X":18446744073709551615}})"),
        "/per_etape/X: count 18446744073709551615 is out of range");
}

TEST(SourceCountsJson, AcceptsLargestCount) {
    std::string error;
    const auto parsed = source_counts_from_json(
        R"({"directory_entries":2147483647,"export_inscriptions":0,"students":0,"per_etape":{}})", error);
    ASSERT_TRUE(parsed.has_value()) << error;
    EXPECT_EQ(parsed->records_of("directory_entries"), 2147483647);
}
