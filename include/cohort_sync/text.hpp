// Small text helpers shared by the core and the adapters.
#pragma once

#include <string>
#include <string_view>

namespace cohort_sync {

// ASCII lower-casing, as Moodle stores usernames and LDAP compares case-insensitive names; bytes
// of UTF-8 sequences are left alone (std::tolower in the "C" locale touches only A-Z).
std::string to_lower_ascii(std::string_view text);

// APOGÉE codes and statuses are compared upper-cased; the same rule as to_lower_ascii.
std::string to_upper_ascii(std::string_view text);

inline char to_upper_ascii(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

// Case-insensitive equality for ASCII names (LDAP attributes, CSV headers, libpq keywords,
// "UAI"). Inline: the directory reader compares six attribute names per entry.
inline bool iequals_ascii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_upper_ascii(a[i]) != to_upper_ascii(b[i])) {
            return false;
        }
    }
    return true;
}

} // namespace cohort_sync
