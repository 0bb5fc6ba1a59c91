// Connecting: failover across ldap.uris, the connection's options and TLS, the bind, and the
// messages and hints when no server can be used.

#include "ldap_connector.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/redact.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort_sync::ldapio {
namespace {

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

void set_option(LDAP* ld, int option, const void* value, const std::string& uri, const char* name) {
    if (ldap_set_option(ld, option, value) != LDAP_OPT_SUCCESS) {
        throw SourceError(fmt::format("unable to set the LDAP option {} for {}: {}", name, redact_uri(uri),
                                      describe(LDAP_OTHER, diagnostic_message(ld))));
    }
}

enum class FailureKind { unreachable, unreachable_ldaps, tls, starttls_refused };

struct AttemptFailure {
    std::string uri; // redacted
    std::string cause;
    FailureKind kind = FailureKind::unreachable;
};

// Codes after which another server may well answer: nobody listening, no answer in time,
// a TLS handshake that failed on this server, a server too busy.
bool is_unreachable(int code) {
    return code == LDAP_SERVER_DOWN || code == LDAP_CONNECT_ERROR || code == LDAP_TIMEOUT ||
           code == LDAP_BUSY || code == LDAP_UNAVAILABLE;
}

bool is_ldaps(std::string_view uri) {
    return uri.starts_with("ldaps://") || uri.starts_with("LDAPS://");
}

bool is_tls_failure(int code, const std::string& diagnostic) {
    // libldap reports a failed StartTLS handshake as LDAP_CONNECT_ERROR. With ldaps:// it is
    // LDAP_SERVER_DOWN, with GnuTLS (Debian's build) without any detail: see unreachable_ldaps.
    return code == LDAP_CONNECT_ERROR || contains(diagnostic, "TLS") || contains(diagnostic, "SSL") ||
           contains(diagnostic, "certificate");
}

AttemptFailure unreachable_failure(const std::string& uri, int code, const std::string& diagnostic,
                                   const LdapConfig& config) {
    AttemptFailure failure{redact_uri(uri), describe(code, diagnostic), FailureKind::unreachable};
    if (is_tls_failure(code, diagnostic)) {
        failure.kind = FailureKind::tls;
        failure.cause = fmt::format("the TLS handshake failed ({})", failure.cause);
    } else if (code == LDAP_SERVER_DOWN && is_ldaps(uri)) {
        failure.kind = FailureKind::unreachable_ldaps;
    } else if (code == LDAP_TIMEOUT) {
        failure.cause = fmt::format("no answer in time (ldap.network_timeout_seconds is {}, "
                                    "ldap.timeout_seconds is {})",
                                    config.network_timeout_seconds, config.timeout_seconds);
    }
    return failure;
}

std::string hint_for(const std::vector<AttemptFailure>& failures, const LdapConfig& config) {
    std::vector<std::string> hints;
    const auto any = [&](FailureKind kind) {
        return std::ranges::any_of(failures, [&](const AttemptFailure& f) { return f.kind == kind; });
    };
    if (any(FailureKind::unreachable) || any(FailureKind::unreachable_ldaps)) {
        hints.emplace_back("is slapd running on that host and port? is the port open in the firewall? are "
                           "ldap.uris right?");
    }
    if (any(FailureKind::unreachable_ldaps)) {
        // With ldaps:// libldap reports a certificate it cannot verify as "Can't contact LDAP server".
        hints.emplace_back(
            "with ldaps:// a server certificate that cannot be verified fails the same way: check "
            "ldap.ca_file");
    }
    if (any(FailureKind::tls)) {
        hints.push_back(
            config.ca_file.empty()
                ? std::string("set ldap.ca_file to the CA certificate that signed the server's "
                              "certificate, and check that the host name in ldap.uris is the one "
                              "in the certificate")
                : fmt::format("check that ldap.ca_file '{}' holds the CA certificate that signed the "
                              "server's certificate, and that the host name in ldap.uris is the one "
                              "in the certificate",
                              config.ca_file));
    }
    if (any(FailureKind::starttls_refused)) {
        hints.emplace_back("the server does not offer StartTLS: configure TLS on it or use an ldaps:// URI "
                           "(ldap.starttls false only on a trusted network)");
    }
    std::string hint;
    for (const auto& h : hints) {
        hint += hint.empty() ? h : " / " + h;
    }
    return hint;
}

std::string password_origin(const LdapConfig& config) {
    if (!config.password_credential.empty()) {
        return fmt::format("the systemd credential '{}' (ldap.password_credential)",
                           config.password_credential);
    }
    return fmt::format("'{}' (ldap.password_file)", config.password_file);
}

[[noreturn]] void throw_bind_error(const LdapConfig& config, const std::string& uri, int code,
                                   const std::string& diagnostic) {
    const std::string who = config.bind_dn.empty() ? std::string("LDAP anonymous bind")
                                                   : fmt::format("LDAP bind as '{}'", config.bind_dn);
    const std::string where = redact_uri(uri);
    switch (code) {
    case LDAP_INVALID_CREDENTIALS:
        throw SourceError(fmt::format("{} to {} failed: invalid credentials", who, where),
                          fmt::format("check the password in {} and ldap.bind_dn", password_origin(config)));
    case LDAP_CONFIDENTIALITY_REQUIRED:
        throw SourceError(
            fmt::format("{} to {} failed: {}", who, where, describe(code, diagnostic)),
            "the server accepts binds over TLS only: use an ldaps:// URI or ldap.starttls true");
    case LDAP_UNWILLING_TO_PERFORM:
    case LDAP_INAPPROPRIATE_AUTH:
        throw SourceError(fmt::format("{} to {} failed: {}", who, where, describe(code, diagnostic)),
                          config.bind_dn.empty()
                              ? "the server refuses anonymous binds: set ldap.bind_dn and its password"
                              : "ask the directory's administrators whether this account may bind");
    default:
        throw SourceError(fmt::format("{} to {} failed: {}", who, where, describe(code, diagnostic)));
    }
}

class Connector {
public:
    Connector(const LdapConfig& config, const std::string& password)
        : m_config(config)
        , m_password(password) {}

    Connection connect() {
        std::vector<AttemptFailure> failures;
        for (const auto& uri : m_config.uris) {
            if (auto connection = try_uri(uri, failures)) {
                return std::move(*connection);
            }
        }
        std::string causes;
        for (const auto& f : failures) {
            causes += fmt::format("{}{}: {}", causes.empty() ? "" : "; ", f.uri, f.cause);
        }
        throw SourceError(
            failures.size() == 1
                ? fmt::format("unable to connect to LDAP server {}", causes)
                : fmt::format("unable to connect to any of the {} LDAP servers: {}", failures.size(), causes),
            hint_for(failures, m_config));
    }

private:
    std::optional<Connection> try_uri(const std::string& uri, std::vector<AttemptFailure>& failures) {
        LDAP* raw = nullptr;
        if (const int rc = ldap_initialize(&raw, uri.c_str()); rc != LDAP_SUCCESS) {
            throw ConfigError(
                fmt::format("'{}' in ldap.uris is not an LDAP URI: {}", redact_uri(uri), ldap_err2string(rc)),
                "write URIs as ldap://host:389, ldaps://host:636 or ldapi://%2Fpath");
        }
        LdapPtr ld(raw);
        set_options(ld.get(), uri);

        const bool is_ldap = uri.starts_with("ldap://") || uri.starts_with("LDAP://");
        if (is_ldaps(uri) || (is_ldap && m_config.starttls)) {
            set_tls_options(ld.get(), uri);
        }
        if (is_ldap && m_config.starttls) {
            if (const int rc = ldap_start_tls_s(ld.get(), nullptr, nullptr); rc != LDAP_SUCCESS) {
                const std::string diagnostic = diagnostic_message(ld.get());
                if (is_unreachable(rc) || is_tls_failure(rc, diagnostic)) {
                    failures.push_back(unreachable_failure(uri, rc, diagnostic, m_config));
                } else {
                    failures.push_back({redact_uri(uri),
                                        fmt::format("StartTLS refused: {}", describe(rc, diagnostic)),
                                        FailureKind::starttls_refused});
                }
                return std::nullopt;
            }
        }

        struct berval credentials {};
        credentials.bv_val = const_cast<char*>(m_password.data());
        credentials.bv_len = m_password.size();
        const int rc = ldap_sasl_bind_s(ld.get(), m_config.bind_dn.c_str(), LDAP_SASL_SIMPLE, &credentials,
                                        nullptr, nullptr, nullptr);
        if (rc == LDAP_SUCCESS) {
            return Connection{std::move(ld), uri};
        }
        const std::string diagnostic = diagnostic_message(ld.get());
        if (is_unreachable(rc)) {
            failures.push_back(unreachable_failure(uri, rc, diagnostic, m_config));
            return std::nullopt;
        }
        // A wrong password or a refused account is wrong on every replica: trying them all
        // would only add failed binds (and maybe lock the account).
        throw_bind_error(m_config, uri, rc, diagnostic);
    }

    void set_options(LDAP* ld, const std::string& uri) {
        const int version = LDAP_VERSION3;
        set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version, uri, "LDAP_OPT_PROTOCOL_VERSION");
        // A referral is an error: following it would bind with our password to another server.
        set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, uri, "LDAP_OPT_REFERRALS");
        if (m_config.network_timeout_seconds > 0) {
            const Timeval network(m_config.network_timeout_seconds);
            set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &network.value, uri, "LDAP_OPT_NETWORK_TIMEOUT");
        }
        if (m_config.timeout_seconds > 0) {
            const Timeval operation(m_config.timeout_seconds);
            set_option(ld, LDAP_OPT_TIMEOUT, &operation.value, uri, "LDAP_OPT_TIMEOUT");
        }
    }

    void set_tls_options(LDAP* ld, const std::string& uri) {
        const int require = m_config.verify_certificate ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_ALLOW;
        set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require, uri, "LDAP_OPT_X_TLS_REQUIRE_CERT");
        if (!m_config.ca_file.empty()) {
            set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, m_config.ca_file.c_str(), uri,
                       "LDAP_OPT_X_TLS_CACERTFILE");
        }
        // The options above apply only to a TLS context created after them.
        const int is_server = 0;
        if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) != LDAP_OPT_SUCCESS) {
            throw SourceError(
                fmt::format("unable to set up TLS for {}: {}", redact_uri(uri),
                            describe(LDAP_OTHER, diagnostic_message(ld))),
                m_config.ca_file.empty()
                    ? std::string("check the system's CA certificates")
                    : fmt::format("check that ldap.ca_file '{}' exists, is readable and holds PEM "
                                  "certificates",
                                  m_config.ca_file));
        }
    }

    const LdapConfig& m_config;
    const std::string& m_password;
};

} // namespace

Connection connect(const LdapConfig& config, const std::string& password) {
    return Connector(config, password).connect();
}

} // namespace cohort_sync::ldapio
