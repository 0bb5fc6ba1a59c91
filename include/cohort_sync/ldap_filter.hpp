// Building LDAP search filters from values that come from outside (a login typed on the
// command line, a student number from the export): every such value goes through
// escape_filter_value() so that it can only ever be compared, never change the filter.
#pragma once

#include <string>
#include <string_view>

namespace cohort_sync {

// Escapes `value` for use as an assertion value in a filter string (RFC 4515 section 3):
// '*' '(' ')' '\' and NUL become \2a \28 \29 \5c \00. Other bytes, UTF-8 included, are kept.
std::string escape_filter_value(std::string_view value);

// "(attribute=escaped value)". Throws std::invalid_argument when `attribute` is not an
// attribute description (a name like "supannEtuId", optionally with ";options", or a numeric
// OID): the attribute cannot be escaped, so it is checked instead.
std::string equality_filter(std::string_view attribute, std::string_view value);

} // namespace cohort_sync
