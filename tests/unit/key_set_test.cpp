// The merge's open-addressing key set: what std::unordered_set<std::uint64_t> answered, through
// growth and for the key its empty slots are marked with.
#include "../../src/core/plan/key_set.hpp"

#include <cstdint>
#include <gtest/gtest.h>
#include <random>
#include <unordered_set>

namespace {

using cohort_sync::plan::KeyMap;
using cohort_sync::plan::KeySet;

TEST(KeySet, AnswersAsAStandardSetThroughGrowth) {
    KeySet keys;
    std::unordered_set<std::uint64_t> expected;
    std::mt19937_64 random(20261205);
    for (int i = 0; i < 50'000; ++i) {
        // Few distinct values in the low bits, as the merge's packed keys have, and repeats.
        const std::uint64_t key = (random() % 4'000) << 32 | (random() % 8);
        EXPECT_EQ(keys.insert(key), expected.insert(key).second) << key;
    }
    for (std::uint64_t key = 0; key < 4'000; ++key) {
        EXPECT_EQ(keys.contains(key << 32 | 3), expected.contains(key << 32 | 3)) << key;
    }
}

TEST(KeySet, TheKeyThatMarksEmptySlotsIsAKeyLikeAnyOther) {
    KeySet keys;
    const std::uint64_t all_ones = ~std::uint64_t{0};
    EXPECT_FALSE(keys.contains(all_ones));
    EXPECT_TRUE(keys.insert(all_ones));
    EXPECT_FALSE(keys.insert(all_ones));
    EXPECT_TRUE(keys.contains(all_ones));
    EXPECT_FALSE(keys.contains(0));
}

TEST(KeySet, AReservedSetHoldsWhatWasReservedAndMore) {
    KeySet keys;
    keys.reserve(10);
    for (std::uint64_t key = 0; key < 5'000; ++key) {
        EXPECT_TRUE(keys.insert(key * 0x10000));
    }
    for (std::uint64_t key = 0; key < 5'000; ++key) {
        EXPECT_TRUE(keys.contains(key * 0x10000));
        EXPECT_FALSE(keys.contains(key * 0x10000 + 1));
    }
}

// A map keeps the value a key was first added with, through growth, the empty slots' key too.
TEST(KeyMap, KeepsTheFirstValueOfEachKey) {
    KeyMap ids;
    for (std::uint64_t key = 0; key < 5'000; ++key) {
        const auto [value, added] = ids.try_emplace(key << 32, static_cast<int>(key));
        EXPECT_TRUE(added);
        EXPECT_EQ(*value, static_cast<int>(key));
    }
    const auto [again, added] = ids.try_emplace(7ULL << 32, -1);
    EXPECT_FALSE(added);
    EXPECT_EQ(*again, 7);
    *again = 70;
    ASSERT_NE(ids.find(7ULL << 32), nullptr);
    EXPECT_EQ(*ids.find(7ULL << 32), 70);
    EXPECT_EQ(ids.find(7), nullptr);
    EXPECT_EQ(ids.find(~std::uint64_t{0}), nullptr);
    EXPECT_TRUE(ids.try_emplace(~std::uint64_t{0}, 9).second);
    EXPECT_EQ(*ids.find(~std::uint64_t{0}), 9);
}

} // namespace
