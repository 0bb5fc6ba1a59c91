// The text of libldap's errors, for the messages of SourceError: see ldap_handles.hpp.

#include "ldap_handles.hpp"

#include <fmt/format.h>

namespace cohort_sync::ldapio {

std::string diagnostic_message(LDAP* ld) {
    char* text = nullptr;
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text);
    return to_string(MemPtr(text));
}

std::string describe(int code, const std::string& diagnostic) {
    std::string text = ldap_err2string(code);
    if (code > 0) {
        text += fmt::format(" (LDAP result {})", code);
    }
    // libldap's TLS layer leaves this placeholder when it has nothing to say.
    if (!diagnostic.empty() && diagnostic != text && diagnostic != "(unknown error code)") {
        text += fmt::format(": {}", diagnostic);
    }
    return text;
}

} // namespace cohort_sync::ldapio
