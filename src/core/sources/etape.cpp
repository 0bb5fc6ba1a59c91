#include "cohort_sync/etape.hpp"

#include "cohort_sync/text.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

// Space, tab, line feed, vertical tab, form feed, carriage return; compared, not looked up in a
// string: codes are checked on every row of an extract.
bool is_blank(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_blank(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

bool all_digits(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

EtapeValue rejected(std::string reason) {
    return EtapeValue{std::nullopt, std::move(reason)};
}

// Iterative glob with one backtrack point: linear in practice, no recursion on hostile patterns.
// '?' matches one byte, which is one character since étape codes are ASCII.
bool glob_match(std::string_view pattern, std::string_view text) {
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t star_text = 0;
    while (t < text.size()) {
        // '*' first: a '*' in the text must not make the pattern's '*' match only itself.
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
        } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

} // namespace

std::string normalise_etape_code(std::string_view code) {
    return to_upper_ascii(trim(code));
}

std::string_view normalise_etape_code(std::string_view code, std::string& scratch) {
    const bool normalised =
        code.empty() || (!is_blank(code.front()) && !is_blank(code.back()) &&
                         std::ranges::none_of(code, [](char c) { return c >= 'a' && c <= 'z'; }));
    if (normalised) {
        return code;
    }
    scratch = normalise_etape_code(code);
    return scratch;
}

EtapeValue parse_etape_value(std::string_view raw, std::string_view institution_uai) {
    std::string_view rest = trim(raw);
    if (rest.empty()) {
        return rejected("empty value");
    }
    if (rest.front() == '{') {
        const auto close = rest.find('}');
        if (close == std::string_view::npos) {
            return rejected(fmt::format("'{}' has no '}}' closing its prefix", rest));
        }
        const std::string_view prefix = rest.substr(1, close - 1);
        constexpr std::string_view k_uai_label = "UAI:";
        if (prefix.size() < k_uai_label.size() ||
            !iequals_ascii(prefix.substr(0, k_uai_label.size()), k_uai_label)) {
            return rejected(fmt::format("unknown prefix '{{{}}}'", prefix));
        }
        const std::string_view uai = trim(prefix.substr(k_uai_label.size()));
        const std::string_view ours = trim(institution_uai);
        if (!ours.empty() && !iequals_ascii(uai, ours)) {
            return rejected(fmt::format("institution {} (ours is {})", uai, ours));
        }
        rest = trim(rest.substr(close + 1));
        if (rest.empty()) {
            return rejected(fmt::format("no étape code after '{{{}}}'", prefix));
        }
    }

    // "CODE-VRS" is how some directories (and esup-emargement) join COD_ETP and COD_VRS_VET.
    // COD_VRS_VET is at most 3 digits; any other '-' belongs to the code itself.
    EtapeRef ref;
    const auto dash = rest.rfind('-');
    if (dash != std::string_view::npos && dash > 0) {
        const std::string_view version = rest.substr(dash + 1);
        if (version.size() <= 3 && all_digits(version)) {
            ref.code = normalise_etape_code(rest.substr(0, dash));
            ref.version = std::string(version);
        }
    }
    if (ref.code.empty()) {
        ref.code = normalise_etape_code(rest);
        ref.version.clear();
    }
    return EtapeValue{std::move(ref), {}};
}

bool etape_matches(std::string_view pattern, std::string_view code) {
    return glob_match(normalise_etape_code(pattern), normalise_etape_code(code));
}

} // namespace cohort_sync
