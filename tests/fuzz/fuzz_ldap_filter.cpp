// escape_filter_value() and equality_filter() on arbitrary values: a login typed at
// `cohort-sync explain` goes into an LDAP filter, and must only ever be compared, never change
// the filter (RFC 4515: '*', '(', ')', '\' and NUL escaped).
#include "cohort_sync/ldap_filter.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

using cohort_sync::fuzz::check;

namespace {

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

// RFC 4515's valueencoding read back: what the server compares.
std::string unescape(std::string_view escaped) {
    std::string out;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        const char c = escaped[i];
        check(c != '*' && c != '(' && c != ')' && c != '\0', "an unescaped metacharacter in a filter value");
        if (c == '\\') {
            check(i + 2 < escaped.size() && is_hex(escaped[i + 1]) && is_hex(escaped[i + 2]),
                  "a backslash not followed by two hex digits");
            out += static_cast<char>(hex_value(escaped[i + 1]) * 16 + hex_value(escaped[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string escaped = cohort_sync::escape_filter_value(input);
    check(unescape(escaped) == input, "escaping lost or changed bytes");

    // "attribute\nvalue": a bad attribute name is refused, a good one gives one simple item.
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos) {
        return 0;
    }
    const std::string_view attribute = input.substr(0, newline);
    const std::string_view value = input.substr(newline + 1);
    try {
        const std::string filter = cohort_sync::equality_filter(attribute, value);
        check(filter.size() >= attribute.size() + 3, "a filter shorter than its parts");
        check(filter.front() == '(' && filter.back() == ')', "a filter not in parentheses");
        const std::string_view inner = std::string_view(filter).substr(1, filter.size() - 2);
        check(inner.substr(0, attribute.size()) == attribute && inner[attribute.size()] == '=',
              "a filter that does not start with its attribute");
        check(attribute.find_first_of("()=*\\") == std::string_view::npos,
              "a bad attribute name was accepted");
        check(unescape(inner.substr(attribute.size() + 1)) == value, "the filter's value is not the value");
    } catch (const std::invalid_argument&) {
        // A refused attribute name: what explain reports as a configuration error.
    }
    return 0;
}
