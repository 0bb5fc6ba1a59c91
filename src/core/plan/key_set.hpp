// Sets and maps of 64-bit keys for the merge's per-row checks (an inscription admitted, an
// element followed, a row already counted) and ids (a group by its element and code). Private
// to src/core/plan.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace cohort_sync::plan {

// Open addressing over the keys themselves in one array, linear probing. With element and group
// cohorts the merge asks about a million and a half keys several times each; a
// std::unordered_set or map allocated, and later freed, a node for every one of them, and each
// lookup followed a pointer to it.
template <class Mapped> class KeyTable {
public:
    void reserve(std::size_t keys) {
        if (keys * 2 > m_slots.size()) {
            rehash(std::bit_ceil(keys * 2));
        }
    }

    // The key's value, added as `mapped` when the key is absent; second: whether it was added.
    std::pair<Mapped*, bool> try_emplace(std::uint64_t key, Mapped mapped = {}) {
        if (key == k_empty) {
            const bool added = !m_empty_key;
            if (added) {
                m_empty_key = mapped;
            }
            return {&*m_empty_key, added};
        }
        if ((m_size + 1) * 2 > m_slots.size()) {
            rehash(std::max<std::size_t>(1024, m_slots.size() * 2));
        }
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
            auto& slot = m_slots[i];
            if (slot.key == key) {
                return {&slot.mapped, false};
            }
            if (slot.key == k_empty) {
                slot = {key, mapped};
                ++m_size;
                return {&slot.mapped, true};
            }
        }
    }

    // Where the key's lookup starts, for the caller to prefetch a few rows ahead. Not a prefetch
    // itself: g++ 12 takes a function whose only effect is __builtin_prefetch for one without
    // effect, and drops the call.
    const void* first_slot(std::uint64_t key) const {
        return m_slots.empty() ? nullptr : &m_slots[mix(key) & (m_slots.size() - 1)];
    }

    const Mapped* find(std::uint64_t key) const {
        if (key == k_empty) {
            return m_empty_key ? &*m_empty_key : nullptr;
        }
        if (m_slots.empty()) {
            return nullptr;
        }
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = mix(key) & mask; m_slots[i].key != k_empty; i = (i + 1) & mask) {
            if (m_slots[i].key == key) {
                return &m_slots[i].mapped;
            }
        }
        return nullptr;
    }

private:
    static constexpr std::uint64_t k_empty = ~std::uint64_t{0};

    struct Slot {
        std::uint64_t key = k_empty;
        [[no_unique_address]] Mapped mapped{};
    };

    // The keys are packed fields (student, element, year): their low bits alone would crowd a few
    // slots. SplitMix64's finaliser spreads every bit over the whole word.
    static std::size_t mix(std::uint64_t key) {
        key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
        key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
        return static_cast<std::size_t>(key ^ (key >> 31));
    }

    void rehash(std::size_t size) {
        std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(size));
        const std::size_t mask = size - 1;
        for (const auto& slot : old) {
            if (slot.key != k_empty) {
                std::size_t i = mix(slot.key) & mask;
                while (m_slots[i].key != k_empty) {
                    i = (i + 1) & mask;
                }
                m_slots[i] = slot;
            }
        }
    }

    std::vector<Slot> m_slots; // a power of two, at most half full
    std::size_t m_size = 0;
    std::optional<Mapped> m_empty_key; // the one key no slot can hold
};

struct NoValue {};

class KeySet {
public:
    void reserve(std::size_t keys) { m_table.reserve(keys); }
    // False when the key was there already.
    bool insert(std::uint64_t key) { return m_table.try_emplace(key).second; }
    bool contains(std::uint64_t key) const { return m_table.find(key) != nullptr; }
    const void* first_slot(std::uint64_t key) const { return m_table.first_slot(key); }

private:
    KeyTable<NoValue> m_table;
};

using KeyMap = KeyTable<int>;

} // namespace cohort_sync::plan
