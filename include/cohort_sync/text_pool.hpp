// The distinct texts of a large source read, which its rows view instead of owning copies.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace cohort_sync {

// A pedagogical extract repeats a few thousand codes and labels, and a hundred thousand student
// numbers, over a million and a half rows: rows of std::string took 250 bytes each and a heap
// block per label; views into one pool take 100 and none. Texts are never removed, and their
// addresses never move (std::deque), so a view stays valid as long as the pool lives.
class TextPool {
public:
    TextPool() = default;
    TextPool(const TextPool&) = delete;
    TextPool& operator=(const TextPool&) = delete;

    // The pool's copy of `text`, made on first sight.
    std::string_view intern(std::string_view text);

    std::size_t size() const { return m_texts.size(); }

private:
    std::deque<std::string> m_texts;
    std::unordered_set<std::string_view> m_index;
};

} // namespace cohort_sync
