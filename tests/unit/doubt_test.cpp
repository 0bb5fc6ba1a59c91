// Doubt defers, it never removes: a record a source leaves out holds back the removals it could
// concern, from the parser's facts (Issue::damaged) through the merge's holds to the plan.
#include "cohort_sync/export_parser.hpp"
#include "cohort_sync/guard.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/plan.hpp"
#include "cohort_sync/report.hpp"
#include "test_builders.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace cohort_sync {
namespace {

using namespace std::string_literals;
using ::testing::HasSubstr;
using testing::student;
using testing::user;

const std::string k_header = "COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\n";

ExportConfig utf8_export() {
    ExportConfig config;
    config.encoding = Encoding::utf8;
    return config;
}

ExportRead parse(const std::string& text, const ExportConfig& config = utf8_export()) {
    return parse_export(text, config, "export.csv");
}

std::vector<Issue> of_kind(const ExportRead& read, IssueKind kind) {
    std::vector<Issue> out;
    for (const auto& issue : read.issues) {
        if (issue.kind == kind) {
            out.push_back(issue);
        }
    }
    return out;
}

std::vector<std::string> usernames(const std::vector<PlannedMember>& members) {
    std::vector<std::string> out;
    for (const auto& member : members) {
        out.push_back(member.username);
    }
    return out;
}

// ---- The parser says what a damaged row still names -----------------------------------------

TEST(DamagedRows, ANulInTheEtapeLeavesTheStudentReadable) {
    const auto read = parse(k_header + "2026;1001;L1INFO;1;E;Licence\n" +
                            "2026;1002;L1\0INFO;1;E;Licence\n"s + "2026;1003;L1INFO;1;E;Licence\n");
    const auto bad = of_kind(read, IssueKind::bad_row);
    ASSERT_EQ(bad.size(), 1u);
    ASSERT_TRUE(bad[0].damaged);
    EXPECT_EQ(bad[0].damaged->student_number, "1002");
    EXPECT_EQ(bad[0].damaged->etape, "");
    EXPECT_EQ(bad[0].damaged->line, 3);
}

TEST(DamagedRows, ANulInTheStudentNumberLeavesTheEtape) {
    const auto read =
        parse(k_header + "2026;10\0002;L1INFO;1;E;Licence\n"s + "2026;1003;L1INFO;1;E;Licence\n");
    const auto bad = of_kind(read, IssueKind::bad_row);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].damaged->student_number, "");
    EXPECT_EQ(bad[0].damaged->etape, "L1INFO");
}

TEST(Truncation, ALastLineWithFewerFieldsThanTheHeaderIsTruncation) {
    const auto read = parse(k_header + "2026;1001;L1INFO;1;E;Licence\n2026;1002;L1\n");
    const auto truncated = of_kind(read, IssueKind::truncated);
    ASSERT_EQ(truncated.size(), 1u);
    EXPECT_EQ(truncated[0].severity, Severity::error);
    EXPECT_EQ(truncated[0].locator, "export.csv:3");
    EXPECT_THAT(truncated[0].message, HasSubstr("has 3 of the header's 6 fields"));
    EXPECT_EQ(read.rows.size(), 1u);
}

TEST(Truncation, ALastLineWithoutItsLineBreakIsTruncation) {
    const auto read = parse(k_header + "2026;1001;L1INFO;1;E;Licence\n2026;1002;L1INFO;1;E;Lic");
    const auto truncated = of_kind(read, IssueKind::truncated);
    ASSERT_EQ(truncated.size(), 1u);
    EXPECT_THAT(truncated[0].message, HasSubstr("no line break"));
}

TEST(Truncation, ABadRowBeforeTheLastIsOnlyABadRow) {
    const auto read = parse(k_header + "2026;1001;L1\n2026;1002;L1INFO;1;E;Licence\r\n");
    EXPECT_TRUE(of_kind(read, IssueKind::truncated).empty());
    EXPECT_EQ(of_kind(read, IssueKind::bad_row).size(), 1u);
    EXPECT_EQ(read.rows.size(), 1u);
}

TEST(MixedEncodings, LinesInTwoEncodingsAreNamedAndPutTheLabelsInDoubt) {
    ExportConfig latin1;
    const auto read =
        parse(k_header + "2026;1001;L1INFO;1;E;Licence Mod\xe8les\n" +
                  "2026;1002;L2INFO;1;E;Licence Mod\xc3\xa8les\n" + "2026;1003;L3INFO;1;E;Licence\n",
              latin1);
    const auto encoding = of_kind(read, IssueKind::encoding);
    ASSERT_EQ(encoding.size(), 1u);
    EXPECT_THAT(encoding[0].message, HasSubstr("1 line(s) read as UTF-8 (lines 3)"));
    EXPECT_THAT(encoding[0].message, HasSubstr("1 as a single-byte encoding such as ISO-8859-1 (lines 2)"));
    EXPECT_TRUE(read.labels_in_doubt);
    EXPECT_EQ(read.rows.size(), 3u) << "the rows themselves are fine";
}

TEST(MixedEncodings, ACleanLatin1FileIsNotInDoubt) {
    ExportConfig latin1;
    const auto read = parse(k_header + "2026;1001;L1INFO;1;E;Licence Mod\xe8les\n", latin1);
    EXPECT_FALSE(read.labels_in_doubt);
    EXPECT_TRUE(of_kind(read, IssueKind::encoding).empty());
}

// ---- The merge and the plan hold the removals back ------------------------------------------

struct DoubtFixture : ::testing::Test {
    Config config = testing::test_config(MembershipRule::both);
    DirectoryRead directory;
    Current current;

    void SetUp() override {
        directory.entries = {student("alice", "1001"), student("bob", "1002"), student("carol", "1003"),
                             student("dave", "1004")};
        current.users = {user(10, "alice", "1001"), user(11, "bob", "1002"), user(12, "carol", "1003"),
                         user(13, "dave", "1004")};
        current.cohorts = {{1, "etape-L1INFO", "L1INFO: Licence", "", 1, {10, 11, 12}},
                           {2, "etape-M1BIO", "M1BIO: Master", "", 1, {12, 13}}};
    }

    // dave stays in M1BIO every night, so that the cohort is never one that vanished.
    Plan plan_of(std::string rows, const ExportConfig& export_config = utf8_export()) {
        return plan_of(parse(k_header + rows + "2026;1004;M1BIO;1;E;Master\n", export_config));
    }

    Plan plan_of(const ExportRead& read) {
        const std::vector<SourceRead> reads = {{"ldap", directory, std::nullopt},
                                               {"export", read, std::nullopt}};
        const auto desired = merge({reads, {2026}}, config);
        return make_plan(desired, current, config.moodle);
    }

    const CohortPlan& cohort(const Plan& plan, const std::string& idnumber) {
        for (const auto& c : plan.cohorts) {
            if (c.idnumber == idnumber) {
                return c;
            }
        }
        throw std::out_of_range(idnumber);
    }
};

TEST_F(DoubtFixture, ABadRowHoldsItsStudentInEveryCohort) {
    // bob's row is unreadable; carol left M1BIO (her row is gone), alice stays.
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence\n" + "2026;1002;L1\0INFO;1;E;x\n"s +
                              "2026;1003;L1INFO;1;E;Licence\n");
    EXPECT_TRUE(cohort(plan, "etape-L1INFO").removes.empty());
    EXPECT_EQ(usernames(cohort(plan, "etape-L1INFO").held_back), std::vector<std::string>{"bob"});
    EXPECT_EQ(cohort(plan, "etape-L1INFO").held_back[0].reasons, (std::vector<Reason>{{"export", 3, ""}}));
    EXPECT_EQ(usernames(cohort(plan, "etape-M1BIO").removes), std::vector<std::string>{"carol"})
        << "a defect that names bob holds nobody else";
    EXPECT_EQ(plan.totals().held_back, 1);
    ASSERT_EQ(plan.holds.size(), 1u);
    EXPECT_EQ(plan.holds[0].student_number, "1002");
}

TEST_F(DoubtFixture, ABadRowHoldsItsStudentWhomMoodleKnowsByLoginOnly) {
    for (auto& account : current.users) {
        account.idnumber.clear(); // moodle.match_by = username, no student numbers in Moodle
    }
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence\n" + "2026;1002;L1\0INFO;1;E;x\n"s +
                              "2026;1003;L1INFO;1;E;Licence\n");
    EXPECT_TRUE(cohort(plan, "etape-L1INFO").removes.empty());
    EXPECT_EQ(usernames(cohort(plan, "etape-L1INFO").held_back), std::vector<std::string>{"bob"});
    EXPECT_EQ(plan.holds.at(0).login, "bob") << "the directory gives the row's student a login";
}

TEST_F(DoubtFixture, ARowNamingNoStudentHoldsItsEtape) {
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence\n" + "2026;\0;L1INFO;1;E;x\n"s +
                              "2026;1003;L1INFO;1;E;Licence\n");
    EXPECT_EQ(usernames(cohort(plan, "etape-L1INFO").held_back), std::vector<std::string>{"bob"});
    EXPECT_EQ(usernames(cohort(plan, "etape-M1BIO").removes), std::vector<std::string>{"carol"});
}

// A cohort whose étape vanished tonight cannot say which étape it was: a damaged row naming an
// étape that has no cohort tonight may be it, one naming an étape that still has its cohort is not.
TEST_F(DoubtFixture, AVanishedCohortIsHeldOnlyByAnEtapeWithoutItsCohortTonight) {
    config.moodle.empty_vanished_cohorts = true;
    current.cohorts.push_back({3, "etape-DUIA", "DUIA: DU", "", 1, {11}});
    // bob's DU row is gone; a row naming no student holds L1INFO, which keeps its cohort.
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence\n" + "2026;\0;L1INFO;1;E;x\n"s +
                              "2026;1003;L1INFO;1;E;Licence\n");
    EXPECT_EQ(usernames(cohort(plan, "etape-DUIA").removes), std::vector<std::string>{"bob"});
    EXPECT_TRUE(cohort(plan, "etape-DUIA").held_back.empty());

    // The same row naming an étape without a cohort tonight (L3PHYS) may be the DU's: held.
    const auto doubtful = plan_of("2026;1001;L1INFO;1;E;Licence\n" + "2026;\0;L3PHYS;1;E;x\n"s +
                                  "2026;1002;L1INFO;1;E;Licence\n" + "2026;1003;L1INFO;1;E;Licence\n");
    EXPECT_TRUE(cohort(doubtful, "etape-DUIA").removes.empty());
    EXPECT_EQ(usernames(cohort(doubtful, "etape-DUIA").held_back), std::vector<std::string>{"bob"});
}

TEST_F(DoubtFixture, ARowNamingNothingHoldsEveryRemovalButNotTheAdditions) {
    const auto plan =
        plan_of("2026;1001;L1INFO;1;E;Licence\n" + "\0\0\0\n"s + "2026;1004;L1INFO;1;E;Licence\n");
    const auto& l1 = cohort(plan, "etape-L1INFO");
    EXPECT_EQ(usernames(l1.adds), std::vector<std::string>{"dave"}) << "additions go ahead";
    EXPECT_TRUE(l1.removes.empty());
    EXPECT_EQ(usernames(l1.held_back), (std::vector<std::string>{"bob", "carol"}));
    EXPECT_EQ(usernames(cohort(plan, "etape-M1BIO").held_back), std::vector<std::string>{"carol"});
    EXPECT_EQ(plan.totals().removes, 0);
}

TEST_F(DoubtFixture, ADirectoryEntryWithoutItsStudentNumberHoldsItsLogin) {
    directory.entries[1].student_number.clear(); // bob's supannEtuId lost
    const std::vector<SourceRead> raw = {{"ldap", directory, std::nullopt}};
    const auto accepted = source_kind("ldap").accept(raw[0], config, {});
    const auto& issues = std::get<DirectoryRead>(accepted.records).issues;
    ASSERT_EQ(issues.size(), 1u);
    ASSERT_TRUE(issues[0].damaged);
    EXPECT_EQ(issues[0].damaged->login, "bob");
    directory = std::get<DirectoryRead>(accepted.records);
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence\n2026;1002;L1INFO;1;E;Licence\n"
                              "2026;1003;L1INFO;1;E;Licence\n2026;1003;M1BIO;1;E;Master\n");
    EXPECT_TRUE(cohort(plan, "etape-L1INFO").removes.empty());
    EXPECT_EQ(usernames(cohort(plan, "etape-L1INFO").held_back), std::vector<std::string>{"bob"});
}

TEST_F(DoubtFixture, HeldBackMembersKeepTheirGraceCountUnchanged) {
    config.moodle.grace_runs = 3;
    current.pending = {{1, 11, 1}};
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence\n" + "2026;1002;L1\0INFO;1;E;x\n"s +
                              "2026;1003;L1INFO;1;E;Licence\n2026;1003;M1BIO;1;E;Master\n");
    EXPECT_EQ(plan.pending, (std::vector<PendingRemoval>{{1, 11, 1}}));
}

TEST_F(DoubtFixture, LabelsInDoubtRenameNothing) {
    ExportConfig latin1;
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence Mod\xc3\xa8les\n"
                              "2026;1002;L1INFO;1;E;Licence Mod\xe8les\n"
                              "2026;1003;L1INFO;1;E;x\n2026;1003;M1BIO;1;E;Master\n",
                              latin1);
    const auto& l1 = cohort(plan, "etape-L1INFO");
    EXPECT_FALSE(l1.rename_from);
    EXPECT_EQ(l1.name, "L1INFO: Licence");
    EXPECT_EQ(plan.totals().renames, 0);
    ASSERT_FALSE(plan.issues.empty());
    EXPECT_THAT(plan.issues.back().message, HasSubstr("1 cohort rename(s) held back"));
}

TEST_F(DoubtFixture, TheReportSaysWhatWasHeldBackAndWhy) {
    const auto plan = plan_of("2026;1001;L1INFO;1;E;Licence\n" + "2026;1002;L1\0INFO;1;E;x\n"s +
                              "2026;1003;L1INFO;1;E;Licence\n2026;1003;M1BIO;1;E;Master\n");
    const auto text = render_plan(plan, {}, false);
    EXPECT_THAT(text, HasSubstr("1 removal(s) held back on doubt"));
    EXPECT_THAT(text, HasSubstr("held back on doubt: 1 removal(s): bob"));
    EXPECT_THAT(text, HasSubstr("export line 3: holds student 1002: column 'COD_ETP' contains a NUL byte"));
}

// ---- Implausible input -----------------------------------------------------------------------

TEST_F(DoubtFixture, AStudentInThousandsOfCohortsTripsAGuardAndNoLineIsLong) {
    config.membership.rule = MembershipRule::union_;
    for (int i = 0; i < 2000; ++i) {
        directory.entries[0].etape_values.push_back("{UAI:0141408E}E" + std::to_string(i));
    }
    const std::vector<SourceRead> reads = {
        {"ldap", directory, std::nullopt},
        {"export", parse(k_header + "2026;1002;L1INFO;1;E;Licence\n"), std::nullopt}};
    const auto desired = merge({reads, {2026}}, config);
    const auto plan = make_plan(desired, current, config.moodle);
    const auto verdicts = evaluate_guards({plan, desired.counts, std::nullopt, {}, &desired}, config.guards);
    std::vector<std::string> tripped;
    for (const auto& verdict : verdicts) {
        if (verdict.tripped) {
            tripped.push_back(verdict.guard);
            EXPECT_LE(verdict.figures.size(), 1000u) << verdict.guard;
        }
    }
    EXPECT_THAT(tripped, ::testing::Contains("max_cohorts_created"));
    EXPECT_THAT(tripped, ::testing::Contains("max_cohorts_per_student"));
    std::istringstream lines(render_plan(plan, verdicts, true));
    for (std::string line; std::getline(lines, line);) {
        EXPECT_LE(line.size(), 1000u) << line.substr(0, 80);
    }
}

TEST_F(DoubtFixture, TheFirstRunMayCreateManyCohorts) {
    current.cohorts.clear();
    Plan plan;
    for (int i = 0; i < 300; ++i) {
        plan.cohorts.push_back({});
    }
    const auto verdicts = evaluate_guards({plan, {}, std::nullopt, {}, nullptr}, config.guards);
    for (const auto& verdict : verdicts) {
        EXPECT_FALSE(verdict.tripped) << verdict.guard << ": " << verdict.figures;
    }
}

} // namespace
} // namespace cohort_sync
