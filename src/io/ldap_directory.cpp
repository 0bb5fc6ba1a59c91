#include "cohort_sync/io/ldap_directory.hpp"
#include "cohort_sync/ldap_filter.hpp"
#include "cohort_sync/text.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/redact.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fmt/format.h>
#include <ldap.h>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cohort_sync {
namespace {

// ---- RAII owners for libldap's handles ------------------------------------------------------

struct LdapDeleter {
    void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageDeleter {
    void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
struct BerDeleter {
    void operator()(BerElement* ber) const { ber_free(ber, 0); }
};
struct ControlDeleter {
    void operator()(LDAPControl* control) const { ldap_control_free(control); }
};
struct ControlsDeleter {
    void operator()(LDAPControl** controls) const { ldap_controls_free(controls); }
};
struct BervalDeleter {
    void operator()(struct berval* value) const { ber_bvfree(value); }
};
struct ValuesDeleter {
    void operator()(struct berval** values) const { ldap_value_free_len(values); }
};
struct MemDeleter {
    void operator()(char* text) const { ldap_memfree(text); }
};
struct MemArrayDeleter {
    void operator()(char** texts) const { ldap_memvfree(reinterpret_cast<void**>(texts)); }
};

using LdapPtr = std::unique_ptr<LDAP, LdapDeleter>;
using MessagePtr = std::unique_ptr<LDAPMessage, MessageDeleter>;
using BerPtr = std::unique_ptr<BerElement, BerDeleter>;
using ControlPtr = std::unique_ptr<LDAPControl, ControlDeleter>;
using ControlsPtr = std::unique_ptr<LDAPControl*, ControlsDeleter>;
using BervalPtr = std::unique_ptr<struct berval, BervalDeleter>;
using ValuesPtr = std::unique_ptr<struct berval*, ValuesDeleter>;
using MemPtr = std::unique_ptr<char, MemDeleter>;
using MemArrayPtr = std::unique_ptr<char*, MemArrayDeleter>;

std::string to_string(const MemPtr& text) {
    return text ? std::string(text.get()) : std::string();
}

std::string diagnostic_message(LDAP* ld) {
    char* text = nullptr;
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text);
    return to_string(MemPtr(text));
}

// "Size limit exceeded (LDAP result 4)": libldap's text for the code, the code when the
// server sent it (administrators search for it), then the diagnostic when there is one.
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

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

bool contains(std::string_view text, std::string_view needle) {
    return text.find(needle) != std::string_view::npos;
}

void set_option(LDAP* ld, int option, const void* value, const std::string& uri, const char* name) {
    if (ldap_set_option(ld, option, value) != LDAP_OPT_SUCCESS) {
        throw SourceError(fmt::format("unable to set the LDAP option {} for {}: {}", name, redact_uri(uri),
                                      describe(LDAP_OTHER, diagnostic_message(ld))));
    }
}

// ---- Connecting -----------------------------------------------------------------------------

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

struct Connection {
    LdapPtr ld;
    std::string uri; // as configured: not for messages, see redact_uri
};

struct Timeval {
    struct timeval value {};
    explicit Timeval(int seconds) { value.tv_sec = seconds; }
};

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

// ---- Mapping entries ------------------------------------------------------------------------

// Maps entries as they arrive and keeps the first of entries sharing a login or a student
// number, so that one person is never two members.
class EntryCollector {
public:
    EntryCollector(const LdapAttributes& attributes, DirectoryRead& read)
        : m_attributes(attributes)
        , m_read(read) {}

    void add(LDAP* ld, LDAPMessage* message) {
        ++m_received;
        DirectoryEntry entry;
        {
            MemPtr dn(ldap_get_dn(ld, message));
            entry.dn = to_string(dn);
        }
        BerElement* raw_ber = nullptr;
        MemPtr name(ldap_first_attribute(ld, message, &raw_ber));
        const BerPtr ber(raw_ber);
        for (; name; name.reset(ldap_next_attribute(ld, message, ber.get()))) {
            const ValuesPtr values(ldap_get_values_len(ld, message, name.get()));
            map_attribute(entry, name.get(), values.get());
        }
        if (!check_keys(entry)) {
            return;
        }
        m_read.entries.push_back(std::move(entry));
    }

    int received() const { return m_received; }

private:
    static std::vector<std::string> strings(struct berval** values) {
        std::vector<std::string> out;
        for (auto** v = values; v != nullptr && *v != nullptr; ++v) {
            out.emplace_back((*v)->bv_val, (*v)->bv_len);
        }
        return out;
    }

    void map_attribute(DirectoryEntry& entry, const char* name, struct berval** raw) {
        const auto values = strings(raw);
        if (values.empty()) {
            return;
        }
        // Servers return the attribute's name as the schema spells it, or as asked, or in
        // lower case: compare without case.
        const auto single = [&](std::string& field, const std::string& attribute) {
            field = values.front();
            if (values.size() > 1) {
                warn(entry.dn,
                     fmt::format("entry has {} '{}' values ('{}', '{}'{}); the first, '{}', is used",
                                 values.size(), attribute, values[0], values[1],
                                 values.size() > 2 ? ", ..." : "", values[0]));
            }
        };
        if (iequals(name, m_attributes.login)) {
            single(entry.login, m_attributes.login);
        }
        if (iequals(name, m_attributes.student_number)) {
            single(entry.student_number, m_attributes.student_number);
        }
        if (iequals(name, m_attributes.etapes)) {
            entry.etape_values = values;
        }
        if (iequals(name, m_attributes.first_name)) {
            entry.first_name = values.front();
        }
        if (iequals(name, m_attributes.last_name)) {
            entry.last_name = values.front();
        }
        if (iequals(name, m_attributes.mail)) {
            entry.mail = values.front();
        }
    }

    // False when the entry duplicates an earlier one and is to be left out.
    bool check_keys(const DirectoryEntry& entry) {
        if (entry.login.empty()) {
            warn(entry.dn, fmt::format("entry has no '{}' attribute", m_attributes.login));
        }
        if (entry.student_number.empty()) {
            warn(entry.dn, fmt::format("entry has no '{}' attribute", m_attributes.student_number));
        }
        const std::string login_key = to_lower_ascii(entry.login);
        if (!login_key.empty()) {
            if (const auto it = m_by_login.find(login_key); it != m_by_login.end()) {
                warn(entry.dn,
                     fmt::format("{} '{}' is also the {} of '{}', read first; this entry is left out",
                                 m_attributes.login, entry.login, m_attributes.login, it->second));
                return false;
            }
        }
        // supannEtuId is caseExactMatch: student numbers are compared as they are.
        if (!entry.student_number.empty()) {
            if (const auto it = m_by_student_number.find(entry.student_number);
                it != m_by_student_number.end()) {
                warn(entry.dn,
                     fmt::format("{} '{}' is also the {} of '{}', read first; this entry is left out",
                                 m_attributes.student_number, entry.student_number,
                                 m_attributes.student_number, it->second));
                return false;
            }
        }
        if (!login_key.empty()) {
            m_by_login.emplace(login_key, entry.dn);
        }
        if (!entry.student_number.empty()) {
            m_by_student_number.emplace(entry.student_number, entry.dn);
        }
        return true;
    }

    void warn(const std::string& dn, std::string message) {
        m_read.issues.push_back({Severity::warning, dn, std::move(message)});
    }

    const LdapAttributes& m_attributes;
    DirectoryRead& m_read;
    std::unordered_map<std::string, std::string> m_by_login;          // lower-cased login -> DN
    std::unordered_map<std::string, std::string> m_by_student_number; // -> DN
    int m_received = 0;
};

// ---- Searching ------------------------------------------------------------------------------

struct SearchContext {
    const LdapConfig& config;
    std::string uri; // redacted
    int page = 0;    // 1-based
    int entries = 0; // received before the failure
};

std::string search_hint(int code, const LdapConfig& config) {
    switch (code) {
    case LDAP_SIZELIMIT_EXCEEDED:
        // slapd counts a paged search's entries against size.prtotal (by default the hard size
        // limit): a smaller page does not help, only a higher limit for the bind DN.
        return config.paged_results
                   ? std::string("the server caps the total of a paged search for the bind DN: raise it "
                                 "(olcLimits ... size.prtotal=unlimited, or a higher size.hard)")
                   : std::string(
                         "turn on ldap.paged_results, or raise the server's size limit for the bind DN "
                         "(olcSizeLimit, olcLimits)");
    case LDAP_TIMELIMIT_EXCEEDED:
        return "raise the server's time limit for the bind DN (olcTimeLimit, olcLimits time=...), or lower "
               "ldap.page_size";
    case LDAP_TIMEOUT:
        return "raise ldap.timeout_seconds or lower ldap.page_size; check the server's load";
    case LDAP_ADMINLIMIT_EXCEEDED:
        return config.paged_results
                   ? fmt::format(
                         "the server refused the search for the bind DN: if the "
                         "page size is too big, lower ldap.page_size ({}) to olcLimits size.pr or less; if "
                         "paged results are disabled for the bind DN (size.prtotal=disabled), ask the "
                         "directory's administrators to allow them",
                         config.page_size)
                   : std::string("the server refused the search for the bind DN: turn on "
                                 "ldap.paged_results, or ask the directory's administrators about its limits "
                                 "(olcLimits)");
    case LDAP_REFERRAL:
        return fmt::format(
            "cohort-sync does not follow referrals: put the server that holds '{}' in ldap.uris, "
            "or narrow ldap.base_dn",
            config.base_dn);
    case LDAP_NO_SUCH_OBJECT:
        return "check ldap.base_dn: the entry does not exist on this server (or the bind DN may not see it)";
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
        return "the connection was lost: check the server's logs; the next run will try again";
    case LDAP_FILTER_ERROR:
        return "check the syntax of ldap.filter (RFC 4515), e.g. (eduPersonAffiliation=student)";
    case LDAP_UNAVAILABLE_CRITICAL_EXTENSION:
        return "the server does not support paged results (RFC 2696): set ldap.paged_results to false only "
               "if "
               "it has no size limit for the bind DN";
    case LDAP_INSUFFICIENT_ACCESS:
        return "the bind DN may not search this base: ask the directory's administrators for read access";
    default:
        return {};
    }
}

[[noreturn]] void throw_search_error(const SearchContext& context, int code, const std::string& diagnostic,
                                     const std::string& detail = {}) {
    const auto& config = context.config;
    const std::string where = config.paged_results ? fmt::format("failed at page {}, after {} entries",
                                                                 context.page, context.entries)
                                                   : fmt::format("failed after {} entries", context.entries);
    std::string cause = detail.empty() ? describe(code, diagnostic) : detail;
    if (code == LDAP_TIMEOUT) {
        cause = fmt::format("no answer within {}s (ldap.timeout_seconds)", config.timeout_seconds);
    } else if (code == LDAP_SIZELIMIT_EXCEEDED) {
        cause = fmt::format("the server's size limit was reached ({})", cause);
    } else if (code == LDAP_TIMELIMIT_EXCEEDED) {
        cause = fmt::format("the server's time limit was reached ({})", cause);
    }
    // Either way nothing is used; say which, so nobody goes looking for a partial list.
    const bool truncated =
        code == LDAP_SIZELIMIT_EXCEEDED || code == LDAP_TIMELIMIT_EXCEEDED || code == LDAP_REFERRAL;
    const bool nothing_read = context.entries == 0 && !truncated;
    throw SourceError(fmt::format("LDAP search of '{}' with filter '{}' on {} {}: {}; {}", config.base_dn,
                                  config.filter, context.uri, where, cause,
                                  nothing_read
                                      ? "nothing was read"
                                      : "the server returned only part of the entries, so none are used"),
                      search_hint(code, config));
}

class Search {
public:
    Search(const Connection& connection, const LdapConfig& config, DirectoryRead& read)
        : m_ld(connection.ld.get())
        , m_config(config)
        , m_context{config, redact_uri(connection.uri)}
        , m_collector(config.attributes, read) {
        for (const std::string* attribute :
             {&config.attributes.login, &config.attributes.student_number, &config.attributes.etapes,
              &config.attributes.first_name, &config.attributes.last_name, &config.attributes.mail}) {
            if (!attribute->empty()) {
                m_attribute_names.push_back(*attribute);
            }
        }
        for (auto& name : m_attribute_names) {
            m_attributes.push_back(name.data());
        }
        m_attributes.push_back(nullptr);
    }

    // Reads one page; returns the cookie for the next one, or null after the last page.
    BervalPtr page(const struct berval* cookie) {
        ++m_context.page;

        ControlPtr page_control;
        std::vector<LDAPControl*> controls;
        if (m_config.paged_results) {
            LDAPControl* raw = nullptr;
            struct berval empty {};
            const int rc = ldap_create_page_control(
                m_ld, m_config.page_size, const_cast<struct berval*>(cookie ? cookie : &empty), 1, &raw);
            page_control.reset(raw);
            if (rc != LDAP_SUCCESS) {
                fail(rc, diagnostic_message(m_ld),
                     fmt::format("unable to build the paged results control: {}", ldap_err2string(rc)));
            }
            controls.push_back(page_control.get());
        }
        controls.push_back(nullptr);

        Timeval timeout(m_config.timeout_seconds);
        LDAPMessage* raw_result = nullptr;
        const int rc = ldap_search_ext_s(m_ld, m_config.base_dn.c_str(), LDAP_SCOPE_SUBTREE,
                                         m_config.filter.c_str(), m_attributes.data(), 0, controls.data(),
                                         nullptr, m_config.timeout_seconds > 0 ? &timeout.value : nullptr,
                                         LDAP_NO_LIMIT, &raw_result);
        const MessagePtr result(raw_result);
        if (!result) {
            // No answer at all: a lost connection, a timeout, a filter libldap could not encode.
            fail(rc, diagnostic_message(m_ld));
        }
        return read_messages(result.get());
    }

    int received() const { return m_collector.received(); }
    int pages() const { return m_context.page; }

private:
    [[noreturn]] void fail(int code, const std::string& diagnostic, const std::string& detail = {}) {
        m_context.entries = m_collector.received();
        throw_search_error(m_context, code, diagnostic, detail);
    }

    BervalPtr read_messages(LDAPMessage* result) {
        std::optional<BervalPtr> next_cookie;
        for (LDAPMessage* message = ldap_first_message(m_ld, result); message != nullptr;
             message = ldap_next_message(m_ld, message)) {
            const auto type = static_cast<ber_tag_t>(ldap_msgtype(message));
            if (type == LDAP_RES_SEARCH_ENTRY) {
                m_collector.add(m_ld, message);
            } else if (type == LDAP_RES_SEARCH_REFERENCE) {
                char** raw_refs = nullptr;
                ldap_parse_reference(m_ld, message, &raw_refs, nullptr, 0);
                const MemArrayPtr refs(raw_refs);
                fail(LDAP_REFERRAL, {},
                     fmt::format("the server sent a search reference to '{}' (part of the tree is "
                                 "on another server)",
                                 refs && refs.get()[0] ? redact_uri(refs.get()[0]) : "?"));
            } else if (type == LDAP_RES_SEARCH_RESULT) {
                next_cookie = read_result(message);
            }
        }
        if (!next_cookie) {
            fail(LDAP_OTHER, {}, "the server's answer has no search result");
        }
        return std::move(*next_cookie);
    }

    BervalPtr read_result(LDAPMessage* message) {
        int code = LDAP_SUCCESS;
        char* raw_matched = nullptr;
        char* raw_diagnostic = nullptr;
        char** raw_referrals = nullptr;
        LDAPControl** raw_controls = nullptr;
        const int rc = ldap_parse_result(m_ld, message, &code, &raw_matched, &raw_diagnostic, &raw_referrals,
                                         &raw_controls, 0);
        const MemPtr matched(raw_matched);
        const MemPtr diagnostic(raw_diagnostic);
        const MemArrayPtr referrals(raw_referrals);
        const ControlsPtr controls(raw_controls);
        if (rc != LDAP_SUCCESS) {
            fail(rc, diagnostic_message(m_ld));
        }
        if (code == LDAP_REFERRAL) {
            fail(code, {},
                 fmt::format("the server sent a referral to '{}' instead of the entries",
                             referrals && referrals.get()[0] ? redact_uri(referrals.get()[0]) : "?"));
        }
        if (code == LDAP_NO_SUCH_OBJECT) {
            fail(code, {},
                 fmt::format("the base DN '{}' does not exist{}", m_config.base_dn,
                             matched && *matched
                                 ? fmt::format(" (the closest entry that does is '{}')", matched.get())
                                 : std::string()));
        }
        if (code != LDAP_SUCCESS) {
            fail(code, to_string(diagnostic));
        }
        if (!m_config.paged_results) {
            return nullptr;
        }
        LDAPControl* response = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls.get(), nullptr);
        if (response == nullptr) {
            // Success without a page response: the server answered in one go, complete.
            return nullptr;
        }
        BervalPtr cookie(static_cast<struct berval*>(ber_memcalloc(1, sizeof(struct berval))));
        if (!cookie) {
            throw std::bad_alloc();
        }
        ber_int_t estimate = 0;
        if (const int parsed = ldap_parse_pageresponse_control(m_ld, response, &estimate, cookie.get());
            parsed != LDAP_SUCCESS) {
            fail(parsed, diagnostic_message(m_ld),
                 fmt::format("unable to read the server's paged results control: {}",
                             ldap_err2string(parsed)));
        }
        if (cookie->bv_len == 0) {
            return nullptr;
        }
        return cookie;
    }

    LDAP* m_ld;
    const LdapConfig& m_config;
    SearchContext m_context;
    EntryCollector m_collector;
    std::vector<std::string> m_attribute_names;
    std::vector<char*> m_attributes;
};

} // namespace

LdapDirectory::LdapDirectory(const LdapConfig& config, std::string password, Progress progress)
    : m_config(config)
    , m_password(std::move(password))
    , m_progress(std::move(progress)) {
    if (m_config.uris.empty()) {
        throw ConfigError("ldap.uris is empty: there is no LDAP server to read",
                          "list at least one ldap:// or ldaps:// URI");
    }
    // A simple bind with a DN and no password is an "unauthenticated bind" that some servers
    // accept as anonymous: the search would then see fewer entries, without any error.
    if (!m_config.bind_dn.empty() && m_password.empty()) {
        throw ConfigError(fmt::format("ldap.bind_dn is '{}' but the password is empty", m_config.bind_dn),
                          "set ldap.password_file or ldap.password_credential");
    }
    if (m_config.paged_results && m_config.page_size <= 0) {
        throw ConfigError(fmt::format("ldap.page_size is {}: it must be positive", m_config.page_size));
    }
}

LdapDirectory::~LdapDirectory() {
    ::explicit_bzero(m_password.data(), m_password.size());
}

std::string LdapDirectory::check() {
    const Connection connection = Connector(m_config, m_password).connect();
    return redact_uri(connection.uri);
}

DirectoryRead LdapDirectory::read_all() { return search(m_config); }

DirectoryRead LdapDirectory::find(std::string_view login_or_number, bool students_only) {
    LdapConfig narrowed = m_config;
    // Escaped: the key comes from an admin's command line and may hold filter metacharacters.
    const auto either = fmt::format("(|{}{})", equality_filter(m_config.attributes.login, login_or_number),
                                    equality_filter(m_config.attributes.student_number, login_or_number));
    narrowed.filter = students_only ? fmt::format("(&{}{})", m_config.filter, either) : either;
    return search(narrowed);
}

DirectoryRead LdapDirectory::search(const LdapConfig& config) {
    int received = 0;
    int pages = 0;
    try {
        const Connection connection = Connector(config, m_password).connect();
        DirectoryRead read;
        read.uri = redact_uri(connection.uri);
        Search search(connection, config, read);
        BervalPtr cookie;
        do {
            cookie = search.page(cookie.get());
            received = search.received();
            pages = search.pages();
            if (m_progress) {
                m_progress(received, pages);
            }
        } while (cookie);
        read.pages = search.pages();
        return read;
    } catch (const SourceError&) {
        // A signal that arrives while libldap waits for the server ends the wait with EINTR,
        // which libldap reports as "Can't contact LDAP server" (LDAP_OPT_RESTART is off, so that
        // a SIGTERM is not held up for ldap.timeout_seconds). The progress callback is where the
        // caller learns of its signals (cohort-sync's throws Interrupted): it speaks first, so
        // that a stop request is not blamed on the server.
        if (m_progress) {
            m_progress(received, pages);
        }
        throw;
    }
}

} // namespace cohort_sync
