// The one UTF-8 toolkit (cohort_sync/utf8.hpp) behind the export's conversion, the JSON writer
// and the plan's varchar(n) checks: Unicode table 3-7 at each of its boundaries, the maximal
// subparts a converter replaces by one U+FFFD, and counting and cutting at character boundaries.
#include "cohort_sync/utf8.hpp"

#include <gtest/gtest.h>
#include <string>
#include <string_view>

namespace cohort_sync {
namespace {

struct SequenceCase {
    const char* name;
    std::string_view bytes;
    std::size_t length;
    std::size_t ill_formed;
};

void expect_sequence(const SequenceCase& c) {
    const Utf8Sequence sequence = utf8_sequence_at(c.bytes, 0);
    EXPECT_EQ(sequence.length, c.length) << c.name;
    EXPECT_EQ(sequence.ill_formed, c.ill_formed) << c.name;
}

static_assert(utf8_sequence_at("\xC3\xA9", 0).length == 2, "usable in constant expressions");

TEST(Utf8, AcceptsEachRowOfTable37AtItsBoundaries) {
    const SequenceCase cases[] = {
        {"U+0000", std::string_view("\0", 1), 1, 0},
        {"U+007F", "\x7F", 1, 0},
        {"U+0080", "\xC2\x80", 2, 0},
        {"U+07FF", "\xDF\xBF", 2, 0},
        {"U+0800 (E0 A0..BF)", "\xE0\xA0\x80", 3, 0},
        {"U+0FFF", "\xE0\xBF\xBF", 3, 0},
        {"U+1000 (E1..EC)", "\xE1\x80\x80", 3, 0},
        {"U+CFFF", "\xEC\xBF\xBF", 3, 0},
        {"U+D000 (ED 80..9F)", "\xED\x80\x80", 3, 0},
        {"U+D7FF, the last before the surrogates", "\xED\x9F\xBF", 3, 0},
        {"U+E000, the first after the surrogates (EE..EF)", "\xEE\x80\x80", 3, 0},
        {"U+FFFD", "\xEF\xBF\xBD", 3, 0},
        {"U+FFFF", "\xEF\xBF\xBF", 3, 0},
        {"U+10000 (F0 90..BF)", "\xF0\x90\x80\x80", 4, 0},
        {"U+3FFFF", "\xF0\xBF\xBF\xBF", 4, 0},
        {"U+40000 (F1..F3)", "\xF1\x80\x80\x80", 4, 0},
        {"U+FFFFF", "\xF3\xBF\xBF\xBF", 4, 0},
        {"U+100000 (F4 80..8F)", "\xF4\x80\x80\x80", 4, 0},
        {"U+10FFFF, the last code point", "\xF4\x8F\xBF\xBF", 4, 0},
    };
    for (const auto& c : cases) {
        expect_sequence(c);
    }
}

TEST(Utf8, RejectsOverlongsSurrogatesAndCodePointsPast10FFFF) {
    const SequenceCase cases[] = {
        {"C0 is only ever overlong", "\xC0\xAF", 0, 1},
        {"C1 is only ever overlong", "\xC1\xBF", 0, 1},
        {"overlong U+07FF (E0 9F)", "\xE0\x9F\xBF", 0, 1},
        {"overlong U+0000 (E0 80)", "\xE0\x80\x80", 0, 1},
        {"overlong U+FFFF (F0 8F)", "\xF0\x8F\xBF\xBF", 0, 1},
        {"U+D800, the first surrogate", "\xED\xA0\x80", 0, 1},
        {"U+DFFF, the last surrogate", "\xED\xBF\xBF", 0, 1},
        {"U+110000 (F4 90)", "\xF4\x90\x80\x80", 0, 1},
        {"F5 would start past U+13FFFF", "\xF5\x80\x80\x80", 0, 1},
        {"F8 (the old 5-byte form)", "\xF8\x88\x80\x80\x80", 0, 1},
        {"FF", "\xFF", 0, 1},
        {"lone continuation 80", "\x80", 0, 1},
        {"lone continuation BF", "\xBF", 0, 1},
        {"Latin-1 é before ASCII", "\xE9t", 0, 1},
        {"2-byte lead then ASCII", "\xC3(", 0, 1},
        {"3-byte lead, bad third byte", "\xE2\x82(", 0, 2},
        {"4-byte lead, bad fourth byte", "\xF0\x9F\x8E\xC3", 0, 3},
        {"4-byte lead, a lead where the second byte should be", "\xF0\xF0\x9F\x8E\x93", 0, 1},
    };
    for (const auto& c : cases) {
        expect_sequence(c);
    }
}

// A sequence cut short by the end of the text is ill-formed, and its bytes make one subpart: a
// file truncated in the middle of "é" ends in one U+FFFD, not two.
TEST(Utf8, RejectsSequencesCutByTheEndOfTheText) {
    const SequenceCase cases[] = {
        {"half of é", "\xC3", 0, 1},
        {"two thirds of €", "\xE2\x82", 0, 2},
        {"a third of €", "\xE2", 0, 1},
        {"three quarters of 🎓", "\xF0\x9F\x8E", 0, 3},
        {"half of 🎓", "\xF0\x9F", 0, 2},
        {"truncated surrogate: ill-formed at its second byte", "\xED\xA0", 0, 1},
    };
    for (const auto& c : cases) {
        expect_sequence(c);
    }
}

TEST(Utf8, LooksAtTheByteAtTheOffsetGiven) {
    constexpr std::string_view text = "a\xC3\xA9\xE2\x82";
    EXPECT_EQ(utf8_sequence_at(text, 0).length, 1u);
    EXPECT_EQ(utf8_sequence_at(text, 1).length, 2u);
    EXPECT_EQ(utf8_sequence_at(text, 2).length, 0u) << "a continuation byte does not start a sequence";
    EXPECT_EQ(utf8_sequence_at(text, 3).ill_formed, 2u) << "cut by the end of the text, not of a buffer";
}

TEST(Utf8, AppendsEachCodePointInItsShortestForm) {
    const struct {
        char32_t code_point;
        std::string_view bytes;
    } cases[] = {
        {0x00, std::string_view("\0", 1)},
        {0x7F, "\x7F"},
        {0x80, "\xC2\x80"},
        {0xE9, "\xC3\xA9"},
        {0x7FF, "\xDF\xBF"},
        {0x800, "\xE0\xA0\x80"},
        {0x20AC, "\xE2\x82\xAC"},
        {0xD7FF, "\xED\x9F\xBF"},
        {0xE000, "\xEE\x80\x80"},
        {0xFFFF, "\xEF\xBF\xBF"},
        {0x10000, "\xF0\x90\x80\x80"},
        {0x1F393, "\xF0\x9F\x8E\x93"},
        {0x10FFFF, "\xF4\x8F\xBF\xBF"},
    };
    for (const auto& c : cases) {
        std::string out = "x";
        append_utf8(out, c.code_point);
        EXPECT_EQ(out, "x" + std::string(c.bytes)) << std::hex << static_cast<unsigned long>(c.code_point);
    }
    std::string replacement;
    append_utf8(replacement, k_replacement_character);
    EXPECT_EQ(replacement, k_replacement_character_utf8);
}

// Every scalar value, written by append_utf8, reads back as one well-formed sequence of its
// whole length: the writer and the validator agree on all of Unicode, not only the boundaries.
TEST(Utf8, ValidatorAcceptsEveryScalarValueTheWriterWrites) {
    std::string out;
    std::size_t failures = 0;
    for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            continue;
        }
        out.clear();
        append_utf8(out, cp);
        if (utf8_sequence_at(out, 0).length != out.size() || utf8_character_count(out) != 1) {
            ADD_FAILURE() << "U+" << std::hex << static_cast<unsigned long>(cp);
            if (++failures == 10) {
                return;
            }
        }
    }
}

TEST(Utf8, TellsContinuationBytes) {
    EXPECT_FALSE(is_utf8_continuation('a'));
    EXPECT_FALSE(is_utf8_continuation('\x7F'));
    EXPECT_TRUE(is_utf8_continuation('\x80'));
    EXPECT_TRUE(is_utf8_continuation('\xBF'));
    EXPECT_FALSE(is_utf8_continuation('\xC0'));
    EXPECT_FALSE(is_utf8_continuation('\xFF'));
}

// PostgreSQL's varchar(n) counts characters: "é" is one, though it takes two bytes.
TEST(Utf8, CountsCharactersNotBytes) {
    EXPECT_EQ(utf8_character_count(""), 0u);
    EXPECT_EQ(utf8_character_count("L3 Droit"), 8u);
    EXPECT_EQ(utf8_character_count("éééééé"), 6u);
    EXPECT_EQ(utf8_character_count("Étape é"), 7u);
    EXPECT_EQ(utf8_character_count("\xF0\x9F\x8E\x93 \xE2\x82\xAC"), 3u);
    EXPECT_EQ(utf8_character_count(std::string(250, 'n') + "éééééé"), 256u);
}

TEST(Utf8, TruncatesToCharactersWithoutCuttingOneInTwo) {
    const std::string text = "éééééé"; // 6 characters, 12 bytes
    EXPECT_EQ(truncate_utf8(text, 0), "");
    EXPECT_EQ(truncate_utf8(text, 1), "é");
    EXPECT_EQ(truncate_utf8(text, 4), "éééé");
    EXPECT_EQ(truncate_utf8(text, 6), text);
    EXPECT_EQ(truncate_utf8(text, 7), text);
    EXPECT_EQ(truncate_utf8(std::string(250, 'n') + "éééééé", 254), std::string(250, 'n') + "éééé");
    EXPECT_EQ(truncate_utf8("a\xF0\x9F\x8E\x93"
                            "b",
                            2),
              "a\xF0\x9F\x8E\x93");
    EXPECT_EQ(truncate_utf8("", 3), "");
    const std::string_view cut = truncate_utf8(text, 2);
    EXPECT_EQ(cut.data(), text.data()) << "a view into the text, not a copy";
}

TEST(Utf8, TruncatesToBytesAtACharacterBoundary) {
    const std::string text = "ééé"; // 6 bytes
    EXPECT_EQ(truncate_utf8_bytes(text, 6), text);
    EXPECT_EQ(truncate_utf8_bytes(text, 100), text);
    EXPECT_EQ(truncate_utf8_bytes(text, 5), "éé") << "not the first byte of the third é";
    EXPECT_EQ(truncate_utf8_bytes(text, 4), "éé");
    EXPECT_EQ(truncate_utf8_bytes(text, 3), "é");
    EXPECT_EQ(truncate_utf8_bytes(text, 1), "");
    EXPECT_EQ(truncate_utf8_bytes(text, 0), "");
    EXPECT_EQ(truncate_utf8_bytes("ab\xF0\x9F\x8E\x93", 5), "ab");
    EXPECT_EQ(truncate_utf8_bytes("abcdef", 3), "abc");
}

} // namespace
} // namespace cohort_sync
