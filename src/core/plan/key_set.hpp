// A set of 64-bit keys for the merge's per-row checks (an inscription admitted, an element
// followed, a row already counted). Private to src/core/plan.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace cohort_sync::plan {

// Open addressing over the keys themselves in one array, linear probing. With element and group
// cohorts the merge asks about a million and a half keys several times each; a
// std::unordered_set allocated, and later freed, a node for every one of them.
class KeySet {
public:
    void reserve(std::size_t keys) {
        if (keys * 2 > m_slots.size()) {
            rehash(std::bit_ceil(keys * 2));
        }
    }

    // False when the key was there already.
    bool insert(std::uint64_t key) {
        if (key == k_empty) {
            return !std::exchange(m_has_empty_key, true);
        }
        if ((m_size + 1) * 2 > m_slots.size()) {
            rehash(std::max<std::size_t>(1024, m_slots.size() * 2));
        }
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
            if (m_slots[i] == key) {
                return false;
            }
            if (m_slots[i] == k_empty) {
                m_slots[i] = key;
                ++m_size;
                return true;
            }
        }
    }

    bool contains(std::uint64_t key) const {
        if (key == k_empty) {
            return m_has_empty_key;
        }
        if (m_slots.empty()) {
            return false;
        }
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = mix(key) & mask; m_slots[i] != k_empty; i = (i + 1) & mask) {
            if (m_slots[i] == key) {
                return true;
            }
        }
        return false;
    }

private:
    static constexpr std::uint64_t k_empty = ~std::uint64_t{0};

    // The keys are packed fields (student, element, year): their low bits alone would crowd a few
    // slots. SplitMix64's finaliser spreads every bit over the whole word.
    static std::size_t mix(std::uint64_t key) {
        key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
        key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
        return static_cast<std::size_t>(key ^ (key >> 31));
    }

    void rehash(std::size_t size) {
        std::vector<std::uint64_t> old = std::exchange(m_slots, std::vector<std::uint64_t>(size, k_empty));
        const std::size_t mask = size - 1;
        for (const std::uint64_t key : old) {
            if (key != k_empty) {
                std::size_t i = mix(key) & mask;
                while (m_slots[i] != k_empty) {
                    i = (i + 1) & mask;
                }
                m_slots[i] = key;
            }
        }
    }

    std::vector<std::uint64_t> m_slots; // a power of two, at most half full
    std::size_t m_size = 0;
    bool m_has_empty_key = false;
};

} // namespace cohort_sync::plan
