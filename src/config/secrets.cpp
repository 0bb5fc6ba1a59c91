// Finding secrets where the configuration file must not hold them: secret-looking keys and
// passwords in moodle.conninfo.
#include "secrets.hpp"

#include "cohort_sync/text.hpp"

#include <cctype>
#include <fmt/format.h>

namespace cohort_sync::config_detail {
namespace {

constexpr std::string_view k_secret_hint =
    "HINT: give the LDAP bind password in a file named by ldap.password_file (readable by cohort-sync only) "
    "or "
    "as the systemd credential named by ldap.password_credential (LoadCredential=); PostgreSQL reads its "
    "password from ~/.pgpass, from the file named by PGPASSFILE or passfile=, or from a service file "
    "(moodle.conninfo \"service=NAME\")";

bool is_secret_conninfo_keyword(std::string_view keyword) {
    const std::string name = to_lower_ascii(keyword);
    return name == "password" || name == "sslpassword";
}

// True when a libpq connection string carries a password, in either of libpq's two forms.
// `malformed` is set when the keyword/value form cannot be read.
bool conninfo_has_password(std::string_view conninfo, bool& malformed) {
    malformed = false;
    if (conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://")) {
        const auto authority_begin = conninfo.find("://") + 3;
        const auto authority_end = conninfo.find_first_of("/?#", authority_begin);
        const auto authority = conninfo.substr(authority_begin, authority_end == std::string_view::npos
                                                                    ? std::string_view::npos
                                                                    : authority_end - authority_begin);
        const auto at = authority.rfind('@');
        if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
            return true;
        }
        const auto query = conninfo.find('?');
        if (query == std::string_view::npos) {
            return false;
        }
        std::string_view rest = conninfo.substr(query + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const auto param = rest.substr(0, amp);
            if (is_secret_conninfo_keyword(param.substr(0, param.find('=')))) {
                return true;
            }
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        }
        return false;
    }
    // keyword = value pairs; values may be single-quoted with backslash escapes (libpq's rules).
    const auto space = [&](std::size_t i) {
        return std::isspace(static_cast<unsigned char>(conninfo[i])) != 0;
    };
    std::size_t i = 0;
    const std::size_t n = conninfo.size();
    bool found = false;
    while (i < n) {
        while (i < n && space(i)) {
            ++i;
        }
        if (i == n) {
            break;
        }
        const std::size_t keyword_begin = i;
        while (i < n && conninfo[i] != '=' && !space(i)) {
            ++i;
        }
        const auto keyword = conninfo.substr(keyword_begin, i - keyword_begin);
        while (i < n && space(i)) {
            ++i;
        }
        if (i == n || conninfo[i] != '=') {
            malformed = true;
            return found;
        }
        ++i;
        while (i < n && space(i)) {
            ++i;
        }
        if (i < n && conninfo[i] == '\'') {
            ++i;
            while (i < n && conninfo[i] != '\'') {
                i += conninfo[i] == '\\' ? 2 : 1;
            }
            if (i >= n) {
                malformed = true;
                return found || is_secret_conninfo_keyword(keyword);
            }
            ++i;
        } else {
            while (i < n && !space(i)) {
                i += conninfo[i] == '\\' ? 2 : 1;
            }
        }
        found = found || is_secret_conninfo_keyword(keyword);
    }
    return found;
}

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
    bool malformed = false;
    if (conninfo_has_password(conninfo, malformed)) {
        problems.error(at,
                       fmt::format("conninfo holds a password, and secrets never live in the configuration "
                                   "file (the value is not shown); {}",
                                   k_secret_hint));
    } else if (malformed) {
        problems.error(
            at, "conninfo is not a libpq connection string (the value is not shown): expected "
                "keyword=value pairs like \"service=moodle\" or \"host=db dbname=moodle user=cohortsync\", "
                "or a postgresql:// URI");
    }
}

} // namespace cohort_sync::config_detail
