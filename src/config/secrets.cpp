// Finding secrets where the configuration file must not hold them: secret-looking keys and
// passwords in moodle.conninfo.
#include "secrets.hpp"

#include "cohort_sync/redact.hpp"
#include "cohort_sync/text.hpp"

#include <fmt/format.h>

namespace cohort_sync::config_detail {
namespace {

constexpr std::string_view k_secret_hint =
    "HINT: give the LDAP bind password in a file named by ldap.password_file (readable by cohort-sync only) "
    "or "
    "as the systemd credential named by ldap.password_credential (LoadCredential=); PostgreSQL reads its "
    "password from ~/.pgpass, from the file named by PGPASSFILE or passfile=, or from a service file "
    "(moodle.conninfo \"service=NAME\")";

} // namespace

bool looks_secret(std::string_view key) {
    const std::string folded = fold_key(key);
    // "password_file" misplaced names a file, not a secret: it gets the "did you mean" instead.
    if (folded.ends_with("file") || folded.ends_with("credential")) {
        return false;
    }
    for (std::string_view word : {"password", "passwd", "passphrase", "secret", "pwd"}) {
        if (folded.find(word) != std::string::npos) {
            return true;
        }
    }
    return folded == "pass" || folded.ends_with("pw");
}

void secret_key(Problems& problems, const std::string& at, std::string_view key) {
    problems.error(at,
                   fmt::format("key '{}' would hold a secret, and secrets never live in the configuration "
                               "file (its value is not shown); {}",
                               key, k_secret_hint));
}

void scan_for_secrets(const Json& value, const std::string& at, Problems& problems) {
    if (value.is_object()) {
        for (const auto& [key, child] : value.items()) {
            const std::string child_at = child_path(at, key);
            if (looks_secret(key)) {
                secret_key(problems, child_at, key);
            } else {
                scan_for_secrets(child, child_at, problems);
            }
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            scan_for_secrets(value[i], fmt::format("{}/{}", at, i), problems);
        }
    }
}

void conninfo_without_password(const std::string& conninfo, const std::string& at, Problems& problems) {
    const auto scan = scan_conninfo(conninfo);
    if (scan.has_password) {
        problems.error(at,
                       fmt::format("conninfo holds a password, and secrets never live in the configuration "
                                   "file (the value is not shown); {}",
                                   k_secret_hint));
    } else if (scan.malformed) {
        problems.error(
            at, "conninfo is not a libpq connection string (the value is not shown): expected "
                "keyword=value pairs like \"service=moodle\" or \"host=db dbname=moodle user=cohortsync\", "
                "or a postgresql:// URI");
    }
}

} // namespace cohort_sync::config_detail
