// The LDAP bind password, read from a file or a systemd credential. It never comes from the
// JSON configuration or argv, and it never appears in a message: errors name the file and the
// cause, never the contents.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/issue.hpp"

#include <string>

namespace cohort_sync {

struct Secret {
    std::string value; // empty: anonymous bind
    Issues warnings;   // e.g. a password file readable by others
};

// The password for `config.bind_dn`: empty when bind_dn is empty (anonymous bind); else the
// systemd credential `password_credential` under `credentials_directory` (pass
// getenv("CREDENTIALS_DIRECTORY"), may be null), else `password_file`. A single trailing
// "\n" or "\r\n" is removed. Throws ConfigError when the file cannot be read or is empty.
Secret read_ldap_password(const LdapConfig& config, const char* credentials_directory);

} // namespace cohort_sync
