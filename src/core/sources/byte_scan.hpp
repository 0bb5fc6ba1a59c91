// Searching and counting bytes of a whole extract eight at a time, in a 64-bit word: a byte loop
// costs three to ten instructions per byte, and an extract has a hundred million of them. Private
// to src/core/sources.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cohort_sync::byte_scan {

inline constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;
inline constexpr std::uint64_t k_low_bits = 0x7F7F7F7F7F7F7F7FULL;

inline std::uint64_t load(const char* data) {
    std::uint64_t word = 0;
    std::memcpy(&word, data, sizeof word);
    return word;
}

inline std::uint64_t repeated(char byte) {
    return k_ones * static_cast<unsigned char>(byte);
}

// The high bit of each zero byte of `word` set, and of no other: no carry crosses bytes.
inline std::uint64_t zero_bytes(std::uint64_t word) {
    return ~(((word & k_low_bits) + k_low_bits) | word) & k_high_bits;
}

// The index in its word of the first byte flagged in `flags` (not 0), in memory order.
inline std::size_t first_flagged(std::uint64_t flags) {
    if constexpr (std::endian::native == std::endian::little) {
        return static_cast<std::size_t>(std::countr_zero(flags)) / 8;
    } else {
        return static_cast<std::size_t>(std::countl_zero(flags)) / 8;
    }
}

// How many times `byte` occurs in `text`.
inline std::size_t count(std::string_view text, char byte) {
    const std::uint64_t pattern = repeated(byte);
    const char* data = text.data();
    const std::size_t size = text.size();
    std::size_t total = 0;
    std::size_t i = 0;
    while (i + 8 <= size) {
        // Each byte of `lanes` counts its column, up to 31 words: the eight columns' sum stays
        // below 256, which one multiplication then adds up into the top byte.
        std::uint64_t lanes = 0;
        for (int words = 0; words < 31 && i + 8 <= size; ++words, i += 8) {
            lanes += zero_bytes(load(data + i) ^ pattern) >> 7;
        }
        total += static_cast<std::size_t>((lanes * k_ones) >> 56);
    }
    for (; i < size; ++i) {
        total += data[i] == byte ? 1 : 0;
    }
    return total;
}

} // namespace cohort_sync::byte_scan
