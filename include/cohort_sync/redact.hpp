// Connection strings and URIs go to logs only through these functions (Kea's
// redactedAccessString, ccache's redacted URLs).
#pragma once

#include <string>
#include <string_view>

namespace cohort_sync {

// "host=db password=s3cret user=x" -> "host=db password=******** user=x", also for quoted
// values and for postgresql:// URIs ("postgresql://u:s3cret@h/db" -> "postgresql://u:********@h/db").
std::string redact_conninfo(std::string_view conninfo);

// What a libpq connection string holds, read once by libpq's rules (keyword = value pairs, values
// unquoted or single-quoted with backslash escapes; or a postgresql:// URI): for the configuration
// check, which refuses a password, and for messages, which show it masked.
struct ConninfoScan {
    std::string redacted;      // the text with every password value masked, as redact_conninfo
    bool has_password = false; // password= or sslpassword=, or a URI's user:password@
    bool malformed = false;    // a keyword without '=', or an unterminated quote
};
ConninfoScan scan_conninfo(std::string_view conninfo);

// "ldap://cn=admin:secret@host" -> "ldap://cn=admin:********@host"; URIs without userinfo
// come back unchanged.
std::string redact_uri(std::string_view uri);

} // namespace cohort_sync
