// Text encodings the generated files need: LDIF values (RFC 2849), PostgreSQL COPY text
// format, CSV quoting, ISO-8859-1, JSON strings, and ASCII folding for logins.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cohort_sync::generator {

// RFC 4648 base64, with padding.
std::string base64(std::string_view bytes);

// True when RFC 2849 allows `value` as a plain SAFE-STRING. A value ending with a space is
// reported unsafe too: the RFC says such values SHOULD be base64-encoded, since many tools
// strip trailing blanks.
bool ldif_safe(std::string_view value);

// Appends "attribute: value\n", or "attribute:: <base64>\n" when the value is not safe.
void append_ldif_line(std::string& out, std::string_view attribute, std::string_view value);

// Appends `value` escaped for COPY ... FROM STDIN text format: backslash, tab, newline and
// carriage return become \\ \t \n \r (a bare value would end the field or the row).
void append_copy_field(std::string& out, std::string_view value);

// `value` as one CSV field: quoted, with inner quotes doubled, when it holds the delimiter, a
// quote or a line break; unchanged otherwise.
std::string csv_field(std::string_view value, char delimiter);

// UTF-8 to ISO-8859-1. Throws std::invalid_argument for a character outside Latin-1 (such as
// 'œ'): the catalogue's labels are ours, so that is a bug in the generator, not bad input.
std::string utf8_to_latin1(std::string_view utf8);

// Lower-case ASCII with the accents removed ("Lefèvre" -> "lefevre", "Lecœur" -> "lecoeur").
// Other non-ASCII characters are dropped; ASCII punctuation is kept.
std::string ascii_fold_lower(std::string_view utf8);

// Number of code points in valid UTF-8.
std::size_t utf8_length(std::string_view utf8);

// At most `max_chars` code points of `utf8`, cut on a character boundary, without trailing
// blanks or dashes.
std::string utf8_truncate(std::string_view utf8, std::size_t max_chars);

// A JSON string literal, quotes included.
std::string json_string(std::string_view value);

} // namespace cohort_sync::generator
