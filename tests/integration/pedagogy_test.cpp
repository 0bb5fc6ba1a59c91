// Element and group cohorts from APOGÉE's pedagogical extracts, against the built binary, a real
// slapd and a real PostgreSQL holding Moodle's tables: night 1 and a churn night make what the
// rules say, a rerun writes nothing, a damaged contracts file is refused without touching any
// cohort, and without the pedagogical kinds their files are not even looked for.
#include "cohort_sync/exit_code.hpp"
#include "e2e_support.hpp"
#include "servers.hpp"
#include "small_university.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using cohort_sync::ExitCode;
using cohort_sync::to_int;
using nlohmann::json;

// s1..s7: s4's administrative inscription is cancelled, s3 is in L1AES, the others in L1DROIT.
const std::vector<Student> k_students = {{"ped1", "31000001", "L1DROIT"}, {"ped2", "31000002", "L1DROIT"},
                                         {"ped3", "31000003", "L1AES"},   {"ped4", "31000004", "L1DROIT"},
                                         {"ped5", "31000005", "L1DROIT"}, {"ped6", "31000006", "L1DROIT"},
                                         {"ped7", "31000007", "L1DROIT"}};

const std::string k_contracts_header =
    "COD_ANU;COD_IND;COD_ETU;COD_ETP;COD_VRS_VET;COD_ELP;LIB_ELP;COD_NEL;TEM_PRC_ICE\r\n";
const std::string k_groups_header = "COD_ANU;COD_IND;COD_ETU;COD_ELP;COD_GPE;COD_EXT_GPE;LIB_GPE;COD_TGR\r\n";

std::string contract(int year, const std::string& number, const std::string& etape,
                     const std::string& element, const std::string& label, const std::string& carried_over) {
    return std::to_string(year) + ";9" + number + ";" + number + ";" + etape + ";101;" + element + ";" +
           label + ";MATI;" + carried_over + "\r\n";
}

std::string assignment(int year, const std::string& number, const std::string& element,
                       const std::string& group) {
    return std::to_string(year) + ";9" + number + ";" + number + ";" + element + ";4" + group + ";" + group +
           ";Groupe " + group + " de " + element + ";TD\r\n";
}

class Pedagogy : public SiteTest {
protected:
    void SetUp() override {
        open_site("pedagogy");
        m_contracts = m_dir + "/ip.csv";
        m_groups = m_dir + "/groups.csv";
        add_students(k_students);
        std::vector<ExportRow> rows;
        for (const auto& student : k_students) {
            rows.push_back({student.number, student.etape,
                            student.etape == "L1AES" ? "Licence 1 AES" : "Licence 1 Droit",
                            student.login == "ped4" ? "A" : "E"});
        }
        write_export(m_export, rows);
        configure({{"pedagogy", {{"contracts_path", m_contracts}, {"groups_path", m_groups}}},
                   {"element_cohorts", {{"enabled", true}}},
                   {"group_cohorts", {{"enabled", true}}},
                   // Seven students: one change is a large share of a source.
                   {"guards", {{"max_source_shrink_ratio", 0.5}}}});
    }

    // Night 1's extracts: carried-over and last year's contracts, a cancelled inscription, an
    // element (LANG1) shared by two étapes, blanks and a duplicate line, in ISO-8859-1 with CRLF.
    void write_night_one() {
        const int year = current_academic_year();
        write_text(m_contracts,
                   to_latin1(k_contracts_header +
                             contract(year, "31000001", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year, "31000001", "L1DROIT", "LANG1", "Anglais", "N") +
                             contract(year, "31000002", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year, "31000002", "L1DROIT", "LANG1", "Anglais", "O") +
                             contract(year, "31000003", "L1AES", "LANG1", "Anglais", "N") +
                             contract(year, "31000004", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year - 1, "31000005", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year, "31000006", "L1DROIT", " ue12 ", "Droit constitutionnel", "N") +
                             contract(year, "31000006", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year, "31000007", "L1DROIT", "UE12", "Droit constitutionnel", "N")));
        write_text(m_groups, to_latin1(k_groups_header + assignment(year, "31000001", "UE12", "TD1") +
                                       assignment(year, "31000002", "UE12", "TD2") +
                                       assignment(year, "31000004", "UE12", "TD1") +
                                       assignment(year, "31000006", "UE12", "TD1") +
                                       assignment(year, "31000006", "UE12", "TD1") +
                                       assignment(year, "31000007", "UE12", "TD2")));
    }

    // The churn night: ped2 moved from TD2 to TD1, ped6 dropped UE12 (and its group).
    void write_churn_night() {
        const int year = current_academic_year();
        write_text(m_contracts,
                   to_latin1(k_contracts_header +
                             contract(year, "31000001", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year, "31000001", "L1DROIT", "LANG1", "Anglais", "N") +
                             contract(year, "31000002", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year, "31000003", "L1AES", "LANG1", "Anglais", "N") +
                             contract(year, "31000004", "L1DROIT", "UE12", "Droit constitutionnel", "N") +
                             contract(year, "31000007", "L1DROIT", "UE12", "Droit constitutionnel", "N")));
        write_text(m_groups, to_latin1(k_groups_header + assignment(year, "31000001", "UE12", "TD1") +
                                       assignment(year, "31000002", "UE12", "TD1") +
                                       assignment(year, "31000004", "UE12", "TD1") +
                                       assignment(year, "31000007", "UE12", "TD2")));
    }

    static cst::Rows night_one_members() {
        return {{"element-LANG1", "ped1"},  {"element-LANG1", "ped3"},  {"element-UE12", "ped1"},
                {"element-UE12", "ped2"},   {"element-UE12", "ped6"},   {"element-UE12", "ped7"},
                {"etape-L1AES", "ped3"},    {"etape-L1DROIT", "ped1"},  {"etape-L1DROIT", "ped2"},
                {"etape-L1DROIT", "ped5"},  {"etape-L1DROIT", "ped6"},  {"etape-L1DROIT", "ped7"},
                {"group-UE12-TD1", "ped1"}, {"group-UE12-TD1", "ped6"}, {"group-UE12-TD2", "ped2"},
                {"group-UE12-TD2", "ped7"}};
    }

    std::string m_contracts;
    std::string m_groups;
};

TEST_F(Pedagogy, NightOneChurnAndRerunMakeWhatTheRulesSay) {
    write_night_one();
    auto result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(members(), night_one_members());
    const auto names = cst::servers().query("SELECT idnumber, name FROM mdl_cohort WHERE idnumber IN "
                                            "('element-UE12', 'group-UE12-TD1') ORDER BY idnumber");
    EXPECT_EQ(names, (cst::Rows{{"element-UE12", "UE12: Droit constitutionnel"},
                                {"group-UE12-TD1", "UE12 TD1: Groupe TD1 de UE12"}}));

    // The same files again: nothing to write.
    const auto before = moodle_fingerprint();
    result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "plan: +0 -0")) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before);

    write_churn_night();
    result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(members(), (cst::Rows{{"element-LANG1", "ped1"},
                                    {"element-LANG1", "ped3"},
                                    {"element-UE12", "ped1"},
                                    {"element-UE12", "ped2"},
                                    {"element-UE12", "ped7"},
                                    {"etape-L1AES", "ped3"},
                                    {"etape-L1DROIT", "ped1"},
                                    {"etape-L1DROIT", "ped2"},
                                    {"etape-L1DROIT", "ped5"},
                                    {"etape-L1DROIT", "ped6"},
                                    {"etape-L1DROIT", "ped7"},
                                    {"group-UE12-TD1", "ped1"},
                                    {"group-UE12-TD1", "ped2"},
                                    {"group-UE12-TD2", "ped7"}}));
}

TEST_F(Pedagogy, ExplainSaysWhichElementAndGroupCohortsAndWhyNot) {
    write_night_one();
    ASSERT_EQ(run().exit_code, 0);
    const auto alice = run({"explain", "ped1"});
    ASSERT_EQ(alice.exit_code, 0) << alice.describe();
    EXPECT_TRUE(contains(line_with(alice.out, "  element-UE12 "), "because: contracts " + m_contracts + ":2"))
        << alice.out;
    EXPECT_TRUE(contains(alice.out, "  group-UE12-TD1 ")) << alice.out;
    // ped2 carried LANG1 over: the contract's line says so, and no LANG1 cohort is listed.
    const auto bob = run({"explain", "ped2"});
    ASSERT_EQ(bob.exit_code, 0) << bob.describe();
    EXPECT_TRUE(
        contains(bob.out, "element LANG1 'Anglais' of L1DROIT version '101': not counted: carried over"))
        << bob.out;
    EXPECT_FALSE(contains(bob.out, "  element-LANG1 ")) << bob.out;
}

TEST_F(Pedagogy, AnEmptyOrTruncatedContractsFileIsRefusedAndEmptiesNothing) {
    write_night_one();
    ASSERT_EQ(run().exit_code, 0);
    const auto before = moodle_fingerprint();
    const auto night_one = cst::read_file(m_contracts);
    for (const auto& damaged :
         {std::string(), k_contracts_header, night_one.substr(0, night_one.size() - 9)}) {
        write_text(m_contracts, damaged);
        const auto result = run();
        EXPECT_EQ(result.exit_code, to_int(ExitCode::failed)) << result.describe();
        EXPECT_TRUE(contains(result.err, "pedagogical contracts")) << result.describe();
        EXPECT_EQ(moodle_fingerprint(), before);
    }
}

TEST_F(Pedagogy, ABadContractRowHoldsItsElementBack) {
    write_night_one();
    ASSERT_EQ(run().exit_code, 0);
    // ped2's UE12 line loses a field: the row is left out, and so are ped2's removals from UE12
    // and its group. (A last line short of fields would be a truncated file, refused.)
    auto text = cst::read_file(m_contracts);
    const auto at = text.find("31000002;L1DROIT;101;UE12;");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, std::string("31000002;L1DROIT;101;").size(), "31000002;L1DROIT;");
    write_text(m_contracts, text);
    const auto result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(members(), night_one_members());
    EXPECT_TRUE(contains(result.err, "held back on doubt")) << result.describe();
}

TEST_F(Pedagogy, WithoutThePedagogicalKindsTheirFilesAreNotRead) {
    configure({{"element_cohorts", {{"enabled", false}}}, {"group_cohorts", {{"enabled", false}}}});
    // The paths name files that do not exist.
    const auto result = run();
    ASSERT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(members(), (cst::Rows{{"etape-L1AES", "ped3"},
                                    {"etape-L1DROIT", "ped1"},
                                    {"etape-L1DROIT", "ped2"},
                                    {"etape-L1DROIT", "ped5"},
                                    {"etape-L1DROIT", "ped6"},
                                    {"etape-L1DROIT", "ped7"}}));
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
