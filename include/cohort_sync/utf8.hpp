// UTF-8, one implementation for the whole project: the export's conversion, the JSON writer and
// the plan's varchar(n) checks must agree on what a well-formed sequence and a character are.
// (tests/fuzz keeps a validator of its own on purpose: an oracle independent of this one.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cohort_sync {

inline constexpr char32_t k_replacement_character = 0xFFFD;
inline constexpr std::string_view k_replacement_character_utf8 = "\xEF\xBF\xBD";

// What starts at one byte of a text.
struct Utf8Sequence {
    // Bytes of the well-formed sequence there (1 for ASCII), or 0 when it is ill-formed.
    std::size_t length = 0;
    // When ill-formed: the bytes of its maximal subpart (Unicode 15 §3.9), which a converter
    // replaces by one U+FFFD, as WHATWG's decoder does. It never takes in an ASCII byte, so line
    // breaks and delimiters survive bad input.
    std::size_t ill_formed = 0;
};

constexpr bool is_utf8_continuation(char byte) noexcept {
    return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

// The sequence at text[at], at < text.size(), per Unicode table 3-7: overlong forms, surrogates
// (ED A0..BF) and code points past U+10FFFF (F4 90.., F5..FF) are ill-formed, as is a sequence
// cut short by the end of `text`. Inline: the JSON writer and the export's conversion call it
// for every non-ASCII byte of large texts.
constexpr Utf8Sequence utf8_sequence_at(std::string_view text, std::size_t at) noexcept {
    const auto byte = [&](std::size_t k) -> unsigned { return static_cast<unsigned char>(text[at + k]); };
    const unsigned lead = byte(0);
    if (lead < 0x80) {
        return {1, 0};
    }
    std::size_t trailing = 0;
    unsigned second_min = 0x80;
    unsigned second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        trailing = 1;
    } else if (lead == 0xE0) {
        trailing = 2;
        second_min = 0xA0;
    } else if (lead >= 0xE1 && lead <= 0xEF) {
        trailing = 2;
        if (lead == 0xED) {
            second_max = 0x9F;
        }
    } else if (lead == 0xF0) {
        trailing = 3;
        second_min = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
        trailing = 3;
    } else if (lead == 0xF4) {
        trailing = 3;
        second_max = 0x8F;
    } else {
        return {0, 1};
    }
    // Table 3-7 narrows only the second byte's range. A sequence cut short by the end of `text`
    // is ill-formed: its subpart is the bytes there, as far as they fit.
    const std::size_t available = text.size() - at;
    const std::size_t end = available < trailing + 1 ? available : trailing + 1;
    if (end > 1 && (byte(1) < second_min || byte(1) > second_max)) {
        return {0, 1};
    }
    for (std::size_t k = 2; k < end; ++k) {
        if (!is_utf8_continuation(text[at + k])) {
            return {0, k};
        }
    }
    return end == trailing + 1 ? Utf8Sequence{end, 0} : Utf8Sequence{0, end};
}

// Appends the UTF-8 form of `code_point`, which must be a Unicode scalar value (not a surrogate,
// at most U+10FFFF). Inline, and one append rather than one per byte: a Latin-1 export calls it
// for every accented letter.
inline void append_utf8(std::string& out, char32_t code_point) {
    const auto byte = [](char32_t bits) { return static_cast<char>(bits); };
    if (code_point < 0x80) {
        out += byte(code_point);
    } else if (code_point < 0x800) {
        const char bytes[] = {byte(0xC0 | (code_point >> 6)), byte(0x80 | (code_point & 0x3F))};
        out.append(bytes, sizeof bytes);
    } else if (code_point < 0x10000) {
        const char bytes[] = {byte(0xE0 | (code_point >> 12)), byte(0x80 | ((code_point >> 6) & 0x3F)),
                              byte(0x80 | (code_point & 0x3F))};
        out.append(bytes, sizeof bytes);
    } else {
        const char bytes[] = {byte(0xF0 | (code_point >> 18)), byte(0x80 | ((code_point >> 12) & 0x3F)),
                              byte(0x80 | ((code_point >> 6) & 0x3F)), byte(0x80 | (code_point & 0x3F))};
        out.append(bytes, sizeof bytes);
    }
}

// Characters as PostgreSQL's varchar(n) counts them: the bytes that are not continuation bytes.
// Exact for well-formed text (the only kind the database accepts); no validation.
std::size_t utf8_character_count(std::string_view text) noexcept;

// The first `characters` characters of `text` (all of it when it has fewer), counted as
// utf8_character_count() does: never cuts a character in two.
std::string_view truncate_utf8(std::string_view text, std::size_t characters) noexcept;

// The longest start of `text` of at most `max_bytes` bytes that does not cut a character in
// two: for shortening a quoted value in a message.
std::string_view truncate_utf8_bytes(std::string_view text, std::size_t max_bytes) noexcept;

} // namespace cohort_sync
