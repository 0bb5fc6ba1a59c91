// Small text helpers shared by the core and the adapters.
#pragma once

#include <string>
#include <string_view>

namespace cohort_sync {

// ASCII lower-casing, as Moodle stores usernames and LDAP compares case-insensitive names; bytes
// of UTF-8 sequences are left alone (std::tolower in the "C" locale touches only A-Z).
std::string to_lower_ascii(std::string_view text);

} // namespace cohort_sync
