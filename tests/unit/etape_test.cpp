#include "cohort_sync/etape.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace cohort_sync {
namespace {

using ::testing::HasSubstr;

TEST(Etape, NormalisesCodes) {
    EXPECT_EQ(normalise_etape_code("  ducge1 \t"), "DUCGE1");
    EXPECT_EQ(normalise_etape_code("L1INF"), "L1INF");
    EXPECT_EQ(normalise_etape_code("   "), "");
    EXPECT_EQ(normalise_etape_code("m2éco"), "M2éCO") << "only ASCII is upper-cased";
}

TEST(Etape, NormalisesCodesWithoutACopyWhenAlreadyNormal) {
    std::string scratch;
    for (const std::string_view code :
         {"  ducge1 \t", "L1INF", "   ", "", "m2éco", "\vE002\f", "UE ", " O", "A b", "X\r", "\nY", "É1"}) {
        EXPECT_EQ(normalise_etape_code(code, scratch), normalise_etape_code(code)) << code;
    }
    const std::string_view normal = "L1INF";
    EXPECT_EQ(normalise_etape_code(normal, scratch).data(), normal.data());
}

struct AcceptedCase {
    std::string raw;
    std::string uai;
    std::string code;
    std::string version;
};

TEST(Etape, ParsesAcceptedValues) {
    const std::vector<AcceptedCase> cases = {
        {"{UAI:0141408E}DUCGE1", "0141408E", "DUCGE1", ""},
        {"{UAI:0141408e}DUCGE1", "0141408E", "DUCGE1", ""},
        {"{uai:0141408E}ducge1", "0141408e", "DUCGE1", ""},
        {"{UAI:0751234X}DUCGE1", "", "DUCGE1", ""},
        {"{UAI:0141408E}DUCGE1-101", "0141408E", "DUCGE1", "101"},
        {"  {UAI:0141408E} DUCGE1 ", "0141408E", "DUCGE1", ""},
        {"DUCGE1", "0141408E", "DUCGE1", ""},
        {" ducge1 ", "", "DUCGE1", ""},
        {"DUCGE1-101", "", "DUCGE1", "101"},
        {"DUCGE1-1", "", "DUCGE1", "1"},
        {"DUCGE1-12", "", "DUCGE1", "12"},
        {"DUCGE1-1010", "", "DUCGE1-1010", ""},
        {"DU-CGE", "", "DU-CGE", ""},
        {"DU-CGE-2", "", "DU-CGE", "2"},
        {"DUCGE1-", "", "DUCGE1-", ""},
        {"-101", "", "-101", ""},
        {"DUCGE1-1A", "", "DUCGE1-1A", ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.raw);
        const EtapeValue value = parse_etape_value(c.raw, c.uai);
        ASSERT_TRUE(value.etape.has_value()) << value.rejected_because;
        EXPECT_EQ(*value.etape, (EtapeRef{c.code, c.version}));
        EXPECT_TRUE(value.rejected_because.empty());
    }
}

struct RejectedCase {
    std::string raw;
    std::string uai;
    std::string reason;
};

TEST(Etape, RejectsValuesWithReason) {
    const std::vector<RejectedCase> cases = {
        {"", "", "empty value"},
        {"   ", "0141408E", "empty value"},
        {"{UAI:0751234X}DUCGE1", "0141408E", "institution 0751234X"},
        {"{SISCOL}DUCGE1", "", "unknown prefix '{SISCOL}'"},
        {"{XYZ:1}DUCGE1", "0141408E", "unknown prefix '{XYZ:1}'"},
        {"{UAI:0141408E", "0141408E", "no '}'"},
        {"{UAI:0141408E}", "0141408E", "no étape code"},
        {"{UAI:0141408E}   ", "", "no étape code"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.raw);
        const EtapeValue value = parse_etape_value(c.raw, c.uai);
        EXPECT_FALSE(value.etape.has_value());
        EXPECT_THAT(value.rejected_because, HasSubstr(c.reason));
    }
}

struct GlobCase {
    std::string pattern;
    std::string code;
    bool matches;
};

TEST(Etape, MatchesGlobPatterns) {
    const std::vector<GlobCase> cases = {
        {"DU*", "DUCGE1", true},
        {"DU*", "DU", true},
        {"DU*", "LDU", false},
        {"du*", " ducge1 ", true},
        {"L?INF", "L1INF", true},
        {"L?INF", "L12INF", false},
        {"L?INF", "LINF", false},
        {"*", "ANYTHING", true},
        {"*", "", true},
        {"", "", true},
        {"", "A", false},
        {"L1INF", "L1INF", true},
        {"L1INF", "L1INFO", false},
        {"*INF", "L1INF", true},
        {"*INF", "L1INFO", false},
        {"L*I*F", "L1INFINF", true},
        {"L*I*F", "L1INFO", false},
        {"*A*A*A*B", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
        {"M?*", "M", false},
        {"M?*", "M1", true},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(etape_matches(c.pattern, c.code), c.matches) << c.pattern << " vs " << c.code;
    }
}

} // namespace
} // namespace cohort_sync
