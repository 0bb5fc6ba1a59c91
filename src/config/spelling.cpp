// Spelling keys, paths and values in the configuration parser's messages; "did you mean".
#include "spelling.hpp"

#include "cohort_sync/utf8.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <limits>
#include <utility>

namespace cohort_sync::config_detail {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// Cuts a quoted value short at a UTF-8 character boundary, so messages stay one line.
std::string shorten(std::string text) {
    constexpr std::size_t k_max = 60;
    if (text.size() <= k_max) {
        return text;
    }
    return std::string(truncate_utf8_bytes(text, k_max)) + "...";
}

} // namespace

std::string fold_key(std::string_view key) {
    std::string out;
    for (const unsigned char c : key) {
        if (c != '_' && c != '-') {
            out += static_cast<char>(std::tolower(c));
        }
    }
    return out;
}

std::optional<std::string> nearest(std::string_view key, const std::vector<std::string>& candidates) {
    const std::string folded = fold_key(key);
    // A third of the key's length: "pag_size" finds "page_size", "foo" finds nothing.
    const std::size_t allowed = std::max<std::size_t>(1, (folded.size() + 1) / 3);
    std::optional<std::string> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : candidates) {
        const std::size_t distance = edit_distance(folded, fold_key(candidate));
        if (distance <= allowed && distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    if (best || folded.size() < 4) {
        return best;
    }
    // A key cut short: "timeout" finds "timeout_seconds".
    for (const auto& candidate : candidates) {
        const std::string folded_candidate = fold_key(candidate);
        if (folded_candidate.starts_with(folded) && (!best || candidate.size() < best->size())) {
            best = candidate;
        }
    }
    return best;
}

std::string child_path(const std::string& parent, std::string_view key) {
    return (Json::json_pointer(parent) / std::string(key)).to_string();
}

std::string_view last_token(std::string_view path) {
    return path.substr(path.rfind('/') + 1);
}

std::string_view parent_of(std::string_view path) {
    return path.substr(0, path.rfind('/'));
}

std::string json_text(const Json& value, int indent) {
    return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string in_quotes(std::string_view text) {
    return shorten(json_text(Json(std::string(text))));
}

std::string describe(const Json& value) {
    switch (value.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::string:
        return fmt::format("a string ({})", shorten(json_text(value)));
    case Json::value_t::boolean:
        return fmt::format("a boolean ({})", value.dump());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
        return fmt::format("a number ({})", value.dump());
    default:
        return value.type_name();
    }
}

} // namespace cohort_sync::config_detail
