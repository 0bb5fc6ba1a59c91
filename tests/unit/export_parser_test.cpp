#include "build_paths.hpp"
#include "cohort_sync/export_parser.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

namespace cohort_sync {
namespace {

using ::testing::HasSubstr;

const std::string k_bom = "\xef\xbb\xbf";
const std::string k_header = "COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\n";

ExportConfig utf8_config() {
    ExportConfig config;
    config.encoding = Encoding::utf8;
    return config;
}

ExportRead parse(const std::string& text, const ExportConfig& config = utf8_config()) {
    return parse_export(text, config, "export.csv");
}

auto fields_of(const Inscription& row) {
    return std::tuple(row.year, row.student_number, row.etape, row.version, row.status, row.label, row.line);
}

std::vector<Issue> issues_of(const ExportRead& read, Severity severity) {
    std::vector<Issue> out;
    for (const auto& issue : read.issues) {
        if (issue.severity == severity) {
            out.push_back(issue);
        }
    }
    return out;
}

std::string read_sample(const std::string& name) {
    const auto path = cohort_sync::testing::source_dir() / "tests/data/export" / name;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- to_utf8 -------------------------------------------------------------------------------

struct EncodingCase {
    const char* name;
    std::string bytes;
    Encoding encoding;
    std::string expected;
};

TEST(ToUtf8, ConvertsEachEncoding) {
    const std::vector<EncodingCase> cases = {
        {"latin-1 accent", "Capacit\xe9", Encoding::iso_8859_1, "Capacité"},
        // "\311" is 0xC9 in octal: "\xc9c" would read as one escape.
        {"latin-1 capital", "\311conomie", Encoding::iso_8859_1, "Économie"},
        {"latin-1 keeps C1 controls", "\x80\x9c", Encoding::iso_8859_1, "\xc2\x80\xc2\x9c"},
        {"latin-1 top byte", "\xff", Encoding::iso_8859_1, "ÿ"},
        {"cp1252 oe quote dash", "C\x9cur \x92 \x96", Encoding::windows_1252, "Cœur ’ –"},
        {"cp1252 euro", "\x80", Encoding::windows_1252, "€"},
        {"cp1252 undefined bytes", "\x81\x8d\x8f\x90\x9d", Encoding::windows_1252, "�����"},
        {"cp1252 above 0x9F is latin-1", "m\xe9tier", Encoding::windows_1252, "métier"},
        {"utf-8 valid", "Capacité – 🎓", Encoding::utf8, "Capacité – 🎓"},
        {"utf-8 BOM dropped", k_bom + "COD_ANU", Encoding::utf8, "COD_ANU"},
        {"BOM wins over latin-1", k_bom + "Capacité", Encoding::iso_8859_1, "Capacité"},
        {"BOM wins over cp1252", k_bom + "l’", Encoding::windows_1252, "l’"},
        {"BOM only once", k_bom + k_bom + "a", Encoding::utf8, k_bom + "a"},
        {"utf-8 latin-1 byte replaced", "Capacit\xe9", Encoding::utf8, "Capacit�"},
        {"utf-8 truncated at end", "a\xc3", Encoding::utf8, "a�"},
        {"utf-8 truncated keeps next ascii", "\xe2\x82;x", Encoding::utf8, "�;x"},
        {"utf-8 truncated keeps newline", "\xe2\n", Encoding::utf8, "�\n"},
        {"utf-8 overlong", "\xc0\xaf", Encoding::utf8, "��"},
        {"utf-8 surrogate", "\xed\xa0\x80", Encoding::utf8, "���"},
        {"utf-8 past U+10FFFF", "\xf4\x90\x80\x80", Encoding::utf8, "����"},
        {"utf-8 lone continuation", "\x80!", Encoding::utf8, "�!"},
        {"empty", "", Encoding::utf8, ""},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(to_utf8(c.bytes, c.encoding), c.expected) << c.name;
    }
}

TEST(ToUtf8, KeepsNulBytes) {
    const std::string bytes("a\0b", 3);
    EXPECT_EQ(to_utf8(bytes, Encoding::iso_8859_1), bytes);
}

// ---- Rows and fields -----------------------------------------------------------------------

TEST(ExportParser, ReadsRowsTrimmedAndNormalised) {
    const auto read = parse(k_header + "2026;21900001;DUCGE1  ;101;E;Capacité en droit\n"
                                       " 2026 ; 21900002 ; l1inf ; 120 ; e ;  Licence 1  \n");
    ASSERT_EQ(read.rows.size(), 2u);
    EXPECT_EQ(fields_of(read.rows[0]),
              std::tuple(2026, std::string("21900001"), std::string("DUCGE1"), std::string("101"),
                         std::string("E"), std::string("Capacité en droit"), 2));
    EXPECT_EQ(fields_of(read.rows[1]),
              std::tuple(2026, std::string("21900002"), std::string("L1INF"), std::string("120"),
                         std::string("E"), std::string("Licence 1"), 3));
    EXPECT_EQ(read.data_lines, 2);
    EXPECT_TRUE(read.issues.empty());
    EXPECT_EQ(read.path, "export.csv");
}

TEST(ExportParser, QuotedFieldsHoldDelimiterQuotesAndNewlines) {
    const auto read = parse(k_header + "2026;1;A;101;E;\"Droit; \"\"public\"\"\"\n"
                                       "2026;2;B;101;E;\"two\nlines\"\n"
                                       "2026;3;C;101;E;after\n"
                                       "\"2026\";\"4\";\"D\";\"101\";\"E\";\"\"\n");
    ASSERT_EQ(read.rows.size(), 4u);
    EXPECT_EQ(read.rows[0].label, "Droit; \"public\"");
    EXPECT_EQ(read.rows[1].label, "two\nlines");
    EXPECT_EQ(read.rows[1].line, 3);
    EXPECT_EQ(read.rows[2].line, 5) << "the quoted newline is a physical line";
    EXPECT_EQ(read.rows[3].student_number, "4");
    EXPECT_EQ(read.rows[3].label, "");
    EXPECT_EQ(read.data_lines, 4);
    EXPECT_TRUE(read.issues.empty());
}

TEST(ExportParser, BlanksAroundQuotedFieldsAreAllowed) {
    const auto read = parse(k_header + "2026;1;A;101;E;  \"Droit ; public\"  \n");
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.rows[0].label, "Droit ; public");
}

TEST(ExportParser, CrlfAndLfGiveIdenticalRows) {
    const std::string lf = k_header + "2026;1;A;101;E;\"two\nlines\"\n2026;2;B ;101;E;x \n\n2026;3;C;;E;\n";
    std::string crlf;
    for (char c : lf) {
        if (c == '\n') {
            crlf += '\r';
        }
        crlf += c;
    }
    const auto a = parse(lf);
    const auto b = parse(crlf);
    ASSERT_EQ(a.rows.size(), 3u);
    ASSERT_EQ(b.rows.size(), a.rows.size());
    for (std::size_t i = 0; i < a.rows.size(); ++i) {
        EXPECT_EQ(fields_of(a.rows[i]), fields_of(b.rows[i])) << i;
    }
    EXPECT_EQ(a.data_lines, b.data_lines);
    EXPECT_EQ(a.issues, b.issues);
}

TEST(ExportParser, SkipsBlankLines) {
    const auto read = parse("\n  \n" + k_header + "\n2026;1;A;101;E;x\n   \n\r\n2026;2;B;101;E;y\n \t");
    ASSERT_EQ(read.rows.size(), 2u);
    EXPECT_EQ(read.rows[0].line, 5);
    EXPECT_EQ(read.rows[1].line, 8);
    EXPECT_EQ(read.rows[1].label, "y");
    EXPECT_EQ(read.data_lines, 2);
    EXPECT_TRUE(read.issues.empty());
}

TEST(ExportParser, ReadsTabDelimitedFiles) {
    ExportConfig config = utf8_config();
    config.delimiter = '\t';
    const auto read = parse("COD_ANU\tCOD_ETU\tCOD_ETP\tCOD_VRS_VET\tETA_IAE\tLIB_ETP\r\n2026\t1\tDUCGE1 "
                            "\t101\tE\tDroit; privé\r\n",
                            config);
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.rows[0].etape, "DUCGE1");
    EXPECT_EQ(read.rows[0].label, "Droit; privé");
}

TEST(ExportParser, HonoursConfiguredQuote) {
    ExportConfig config = utf8_config();
    config.quote = '\'';
    const auto read = parse(k_header + "2026;1;A;101;E;'l''été; \"x\"'\n", config);
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.rows[0].label, "l'été; \"x\"");
}

TEST(ExportParser, ConvertsLabelsFromLatin1) {
    ExportConfig config;
    config.encoding = Encoding::iso_8859_1;
    const auto read = parse_export(k_header + "2026;1;A;101;E;Capacit\xe9\n", config, "export.csv");
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.rows[0].label, "Capacité");
    EXPECT_TRUE(read.issues.empty());
}

// ---- Header --------------------------------------------------------------------------------

TEST(ExportParser, MatchesHeaderNamesTrimmedAndCaseInsensitively) {
    const auto read = parse(" cod_anu ;Cod_Etu;\"COD_ETP\";cod_vrs_vet;eta_iae ;lib_etp\n2026;1;A;101;E;x\n");
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_TRUE(read.issues.empty());
}

TEST(ExportParser, FindsColumnsInAnyOrderAndIgnoresOthers) {
    const auto read =
        parse("LIB_ETP;COD_IND;ETA_IAE;COD_ETP;COD_VRS_VET;COD_ETU;COD_ANU\nx;99;E;A;101;1;2026\n");
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(fields_of(read.rows[0]), std::tuple(2026, std::string("1"), std::string("A"),
                                                  std::string("101"), std::string("E"), std::string("x"), 2));
}

TEST(ExportParser, MissingColumnIsAnErrorNamingFileColumnAndHeader) {
    const auto read = parse("COD_ANU;NUM_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\n2026;1;A;101;E;x\n");
    EXPECT_TRUE(read.rows.empty());
    EXPECT_EQ(read.data_lines, 0);
    ASSERT_EQ(read.issues.size(), 1u);
    const Issue& issue = read.issues[0];
    EXPECT_EQ(issue.severity, Severity::error);
    EXPECT_EQ(issue.locator, "export.csv:1");
    EXPECT_THAT(issue.message, HasSubstr("'COD_ETU'"));
    EXPECT_THAT(issue.message, HasSubstr("'export.csv'"));
    EXPECT_THAT(issue.message, HasSubstr("COD_ANU, NUM_ETU, COD_ETP, COD_VRS_VET, ETA_IAE, LIB_ETP"));
}

TEST(ExportParser, ReportsEveryMissingColumn) {
    const auto read = parse("COD_ANU;COD_ETU\n2026;1\n");
    EXPECT_EQ(issues_of(read, Severity::error).size(), 4u); // étape, version, status, label
    EXPECT_TRUE(read.rows.empty());
}

TEST(ExportParser, SuggestsTheDelimiterWhenTheHeaderIsOneField) {
    const auto read = parse("COD_ANU,COD_ETU,COD_ETP,COD_VRS_VET,ETA_IAE,LIB_ETP\n2026,1,A,101,E,x\n");
    ASSERT_FALSE(read.issues.empty());
    EXPECT_THAT(read.issues[0].message, HasSubstr("is the delimiter ';' right?"));
}

TEST(ExportParser, VersionAndLabelMayBeConfiguredAbsent) {
    ExportConfig config = utf8_config();
    config.columns.version = "";
    config.columns.label = "";
    const auto read = parse("COD_ANU;COD_ETU;COD_ETP;ETA_IAE\n2026;1;A;E\n", config);
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.rows[0].version, "");
    EXPECT_EQ(read.rows[0].label, "");
    EXPECT_TRUE(read.issues.empty());
}

TEST(ExportParser, ConfiguredLabelColumnIsRequired) {
    const auto read = parse("COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE\n2026;1;A;101;E\n");
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::error);
    EXPECT_THAT(read.issues[0].message, HasSubstr("'LIB_ETP'"));
}

TEST(ExportParser, RequiredColumnConfiguredEmptyIsAnError) {
    ExportConfig config = utf8_config();
    config.columns.status = "";
    const auto read = parse(k_header + "2026;1;A;101;E;x\n", config);
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::error);
    EXPECT_THAT(read.issues[0].message, HasSubstr("apogee.columns.status"));
}

TEST(ExportParser, DuplicateColumnIsAnError) {
    const auto read =
        parse("COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP;cod_etu\n2026;1;A;101;E;x;2\n");
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::error);
    EXPECT_THAT(read.issues[0].message, HasSubstr("appears twice"));
    EXPECT_TRUE(read.rows.empty());
}

TEST(ExportParser, FileWithoutHeaderIsAnError) {
    for (const std::string text : {"", "\n\n  \r\n"}) {
        const auto read = parse(text);
        ASSERT_EQ(read.issues.size(), 1u);
        EXPECT_EQ(read.issues[0].severity, Severity::error);
        EXPECT_THAT(read.issues[0].message, HasSubstr("no header"));
    }
}

// ---- Bad rows ------------------------------------------------------------------------------

struct BadRowCase {
    std::string line;
    std::string message;
    DamagedRecord damaged; // what the row still names: its students' removals are held back
};

TEST(ExportParser, RejectsBadRowsWithLocatorAndColumn) {
    const std::vector<BadRowCase> cases = {
        {"2026;  ;A;101;E;x", "column 'COD_ETU' is empty", {"", "", "A", 3}},
        {"26;1;A;101;E;x", "column 'COD_ANU' is not a 4-digit year: '26'", {"1", "", "A", 3}},
        {"2O26;1;A;101;E;x", "column 'COD_ANU' is not a 4-digit year: '2O26'", {"1", "", "A", 3}},
        {";1;A;101;E;x", "column 'COD_ANU' is empty", {"1", "", "A", 3}},
        {"2026;1; ;101;E;x", "column 'COD_ETP' is empty", {"1", "", "", 3}},
        {"2026;;;101;E;x", "column 'COD_ETU' is empty; column 'COD_ETP' is empty", {"", "", "", 3}},
        {"2026;1;A;101;E", "the line has 5 fields where the header has 6 (delimiter ';')", {"1", "", "A", 3}},
        {"2026;1;A;101;E;x;y",
         "the line has 7 fields where the header has 6 (delimiter ';')",
         {"1", "", "A", 3}},
        {std::string("2026;1;A;101;E;x\0y", 18), "column 'LIB_ETP' contains a NUL byte", {"1", "", "A", 3}},
        {"2026;1;A;101;E;\"Master \"Droit\"\"",
         "column 'LIB_ETP' has 'D' after its closing quote",
         {"1", "", "A", 3}},
    };
    for (const auto& c : cases) {
        const auto read = parse(k_header + "2026;1;A;101;E;ok\n" + c.line + "\n2026;3;C;101;E;ok\n");
        SCOPED_TRACE(c.message);
        EXPECT_EQ(read.rows.size(), 2u);
        EXPECT_EQ(read.data_lines, 3);
        ASSERT_EQ(read.issues.size(), 1u);
        EXPECT_EQ(read.issues[0],
                  (Issue{Severity::warning, "export.csv:3", c.message, IssueKind::bad_row, c.damaged}));
    }
}

TEST(ExportParser, RejectsRowWithEmptyStudentNumber) {
    const auto read = parse(k_header + "2026;;A;101;E;x\n");
    EXPECT_TRUE(read.rows.empty());
    EXPECT_EQ(read.data_lines, 1);
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0], (Issue{Severity::warning, "export.csv:2", "column 'COD_ETU' is empty",
                                     IssueKind::bad_row, DamagedRecord{"", "", "A", 2}}));
}

TEST(ExportParser, UnterminatedQuoteOnLastLineIsABadRow) {
    const auto read = parse(k_header + "2026;1;A;101;E;ok\n2026;2;B;101;E;\"Licence\n");
    EXPECT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.data_lines, 2);
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::warning);
    EXPECT_EQ(read.issues[0].locator, "export.csv:3");
    EXPECT_THAT(read.issues[0].message, HasSubstr("column 'LIB_ETP' opens a quote that is not closed"));
}

TEST(ExportParser, UnterminatedQuoteSwallowingRowsIsAnError) {
    const auto read = parse(k_header + "2026;1;A;101;E;\"Licence\n2026;2;B;101;E;x\n2026;3;C;101;E;x\n");
    EXPECT_TRUE(read.rows.empty());
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::error);
    EXPECT_EQ(read.issues[0].locator, "export.csv:2");
    EXPECT_THAT(read.issues[0].message, HasSubstr("rest of the file cannot be read"));
}

TEST(ExportParser, BadRowLocatorIsTheLineWhereTheRowStarts) {
    const auto read = parse(k_header + "2026;1;A;101;E;\"a\nb\nc\"\n2026;;B;101;E;x\n");
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].locator, "export.csv:5");
}

TEST(ExportParser, CountsDataLinesGoodAndBad) {
    std::string text = k_header;
    for (int i = 0; i < 10; ++i) {
        text += i % 3 == 0 ? "2026;;A;101;E;x\n" : "2026;1;A;101;E;x\n";
    }
    const auto read = parse(text);
    EXPECT_EQ(read.data_lines, 10);
    EXPECT_EQ(read.rows.size(), 6u);
    EXPECT_EQ(read.issues.size(), 4u);
}

// ---- Encoding issues -----------------------------------------------------------------------

TEST(ExportParser, ReportsInvalidUtf8OnceWithTheFirstLine) {
    const auto read =
        parse(k_header + "2026;1;A;101;E;ok\n2026;2;B;101;E;Capacit\xe9\n2026;3;C;101;E;\xe9t\xe9\n");
    ASSERT_EQ(read.rows.size(), 3u) << "a replaced byte in a label does not lose the row";
    EXPECT_EQ(read.rows[1].label, "Capacit�");
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::warning);
    EXPECT_EQ(read.issues[0].locator, "export.csv:3");
    EXPECT_THAT(read.issues[0].message, HasSubstr("3 byte sequences on 2 lines"));
    EXPECT_THAT(read.issues[0].message, HasSubstr("not valid UTF-8"));
}

TEST(ExportParser, WarnsWhenALatin1FileReadsAsUtf8) {
    ExportConfig config;
    config.encoding = Encoding::iso_8859_1;
    const auto read = parse_export(k_header + "2026;1;A;101;E;Capacité\n", config, "export.csv");
    ASSERT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.rows[0].label, "CapacitÃ©");
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::warning);
    EXPECT_THAT(read.issues[0].message, HasSubstr("set apogee.encoding to utf8"));
}

// ---- Trailer -------------------------------------------------------------------------------

ExportConfig trailer_config() {
    ExportConfig config = utf8_config();
    config.trailer = true;
    return config;
}

TEST(ExportParser, TrailerMatchingRowCountIsAccepted) {
    const auto read = parse(k_header + "2026;1;A;101;E;x\n2026;;B;101;E;x\n\nTOTAL;2\n", trailer_config());
    EXPECT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.data_lines, 2) << "the trailer is not a data line";
    EXPECT_TRUE(issues_of(read, Severity::error).empty());
}

TEST(ExportParser, TrailerWithOneFieldIsAccepted) {
    const auto read = parse(k_header + "2026;1;A;101;E;x\n1\n", trailer_config());
    EXPECT_EQ(read.rows.size(), 1u);
    EXPECT_TRUE(read.issues.empty());
}

TEST(ExportParser, TrailerMismatchIsAnError) {
    const auto read = parse(k_header + "2026;1;A;101;E;x\n2026;2;B;101;E;x\nTOTAL;3\n", trailer_config());
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0], (Issue{Severity::error, "export.csv:4", "trailer says 3 rows, file has 2",
                                     IssueKind::trailer}));
}

TEST(ExportParser, MissingTrailerIsAnError) {
    const auto read = parse(k_header + "2026;1;A;101;E;x\n2026;2;B;101;E;x\n", trailer_config());
    const auto errors = issues_of(read, Severity::error);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].locator, "export.csv:3");
    EXPECT_THAT(errors[0].message, HasSubstr("may be truncated"));
    EXPECT_EQ(read.rows.size(), 2u) << "the last line is still read as data";
    EXPECT_EQ(read.data_lines, 2);
}

TEST(ExportParser, HeaderOnlyWithTrailerConfiguredIsAnError) {
    const auto read = parse(k_header, trailer_config());
    ASSERT_EQ(read.issues.size(), 1u);
    EXPECT_EQ(read.issues[0].severity, Severity::error);
    EXPECT_THAT(read.issues[0].message, HasSubstr("trailer"));
}

TEST(ExportParser, CatchesTheTruncatedSample) {
    ExportConfig config = trailer_config();
    config.encoding = Encoding::iso_8859_1;
    const auto read = parse_export(read_sample("inscriptions_truncated.csv"), config, "truncated.csv");
    const auto errors = issues_of(read, Severity::error);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].locator, "truncated.csv:8");

    const auto whole = parse_export(read_sample("inscriptions_trailer.csv"), config, "whole.csv");
    EXPECT_TRUE(whole.issues.empty());
    EXPECT_EQ(whole.rows.size(), 8u);
}

// ---- Samples -------------------------------------------------------------------------------

TEST(ExportParser, ReadsTheLatin1Sample) {
    ExportConfig config;
    config.encoding = Encoding::iso_8859_1;
    const auto read = parse_export(read_sample("inscriptions_latin1.csv"), config, "latin1.csv");
    EXPECT_TRUE(read.issues.empty());
    ASSERT_EQ(read.rows.size(), 5u);
    EXPECT_EQ(fields_of(read.rows[0]),
              std::tuple(2026, std::string("21900001"), std::string("DUCGE1"), std::string("101"),
                         std::string("E"), std::string("Capacité en droit"), 2));
    EXPECT_EQ(read.rows[1].label, "Licence 1 Économie - gestion");
    EXPECT_EQ(read.rows[2].label, "Master 1 Géographie; aménagement");
    EXPECT_EQ(read.rows[2].status, "R");
    EXPECT_EQ(read.rows[3].etape, "L3HIS");
    EXPECT_EQ(read.rows[3].label, "Licence 3 \"Histoire\" (parcours à distance)");
    EXPECT_EQ(read.rows[4].year, 2025);
}

TEST(ExportParser, ReadsTheWindows1252Sample) {
    ExportConfig config;
    config.encoding = Encoding::windows_1252;
    const auto read = parse_export(read_sample("inscriptions_cp1252.csv"), config, "cp1252.csv");
    EXPECT_TRUE(read.issues.empty());
    ASSERT_EQ(read.rows.size(), 3u);
    EXPECT_EQ(read.rows[0].label, "DU Cœur de métier");
    EXPECT_EQ(read.rows[1].label, "Master Droit de l’homme");
    EXPECT_EQ(read.rows[2].label, "Licence 1 – Droit");
}

TEST(ExportParser, ReadsTheUtf8BomCrlfSampleEvenWhenConfiguredLatin1) {
    for (const Encoding encoding : {Encoding::utf8, Encoding::iso_8859_1}) {
        ExportConfig config;
        config.encoding = encoding;
        const auto read = parse_export(read_sample("inscriptions_utf8_bom_crlf.csv"), config, "bom.csv");
        EXPECT_TRUE(read.issues.empty());
        ASSERT_EQ(read.rows.size(), 3u);
        EXPECT_EQ(read.rows[0].year, 2026) << "the BOM is not part of the first column name";
        EXPECT_EQ(read.rows[1].etape, "M2ÉCO");
        EXPECT_EQ(read.rows[1].label, "Master 2 Économétrie");
        EXPECT_EQ(read.rows[2].label, "Capacité en droit; 1re année");
    }
}

// ---- Size ----------------------------------------------------------------------------------

TEST(ExportParser, ParsesAQuarterMillionRows) {
    // A block of distinct rows repeated: building 250,000 rows one by one would cost more than
    // parsing them in a Debug build.
    constexpr int k_block = 500;
    constexpr int k_rows = 250'000;
    std::string block;
    for (int i = 0; i < k_block; ++i) {
        block += "2026;" + std::to_string(21000000 + i) + ";L" + std::to_string(i % 50) +
                 "INF ;101;E;\"Lic; \xe9t\"\r\n";
    }
    std::string text = "COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\r\n";
    text.reserve(text.size() + block.size() * (k_rows / k_block));
    for (int i = 0; i < k_rows / k_block; ++i) {
        text += block;
    }
    const auto read = parse_export(text, ExportConfig{}, "big.csv");
    EXPECT_EQ(read.data_lines, k_rows);
    ASSERT_EQ(read.rows.size(), static_cast<std::size_t>(k_rows));
    EXPECT_TRUE(read.issues.empty());
    EXPECT_EQ(read.rows.back().line, k_rows + 1);
    EXPECT_EQ(read.rows.back().student_number, "21000499");
    EXPECT_EQ(read.rows.back().etape, "L49INF");
    EXPECT_EQ(read.rows.back().label, "Lic; ét");
}

} // namespace
} // namespace cohort_sync
