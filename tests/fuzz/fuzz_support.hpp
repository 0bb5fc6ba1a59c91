// Shared by the fuzz targets: the checks every target makes on what the core hands back.
// A failed check aborts, which libFuzzer reports as a crash and saves as a reproducer.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace cohort_sync::fuzz {

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
}

inline void check(bool condition, const char* what) {
    if (!condition) {
        fail(what);
    }
}

// Well-formed UTF-8 as PostgreSQL accepts it for text: no overlong forms, no surrogates, nothing
// past U+10FFFF. Every text the core derives from a source must pass, or Moodle's database would
// refuse the whole plan with SQLSTATE 22021.
inline bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t trailing = 0;
        unsigned low = 0x80;
        unsigned high = 0xBF;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if (lead >= 0xC2 && lead <= 0xDF) {
            trailing = 1;
        } else if (lead == 0xE0) {
            trailing = 2;
            low = 0xA0;
        } else if (lead >= 0xE1 && lead <= 0xEF) {
            trailing = 2;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead == 0xF0) {
            trailing = 3;
            low = 0x90;
        } else if (lead >= 0xF1 && lead <= 0xF3) {
            trailing = 3;
        } else if (lead == 0xF4) {
            trailing = 3;
            high = 0x8F;
        } else {
            return false;
        }
        for (std::size_t k = 1; k <= trailing; ++k) {
            if (i + k >= text.size()) {
                return false;
            }
            const auto byte = static_cast<unsigned char>(text[i + k]);
            if (byte < low || byte > high) {
                return false;
            }
            low = 0x80;
            high = 0xBF;
        }
        i += trailing + 1;
    }
    return true;
}

} // namespace cohort_sync::fuzz
