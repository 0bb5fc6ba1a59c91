// The distinct texts of a large source read, which its rows view instead of owning copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace cohort_sync {

// A pedagogical extract repeats a few thousand codes and labels, and a hundred thousand student
// numbers, over a million and a half rows: rows of std::string took 250 bytes each and a heap
// block per label; views into one pool take 100 and none. Texts are never removed, and their
// bytes never move (they are copied once into blocks that are never reallocated), so a view stays
// valid as long as the pool lives.
//
// Interning a text is most of a pedagogical parse's time: the index is open addressing over one
// array holding each text's hash (one probe, rarely two, and a comparison only on a hash match),
// where std::unordered_set took a division and a linked node per lookup, and std::deque<std::string>
// a heap block per label.
class TextPool {
public:
    TextPool() = default;
    TextPool(const TextPool&) = delete;
    TextPool& operator=(const TextPool&) = delete;

    // The pool's copy of `text`, made on first sight.
    std::string_view intern(std::string_view text);

    std::size_t size() const { return m_size; }

private:
    struct Slot {
        const char* data = nullptr; // null: the slot is free
        std::size_t size = 0;
        std::uint64_t hash = 0;
    };

    const char* copy(std::string_view text);
    void grow();

    std::vector<std::unique_ptr<char[]>> m_blocks;
    char* m_free = nullptr; // the unused end of the last block
    std::size_t m_free_bytes = 0;
    std::vector<Slot> m_slots; // a power of two of them, at most half used
    std::size_t m_size = 0;
};

} // namespace cohort_sync
