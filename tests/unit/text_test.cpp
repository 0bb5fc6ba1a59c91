#include "cohort_sync/text.hpp"

#include <gtest/gtest.h>

namespace cohort_sync {
namespace {

TEST(Text, ChangesTheCaseOfAsciiLettersOnly) {
    EXPECT_EQ(to_lower_ascii("Camille.DURAND-2"), "camille.durand-2");
    EXPECT_EQ(to_upper_ascii("du_cge1-fOad"), "DU_CGE1-FOAD");
    // UTF-8 bytes are not letters here: "É" stays as it is, whatever the locale.
    EXPECT_EQ(to_lower_ascii("ÉTAPE"), "Étape");
    EXPECT_EQ(to_upper_ascii("étape"), "éTAPE");
}

TEST(Text, ComparesAsciiNamesWithoutCase) {
    EXPECT_TRUE(iequals_ascii("supannEtuEtape", "SUPANNETUETAPE"));
    EXPECT_TRUE(iequals_ascii("", ""));
    EXPECT_FALSE(iequals_ascii("uid", "uids"));
    EXPECT_FALSE(iequals_ascii("mail", "maim"));
    EXPECT_FALSE(iequals_ascii("é", "É")) << "only A-Z fold";
}

} // namespace
} // namespace cohort_sync
