// The pedagogical extracts' parsers: the administrative export's machinery (header by name,
// delimiters, encodings, defects as typed issues) with their own columns.
#include "cohort_sync/pedagogy_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cohort_sync {
namespace {

using ::testing::HasSubstr;

const std::string k_contracts_header =
    "COD_ANU;COD_IND;COD_ETU;COD_ETP;COD_VRS_VET;COD_ELP;LIB_ELP;COD_NEL;TEM_PRC_ICE\n";
const std::string k_groups_header = "COD_ANU;COD_IND;COD_ETU;COD_ELP;COD_GPE;COD_EXT_GPE;LIB_GPE;COD_TGR\n";

PedagogyConfig utf8() {
    PedagogyConfig config;
    config.encoding = Encoding::utf8;
    return config;
}

TEST(PedagogyParser, ReadsContractsByHeaderNameTrimmedAndUpperCased) {
    const auto read = parse_contracts(k_contracts_header +
                                          "2026;77;1001; l1info ;101; ue12 ;Droit constitutionnel;matI;N\r\n"
                                          "2025;77;1001;L1INFO;101;UE11;Histoire;MATI;o\r\n",
                                      utf8(), "contracts.csv");
    ASSERT_TRUE(read.issues.empty()) << read.issues.front().message;
    ASSERT_EQ(read.contracts.size(), 2u);
    const auto& row = read.contracts[0];
    EXPECT_EQ(row.year, 2026);
    EXPECT_EQ(row.student_number, "1001");
    EXPECT_EQ(row.etape, "L1INFO");
    EXPECT_EQ(row.version, "101");
    EXPECT_EQ(row.element, "UE12");
    EXPECT_EQ(row.label, "Droit constitutionnel");
    EXPECT_EQ(row.nature, "MATI");
    EXPECT_FALSE(row.carried_over);
    EXPECT_EQ(row.line, 2);
    EXPECT_TRUE(read.contracts[1].carried_over);
    EXPECT_EQ(read.data_lines, 2);
}

TEST(PedagogyParser, ReadsCommaSeparatedLatin1WithColumnsInAnyOrder) {
    PedagogyConfig config;
    config.delimiter = ',';
    config.contract_columns.nature.clear(); // this extract has no nature column
    const auto read =
        parse_contracts("TEM_PRC_ICE,COD_ELP,COD_ETU,COD_ANU,COD_ETP,COD_VRS_VET,LIB_ELP,EXTRA\n"
                        "N,UE1,42,2026,L1,1,Biologie v\xe9g\xe9tale,x\n",
                        config, "c.csv");
    ASSERT_EQ(read.contracts.size(), 1u);
    EXPECT_EQ(read.contracts[0].label, "Biologie végétale");
    EXPECT_EQ(read.contracts[0].nature, ""); // COD_NEL absent: the column is optional
}

TEST(PedagogyParser, BadContractRowsAreTypedIssuesNamingTheStudentAndElement) {
    const auto read = parse_contracts(k_contracts_header + "2026;77;1001;L1;1;UE12;x;M;?\n" +
                                          "2026;77;;L1;1;UE12;x;M;N\n" + "2026;77;1002;L1;1;UE12;x;M;N\n",
                                      utf8(), "contracts.csv");
    ASSERT_EQ(read.contracts.size(), 1u);
    ASSERT_EQ(read.issues.size(), 2u);
    EXPECT_EQ(read.issues[0].kind, IssueKind::bad_row);
    EXPECT_EQ(read.issues[0].locator, "contracts.csv:2");
    EXPECT_THAT(read.issues[0].message, HasSubstr("where 'O' or 'N' is expected"));
    ASSERT_TRUE(read.issues[0].damaged);
    EXPECT_EQ(read.issues[0].damaged->student_number, "1001");
    EXPECT_EQ(read.issues[0].damaged->element, "UE12");
    EXPECT_THAT(read.issues[1].message, HasSubstr("column 'COD_ETU' is empty"));
}

TEST(PedagogyParser, MissingColumnNamesItsSetting) {
    const auto read =
        parse_contracts("COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;COD_ELP;LIB_ELP;COD_NEL\n2026;1;L1;1;UE1;x;M\n",
                        utf8(), "c.csv");
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::error);
    EXPECT_EQ(read.issues[0].kind, IssueKind::header);
    EXPECT_THAT(read.issues[0].message,
                HasSubstr("column 'TEM_PRC_ICE' (pedagogy.contract_columns.carried_over)"));
}

TEST(PedagogyParser, TruncatedLastLineIsAnError) {
    const auto read =
        parse_contracts(k_contracts_header + "2026;77;1001;L1;1;UE12;x;M;N\n2026;77;10", utf8(), "c.csv");
    ASSERT_FALSE(read.issues.empty());
    EXPECT_EQ(read.issues.back().kind, IssueKind::truncated);
}

TEST(PedagogyParser, ReadsGroupAssignments) {
    const auto read = parse_group_assignments(
        k_groups_header + "2026;77;1001;ue12;9001; td1 ;TD 1 du lundi;td\n", utf8(), "groups.csv");
    ASSERT_TRUE(read.issues.empty());
    ASSERT_EQ(read.groups.size(), 1u);
    const auto& row = read.groups[0];
    EXPECT_EQ(row.element, "UE12");
    EXPECT_EQ(row.group, "TD1");
    EXPECT_EQ(row.label, "TD 1 du lundi");
    EXPECT_EQ(row.type, "TD");
    EXPECT_TRUE(read.contracts.empty());
}

TEST(PedagogyParser, GroupRowWithoutGroupCodeIsABadRow) {
    const auto read =
        parse_group_assignments(k_groups_header + "2026;77;1001;UE12;9001;  ;x;TD\n", utf8(), "g.csv");
    EXPECT_TRUE(read.groups.empty());
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_THAT(read.issues[0].message, HasSubstr("column 'COD_EXT_GPE' is empty"));
    EXPECT_EQ(read.issues[0].damaged->element, "UE12");
}

TEST(PedagogyParser, MixedEncodingsPutLabelsInDoubt) {
    PedagogyConfig config; // ISO-8859-1
    const auto read = parse_group_assignments(
        k_groups_header +
            "2026;1;1;UE1;1;TD1;Amphi \xc3\xa9t\xc3\xa9;TD\n2026;1;2;UE1;1;TD2;Amphi \xe9t\xe9;TD\n",
        config, "g.csv");
    EXPECT_TRUE(read.labels_in_doubt);
    EXPECT_THAT(read.issues.back().message, HasSubstr("pedagogy.encoding"));
}

} // namespace
} // namespace cohort_sync
