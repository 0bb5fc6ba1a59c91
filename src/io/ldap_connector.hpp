// Connecting to the LDAP directory: the first of ldap.uris that answers, with the configured
// options and TLS, bound as ldap.bind_dn. Private to src/io.
#pragma once

#include "cohort_sync/config.hpp"
#include "ldap_handles.hpp"

#include <string>

namespace cohort_sync::ldapio {

struct Connection {
    LdapPtr ld;
    std::string uri; // as configured: not for messages, see redact_uri
};

// Tries config.uris in turn until one connects and binds. Throws SourceError (naming every server
// tried, with a hint), or ConfigError for a URI libldap cannot parse.
Connection connect(const LdapConfig& config, const std::string& password);

} // namespace cohort_sync::ldapio
