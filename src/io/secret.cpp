#include "cohort_sync/io/secret.hpp"

#include "cohort_sync/error.hpp"
#include "file_descriptor.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohort_sync {
namespace {

// A bind password is short; anything bigger is the wrong file (a certificate, a log...).
constexpr std::size_t k_max_password_file_size = 4096;

std::string errno_hint(int error, const std::string& what) {
    switch (error) {
    case ENOENT:
        return fmt::format("create it (owned by the user cohort-sync runs as, chmod 600) or correct {}",
                           what);
    case EACCES:
        return "the file must be readable by the user cohort-sync runs as (and by nobody else: chmod 600)";
    default:
        return {};
    }
}

std::string permissions_problem(mode_t mode) {
    const char* who = (mode & 007) != 0 ? "others" : "its group";
    const bool readable = (mode & 044) != 0;
    return fmt::format("{} by {}", readable ? "readable" : "writable", who);
}

// `what` names the setting the path came from, for hints ("ldap.password_file").
Secret read_password_file(const std::string& path, const std::string& what, bool check_mode) {
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        const int error = errno;
        throw ConfigError(
            fmt::format("unable to open LDAP password file '{}': {}", path, std::strerror(error)),
            errno_hint(error, what));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        const int error = errno;
        throw ConfigError(
            fmt::format("unable to stat LDAP password file '{}': {}", path, std::strerror(error)));
    }
    if (!S_ISREG(st.st_mode)) {
        throw ConfigError(fmt::format("LDAP password file '{}' is not a regular file", path),
                          fmt::format("{} must name a file holding only the bind password", what));
    }
    if (static_cast<std::size_t>(st.st_size) > k_max_password_file_size) {
        throw ConfigError(
            fmt::format(
                "LDAP password file '{}' is {} bytes long, more than a password can be ({} bytes at most)",
                path, st.st_size, k_max_password_file_size),
            fmt::format("check that {} names the right file", what));
    }

    Secret secret;
    char buffer[512];
    while (true) {
        const auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int error = errno;
            throw ConfigError(
                fmt::format("unable to read LDAP password file '{}': {}", path, std::strerror(error)));
        }
        if (n == 0) {
            break;
        }
        secret.value.append(buffer, static_cast<std::size_t>(n));
        if (secret.value.size() > k_max_password_file_size) {
            throw ConfigError(fmt::format("LDAP password file '{}' is longer than {} bytes", path,
                                          k_max_password_file_size),
                              fmt::format("check that {} names the right file", what));
        }
    }
    ::explicit_bzero(buffer, sizeof buffer);

    // Editors and `echo` add a final newline; the password itself cannot end with one.
    if (secret.value.ends_with("\r\n")) {
        secret.value.resize(secret.value.size() - 2);
    } else if (secret.value.ends_with('\n')) {
        secret.value.pop_back();
    }
    if (secret.value.empty()) {
        throw ConfigError(fmt::format("LDAP password file '{}' is empty", path),
                          "write the bind password in it, alone on one line");
    }
    if (secret.value.find('\n') != std::string::npos) {
        secret.warnings.push_back(
            {Severity::warning, path,
             fmt::format(
                 "password file '{}' holds more than one line; all of it but the final newline is used as "
                 "the password; HINT: leave only the password in it",
                 path)});
    }
    if (check_mode && (st.st_mode & 077) != 0) {
        const unsigned mode = st.st_mode & 07777;
        secret.warnings.push_back({Severity::warning, path,
                                   fmt::format("password file '{}' is {} (mode {:04o}); HINT: chmod 600 '{}'",
                                               path, permissions_problem(st.st_mode), mode, path)});
    }
    return secret;
}

} // namespace

Secret read_ldap_password(const LdapConfig& config, const char* credentials_directory) {
    if (config.bind_dn.empty()) {
        return {};
    }
    // Under systemd the credential; by hand (no $CREDENTIALS_DIRECTORY) the same password from
    // the file the unit's LoadCredential= reads, when the configuration names it too.
    const bool under_systemd = credentials_directory != nullptr && *credentials_directory != '\0';
    if (!config.password_credential.empty() && (under_systemd || config.password_file.empty())) {
        const std::string& name = config.password_credential;
        if (name.find('/') != std::string::npos || name == "." || name == "..") {
            throw ConfigError(fmt::format("ldap.password_credential '{}' is not a credential name", name),
                              "use the name given to LoadCredential= in the unit, e.g. ldap-password");
        }
        if (credentials_directory == nullptr || *credentials_directory == '\0') {
            throw ConfigError(
                fmt::format(
                    "ldap.password_credential is '{}' but $CREDENTIALS_DIRECTORY is not set: cohort-sync "
                    "was not started by systemd with credentials",
                    name),
                fmt::format(
                    "add LoadCredential={}:/etc/cohort-sync/ldap.password to the [Service] section of the "
                    "unit; to run by hand too, also set ldap.password_file to that file",
                    name));
        }
        // systemd makes credential files private to the service; their mode is its business.
        return read_password_file(fmt::format("{}/{}", credentials_directory, name),
                                  fmt::format("the credential '{}' (LoadCredential= in the unit)", name),
                                  false);
    }
    if (config.password_file.empty()) {
        throw ConfigError(fmt::format("ldap.bind_dn is '{}' but no password is configured", config.bind_dn),
                          "set ldap.password_file or ldap.password_credential, or empty ldap.bind_dn for an "
                          "anonymous bind");
    }
    return read_password_file(config.password_file, "ldap.password_file", true);
}

} // namespace cohort_sync
