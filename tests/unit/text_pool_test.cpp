// The pool of texts rows view: one copy per distinct text, whose view stays valid while the pool
// grows, whatever the text (empty, long, with NUL bytes, prefixes of each other).
#include "cohort_sync/text_pool.hpp"

#include <gtest/gtest.h>
#include <map>
#include <random>
#include <string>
#include <string_view>

namespace cohort_sync {
namespace {

TEST(TextPool, KeepsOneCopyOfEachTextThroughGrowth) {
    TextPool pool;
    std::map<std::string, std::string_view> first_seen;
    std::mt19937 random(20261205);
    for (int i = 0; i < 200'000; ++i) {
        // Student numbers and codes: many distinct values, most seen again later.
        const std::string text = std::to_string(20'000'000 + random() % 150'000);
        const std::string_view kept = pool.intern(text);
        ASSERT_EQ(kept, text);
        const auto [known, inserted] = first_seen.emplace(text, kept);
        if (!inserted) {
            ASSERT_EQ(kept.data(), known->second.data()) << "a second copy of " << text;
        }
    }
    EXPECT_EQ(pool.size(), first_seen.size());
    for (const auto& [text, kept] : first_seen) {
        ASSERT_EQ(kept, text) << "a view moved or changed while the pool grew";
    }
}

TEST(TextPool, KeepsAnyText) {
    TextPool pool;
    const std::string long_text(100'000, 'x');
    const std::string with_nul("A\0B", 3);
    const std::string_view empty = pool.intern("");
    const std::string_view a = pool.intern("A");
    const std::string_view a_nul = pool.intern(std::string_view("A\0", 2));
    const std::string_view ab = pool.intern("AB");
    const std::string_view nul = pool.intern(with_nul);
    const std::string_view long_kept = pool.intern(long_text);
    EXPECT_EQ(pool.size(), 6u);

    EXPECT_TRUE(empty.empty());
    EXPECT_NE(empty.data(), nullptr);
    EXPECT_EQ(a, "A");
    EXPECT_EQ(a_nul, std::string_view("A\0", 2));
    EXPECT_EQ(ab, "AB");
    EXPECT_EQ(nul, with_nul);
    EXPECT_EQ(long_kept, long_text);
    EXPECT_NE(long_kept.data(), long_text.data()) << "the pool keeps its own copy";

    EXPECT_EQ(pool.intern("").data(), empty.data());
    EXPECT_EQ(pool.intern(std::string(long_text)).data(), long_kept.data());
    EXPECT_EQ(pool.intern(std::string("A\0B", 3)).data(), nul.data());
    EXPECT_EQ(pool.size(), 6u);
}

} // namespace
} // namespace cohort_sync
