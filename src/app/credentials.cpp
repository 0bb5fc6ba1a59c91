#include "credentials.hpp"

#include "cohort_sync/io/secret.hpp"

#include <cstdlib>
#include <spdlog/spdlog.h>

namespace cohort_sync {

std::string ldap_password(const Config& config) {
    auto secret = read_ldap_password(config.ldap, std::getenv("CREDENTIALS_DIRECTORY"));
    for (const auto& warning : secret.warnings) {
        spdlog::warn("{}: {}", warning.locator, warning.message);
    }
    return std::move(secret.value);
}

} // namespace cohort_sync
