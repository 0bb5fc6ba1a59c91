#include "cohort_sync/utf8.hpp"

#include <algorithm>

namespace cohort_sync {

std::size_t utf8_character_count(std::string_view text) noexcept {
    return static_cast<std::size_t>(
        std::ranges::count_if(text, [](char c) { return !is_utf8_continuation(c); }));
}

std::string_view truncate_utf8(std::string_view text, std::size_t characters) noexcept {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_utf8_continuation(text[i]) && seen++ == characters) {
            return text.substr(0, i);
        }
    }
    return text;
}

std::string_view truncate_utf8_bytes(std::string_view text, std::size_t max_bytes) noexcept {
    if (text.size() <= max_bytes) {
        return text;
    }
    std::size_t cut = max_bytes;
    while (cut > 0 && is_utf8_continuation(text[cut])) {
        --cut;
    }
    return text.substr(0, cut);
}

} // namespace cohort_sync
