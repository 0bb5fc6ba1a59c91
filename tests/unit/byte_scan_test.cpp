// Counting bytes a word at a time: what a byte loop answers, at every length and alignment, and
// for bytes next to the searched one (a carry between bytes would miscount them).
#include "../../src/core/sources/byte_scan.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <string_view>

namespace {

namespace byte_scan = cohort_sync::byte_scan;

TEST(ByteScan, CountsAsAByteLoop) {
    std::mt19937 random(20261205);
    const std::string alphabet("\n\x0b\x09\x0a\x00\x01\xff\x8a\x80;a", 11);
    std::string text;
    for (int i = 0; i < 5'000; ++i) {
        text += alphabet[random() % alphabet.size()];
    }
    for (std::size_t begin = 0; begin < 9; ++begin) {
        for (std::size_t size = 0; begin + size <= text.size(); size += size < 600 ? 1 : 97) {
            const std::string_view part = std::string_view(text).substr(begin, size);
            for (const char byte : {'\n', '\0', '\xff', ';'}) {
                ASSERT_EQ(byte_scan::count(part, byte),
                          static_cast<std::size_t>(std::ranges::count(part, byte)))
                    << "from " << begin << ", " << size << " bytes, byte " << int(byte);
            }
        }
    }
}

TEST(ByteScan, CountsEveryByteOfALongRun) {
    // More than 255 in each column: the per-column counters must not overflow.
    const std::string run(10'000, '\n');
    EXPECT_EQ(byte_scan::count(run, '\n'), run.size());
    EXPECT_EQ(byte_scan::count(run, '\r'), 0u);
}

} // namespace
