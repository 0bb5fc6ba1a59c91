#include "cohort_sync/merge.hpp"
#include "test_builders.hpp"

#include <gtest/gtest.h>

namespace cohort_sync {
namespace {

using testing::inscription;
using testing::student;
using testing::test_config;

struct Sources {
    DirectoryRead directory;
    ExportRead apogee;

    Desired merge_with(const Config& config, std::vector<int> years = {2026}) {
        apogee.path = "export.csv";
        const std::vector<SourceRead> reads = {{"ldap", directory, std::nullopt},
                                               {"export", apogee, std::nullopt}};
        return merge({reads, std::move(years)}, config);
    }
};

std::vector<std::string> members_of(const Desired& desired, const std::string& idnumber) {
    for (const auto& cohort : desired.cohorts) {
        if (cohort.idnumber == idnumber) {
            std::vector<std::string> logins;
            for (const auto& member : cohort.members) {
                const auto& student = desired.students.at(static_cast<std::size_t>(member.student));
                logins.push_back(student.login.empty() ? "#" + student.student_number : student.login);
            }
            return logins;
        }
    }
    return {};
}

TEST(Merge, RuleBothNeedsAnActiveInscriptionAndADirectoryEntry) {
    Sources s;
    s.directory.entries = {student("alice", "1001"), student("bob", "1002")};
    s.apogee.rows = {inscription("1001", "L1INFO", 2), inscription("1003", "L1INFO", 3)};
    const auto desired = s.merge_with(test_config(MembershipRule::both));
    EXPECT_EQ(members_of(desired, "etape-L1INFO"), std::vector<std::string>{"alice"});
    ASSERT_EQ(desired.issues.size(), 1u);
    EXPECT_NE(desired.issues[0].message.find("1003"), std::string::npos) << desired.issues[0].message;
}

TEST(Merge, RuleExportKeepsStudentsMissingFromTheDirectoryByStudentNumber) {
    Sources s;
    s.directory.entries = {student("Alice", "1001")};
    s.apogee.rows = {inscription("1001", "L1INFO", 2), inscription("1003", "L1INFO", 3)};
    const auto desired = s.merge_with(test_config(MembershipRule::exportonly));
    EXPECT_EQ(members_of(desired, "etape-L1INFO"), (std::vector<std::string>{"alice", "#1003"}));
}

TEST(Merge, RuleDirectoryUsesOnlySupannEtuEtape) {
    Sources s;
    s.directory.entries = {student("alice", "1001", {"{UAI:0141408E}L1INFO", "{UAI:0751234X}M1DROIT"}),
                           student("bob", "1002", {"L2MATH-101"})};
    s.apogee.rows = {inscription("1001", "M2PHYS", 2)};
    const auto desired = s.merge_with(test_config(MembershipRule::directory));
    EXPECT_EQ(members_of(desired, "etape-L1INFO"), std::vector<std::string>{"alice"});
    EXPECT_EQ(members_of(desired, "etape-L2MATH"), std::vector<std::string>{"bob"});
    EXPECT_TRUE(members_of(desired, "etape-M2PHYS").empty());
    EXPECT_TRUE(members_of(desired, "etape-M1DROIT").empty()) << "another institution's étape is ignored";
    ASSERT_EQ(desired.issues.size(), 1u);
    EXPECT_NE(desired.issues[0].message.find("1 value(s) ignored"), std::string::npos)
        << desired.issues[0].message;
}

TEST(Merge, RuleUnionTakesBothSourcesAndKeepsEveryReason) {
    Sources s;
    s.directory.entries = {student("alice", "1001", {"L1INFO"}), student("bob", "1002", {"L2MATH"})};
    s.apogee.rows = {inscription("1001", "L1INFO", 7), inscription("1002", "L1INFO", 8)};
    const auto desired = s.merge_with(test_config(MembershipRule::union_));
    EXPECT_EQ(members_of(desired, "etape-L1INFO"), (std::vector<std::string>{"alice", "bob"}));
    EXPECT_EQ(members_of(desired, "etape-L2MATH"), std::vector<std::string>{"bob"});
    const auto alice = desired.reasons_of(desired.cohorts.front().members.front());
    ASSERT_EQ(alice.size(), 2u);
    EXPECT_EQ(alice[0].source, "directory");
    EXPECT_EQ(alice[0].dn, "uid=alice,ou=people,dc=univ-test,dc=fr");
    EXPECT_EQ(alice[1], (Reason{"export", 7, ""}));
    EXPECT_EQ(desired.reasons_of(desired.cohorts.back().members.front()),
              (std::vector<Reason>{{"directory", 0, "uid=bob,ou=people,dc=univ-test,dc=fr"}}))
        << "bob's L2MATH is the directory's alone";
}

TEST(Merge, SelectsActiveStatusAndActiveYearsAndCollapsesDuplicates) {
    Sources s;
    s.directory.entries = {student("a", "1"), student("b", "2"), student("c", "3"), student("d", "4")};
    s.apogee.rows = {inscription("1", "L1INFO", 2), inscription("1", "L1INFO", 3),
                     inscription("2", "L1INFO", 4, 2026, "A"), inscription("3", "L1INFO", 5, 2025),
                     inscription("4", "L1INFO", 6, 2025)};
    EXPECT_EQ(members_of(s.merge_with(test_config()), "etape-L1INFO"), std::vector<std::string>{"a"});
    // During the overlap window last year's inscriptions still count.
    EXPECT_EQ(members_of(s.merge_with(test_config(), {2026, 2025}), "etape-L1INFO"),
              (std::vector<std::string>{"a", "c", "d"}));
    const auto desired = s.merge_with(test_config());
    EXPECT_EQ(desired.counts.records_of("export_inscriptions"), 1)
        << "student 1's two rows are one inscription";
    EXPECT_EQ(desired.counts.per_etape.at("L1INFO"), 1);
}

TEST(Merge, TemplatesBuildIdnumberNameAndDescription) {
    Sources s;
    s.directory.entries = {student("alice", "1001")};
    s.apogee.rows = {
        inscription("1001", "CEMU", 2, 2026, "E", "DU Capacité de Gestion des Entreprises - FOAD")};
    auto config = test_config();
    config.membership.idnumber_template = "apogee-{etape}-v{version}";
    config.membership.name_template = "{etape}: {label}";
    config.membership.description_template = "{label} {year}";
    const auto desired = s.merge_with(config);
    ASSERT_EQ(desired.cohorts.size(), 1u);
    EXPECT_EQ(desired.cohorts[0].idnumber, "apogee-CEMU-v1");
    EXPECT_EQ(desired.cohorts[0].name, "CEMU: DU Capacité de Gestion des Entreprises - FOAD");
    EXPECT_EQ(desired.cohorts[0].description, "DU Capacité de Gestion des Entreprises - FOAD 2026");
}

TEST(Merge, LabelDefaultsToTheEtapeCodeWhenTheExportHasNone) {
    Sources s;
    s.directory.entries = {student("alice", "1001", {"L1INFO"})};
    const auto desired = s.merge_with(test_config(MembershipRule::directory));
    ASSERT_EQ(desired.cohorts.size(), 1u);
    EXPECT_EQ(desired.cohorts[0].name, "L1INFO: L1INFO");
}

TEST(Merge, AllowListRestrictsWhichEtapesGetACohort) {
    Sources s;
    s.directory.entries = {student("alice", "1001"), student("bob", "1002")};
    s.apogee.rows = {inscription("1001", "DUCGE1", 2), inscription("1002", "L1INFO", 3)};
    auto config = test_config();
    config.membership.etape_patterns = {"DU*"};
    const auto desired = s.merge_with(config);
    ASSERT_EQ(desired.cohorts.size(), 1u);
    EXPECT_EQ(desired.cohorts[0].etape, "DUCGE1");
}

TEST(Merge, CrossCheckReportsEtapesOnlyInOneSource) {
    Sources s;
    s.directory.entries = {student("alice", "1001", {"L1INFO", "L1MATH"}), student("bob", "1002", {"L2INFO"}),
                           student("carol", "1003", {"L3INFO"})};
    s.apogee.rows = {inscription("1001", "L1INFO", 2), inscription("1001", "L1PHYS", 3),
                     inscription("1002", "L2INFO", 4)};
    const auto desired = s.merge_with(test_config());
    const auto& check = desired.cross_check;
    EXPECT_EQ(check.students_compared, 2) << "carol is not in the export: nothing to compare";
    EXPECT_EQ(check.only_in_export, 1);
    EXPECT_EQ(check.only_in_directory, 1);
    ASSERT_EQ(check.all.size(), 2u);
    EXPECT_EQ(check.all[0].etape, "L1PHYS");
    EXPECT_EQ(check.all[0].only_in, "export");
    EXPECT_EQ(check.all[1].etape, "L1MATH");
    EXPECT_EQ(check.all[1].only_in, "directory");
}

TEST(Merge, ResultIsSortedAndDeterministic) {
    Sources s;
    s.directory.entries = {student("zoe", "9"), student("adam", "1")};
    s.apogee.rows = {inscription("9", "M1", 2), inscription("1", "L1", 3), inscription("1", "M1", 4)};
    const auto first = s.merge_with(test_config());
    const auto second = s.merge_with(test_config());
    ASSERT_EQ(first.cohorts.size(), 2u);
    EXPECT_EQ(first.cohorts[0].idnumber, "etape-L1");
    EXPECT_EQ(members_of(first, "etape-M1"), (std::vector<std::string>{"adam", "zoe"}));
    EXPECT_EQ(members_of(first, "etape-M1"), members_of(second, "etape-M1"));
    EXPECT_EQ(first.counts, second.counts);
    EXPECT_EQ(first.counts.students, 2);
}

TEST(ExpandTemplate, ReplacesEveryPlaceholder) {
    EXPECT_EQ(expand_template("{etape}-{version}/{year}: {label}", "L1", "101", "Licence 1", 2026),
              "L1-101/2026: Licence 1");
    EXPECT_EQ(expand_template("no placeholder", "L1", "", "", 0), "no placeholder");
    EXPECT_EQ(expand_template("{unclosed", "L1", "", "", 0), "{unclosed");
}

} // namespace
} // namespace cohort_sync
