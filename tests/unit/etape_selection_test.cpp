// membership.etape_patterns with exclusions: "!pattern" leaves out what it matches, whatever the
// inclusions say; only exclusions manage every other étape.
#include "cohort_sync/etape_selection.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace cohort_sync {
namespace {

TEST(EtapeSelection, IncludesAndExcludesByPattern) {
    struct Case {
        std::vector<std::string> patterns;
        std::string code;
        bool selected;
    };
    const std::vector<Case> cases = {
        {{}, "L1INFO", true},
        {{"L*"}, "L1INFO", true},
        {{"L*"}, "M1GEO", false},
        {{"L*", "!LP*"}, "L1INFO", true},
        {{"L*", "!LP*"}, "LPRO2", false},
        {{"!LP*", "L*"}, "LPRO2", false}, // the order does not matter
        {{"!DU*"}, "DUCGE1", false},
        {{"!DU*"}, "M1GEO", true}, // only exclusions: every other étape
        {{"!DU*", "!LP*"}, "L1INFO", true},
        {{"L*", "M1*", "!L3*"}, "M1GEO", true},
        {{"L*", "M1*", "!L3*"}, "l3droit", false}, // compared as normalised codes, like inclusions
    };
    for (const auto& c : cases) {
        EXPECT_EQ(etape_selected(c.patterns, c.code), c.selected)
            << ::testing::PrintToString(c.patterns) << " " << c.code;
    }
}

} // namespace
} // namespace cohort_sync
