// The index by which the directory's acceptance finds an earlier entry with the same login or student
// number among 100,000. Private to src/core/sources.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace cohort_sync::sources {

// The kept entries by one of their keys: open addressing over (hash, entry index) pairs in one
// array, so that a lookup reads one slot, and an entry only when the hashes match. A
// std::unordered_map of 100,000 strings took a quarter of the read's CPU time allocating,
// rehashing and freeing its nodes.
class KeyIndex {
public:
    void reserve(std::size_t keys) {
        if (keys * 2 > m_slots.size()) {
            rehash(std::bit_ceil(keys * 2));
        }
    }

    // The entry index stored with `hash` that `same` accepts, if any.
    template <typename Same> std::optional<std::size_t> find(std::size_t hash, const Same& same) const {
        if (m_slots.empty()) {
            return std::nullopt;
        }
        const auto tag = static_cast<std::uint32_t>(hash);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = tag & mask; m_slots[i].index != k_empty; i = (i + 1) & mask) {
            if (m_slots[i].tag == tag && same(m_slots[i].index)) {
                return m_slots[i].index;
            }
        }
        return std::nullopt;
    }

    void insert(std::size_t hash, std::size_t index) {
        if ((m_size + 1) * 2 > m_slots.size()) {
            rehash(std::max<std::size_t>(1024, m_slots.size() * 2));
        }
        place({static_cast<std::uint32_t>(hash), static_cast<std::uint32_t>(index)});
        ++m_size;
    }

private:
    static constexpr std::uint32_t k_empty = std::numeric_limits<std::uint32_t>::max();
    struct Slot {
        std::uint32_t tag = 0; // the hash's low bits: they also choose the first slot
        std::uint32_t index = k_empty;
    };

    void place(Slot slot) {
        const std::size_t mask = m_slots.size() - 1;
        std::size_t i = slot.tag & mask;
        while (m_slots[i].index != k_empty) {
            i = (i + 1) & mask;
        }
        m_slots[i] = slot;
    }

    void rehash(std::size_t size) {
        std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(size));
        for (const Slot& slot : old) {
            if (slot.index != k_empty) {
                place(slot);
            }
        }
    }

    std::vector<Slot> m_slots; // a power of two, at most half full
    std::size_t m_size = 0;
};

} // namespace cohort_sync::sources
