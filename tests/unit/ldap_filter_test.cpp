#include "cohort_sync/ldap_filter.hpp"

#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

using namespace std::string_literals;

namespace cohort_sync {
namespace {

struct EscapeCase {
    std::string value;
    std::string escaped;
};

class EscapeFilterValue : public testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeFilterValue, EscapesTheFiveSpecialCharacters) {
    EXPECT_EQ(escape_filter_value(GetParam().value), GetParam().escaped);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4515, EscapeFilterValue,
    testing::Values(EscapeCase{"", ""}, EscapeCase{"jdupont", "jdupont"}, EscapeCase{"*", "\\2a"},
                    EscapeCase{"(", "\\28"}, EscapeCase{")", "\\29"}, EscapeCase{"\\", "\\5c"},
                    EscapeCase{"\0"s, "\\00"}, EscapeCase{"a\0b"s, "a\\00b"},
                    EscapeCase{"\\2a", "\\5c2a"},                     // an escape is escaped, not kept
                    EscapeCase{"o'brien-smith.2", "o'brien-smith.2"}, // other punctuation is literal
                    EscapeCase{"Zoé Ñúñez", "Zoé Ñúñez"},             // UTF-8 passes through
                    EscapeCase{"a=b&|!~<>", "a=b&|!~<>"}));

TEST(EscapeFilterValue, NeutralisesWildcardInjection) {
    EXPECT_EQ(escape_filter_value("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
}

TEST(EqualityFilter, BuildsOneEqualityAssertion) {
    EXPECT_EQ(equality_filter("uid", "jdupont"), "(uid=jdupont)");
    EXPECT_EQ(equality_filter("supannEtuId", "21901234"), "(supannEtuId=21901234)");
}

TEST(EqualityFilter, InjectionAttemptStaysOneAssertion) {
    EXPECT_EQ(equality_filter("uid", "*)(uid=*"), "(uid=\\2a\\29\\28uid=\\2a)");
    EXPECT_EQ(equality_filter("uid", "admin)(|(objectClass=*"), "(uid=admin\\29\\28|\\28objectClass=\\2a)");
    EXPECT_EQ(equality_filter("uid", "x)(&)"), "(uid=x\\29\\28&\\29)");
}

TEST(EqualityFilter, InjectedFilterHasBalancedParenthesesAndNoWildcard) {
    for (const std::string value : {"*)(uid=*", "admin)(|(objectClass=*", "*", "))((", "\\)"}) {
        const std::string filter = equality_filter("uid", value);
        int depth = 0;
        int opened = 0;
        for (char c : filter) {
            if (c == '(') {
                ++depth;
                ++opened;
            } else if (c == ')') {
                --depth;
            }
            EXPECT_GE(depth, 0) << filter;
        }
        EXPECT_EQ(depth, 0) << filter;
        EXPECT_EQ(opened, 1) << filter;
        EXPECT_EQ(filter.find('*'), std::string::npos) << filter;
    }
}

TEST(EqualityFilter, AcceptsOidsAndOptions) {
    EXPECT_EQ(equality_filter("1.3.6.1.4.1.7135.1.2.1.10", "1"), "(1.3.6.1.4.1.7135.1.2.1.10=1)");
    EXPECT_EQ(equality_filter("sn;lang-fr", "Dupont"), "(sn;lang-fr=Dupont)");
    EXPECT_EQ(equality_filter("eduPerson-Affiliation2", "x"), "(eduPerson-Affiliation2=x)");
}

TEST(EqualityFilter, RejectsAttributeThatIsNotAName) {
    for (const std::string attribute : {"", "uid=x)(cn", "(uid", "uid*", "2uid", "uid name", "uid;", "1.",
                                        "1..2", "01.2", "uid;lang fr", "é"}) {
        EXPECT_THROW(equality_filter(attribute, "x"), std::invalid_argument) << "'" << attribute << "'";
    }
}

} // namespace
} // namespace cohort_sync
