#include "cohort_sync/io/ldap_directory.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/ldap_filter.hpp"
#include "cohort_sync/redact.hpp"
#include "cohort_sync/text.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <functional>
#include <ldap.h>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
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
// The array of an attribute's values from ldap_get_attribute_ber(), ended by a null bv_val:
// the values point into the message's buffer, only the array is ours to free.
struct BerArrayDeleter {
    void operator()(struct berval* values) const { ber_memfree(values); }
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
using BerArrayPtr = std::unique_ptr<struct berval, BerArrayDeleter>;
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

// ASCII only, as attribute names are (std::tolower costs a library call per character, six
// names for each of 100,000 entries).
bool iequals(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return std::ranges::equal(a, b, [&](char x, char y) { return lower(x) == lower(y); });
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

// A server's size estimate is a hint, not a promise: a wrong one must not reserve gigabytes.
constexpr std::size_t k_max_reserved_entries = 1'000'000;

// The kept entries by one of their keys: open addressing over (hash, entry index) pairs in one
// array, so that a lookup reads one slot, and an entry only when the hashes match. A
// std::unordered_map of 100,000 strings took a quarter of the read's CPU time allocating,
// rehashing and freeing its nodes.
class KeyIndex {
public:
    void reserve(std::size_t keys) {
        if (keys * 2 > m_slots.size()) {
            rehash(std::bit_ceil(keys * 2));
        }
    }

    // The entry index stored with `hash` that `same` accepts, if any.
    template <typename Same> std::optional<std::size_t> find(std::size_t hash, const Same& same) const {
        if (m_slots.empty()) {
            return std::nullopt;
        }
        const auto tag = static_cast<std::uint32_t>(hash);
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = tag & mask; m_slots[i].index != k_empty; i = (i + 1) & mask) {
            if (m_slots[i].tag == tag && same(m_slots[i].index)) {
                return m_slots[i].index;
            }
        }
        return std::nullopt;
    }

    void insert(std::size_t hash, std::size_t index) {
        if ((m_size + 1) * 2 > m_slots.size()) {
            rehash(std::max<std::size_t>(1024, m_slots.size() * 2));
        }
        place({static_cast<std::uint32_t>(hash), static_cast<std::uint32_t>(index)});
        ++m_size;
    }

private:
    static constexpr std::uint32_t k_empty = std::numeric_limits<std::uint32_t>::max();
    struct Slot {
        std::uint32_t tag = 0; // the hash's low bits: they also choose the first slot
        std::uint32_t index = k_empty;
    };

    void place(Slot slot) {
        const std::size_t mask = m_slots.size() - 1;
        std::size_t i = slot.tag & mask;
        while (m_slots[i].index != k_empty) {
            i = (i + 1) & mask;
        }
        m_slots[i] = slot;
    }

    void rehash(std::size_t size) {
        std::vector<Slot> old = std::exchange(m_slots, std::vector<Slot>(size));
        for (const Slot& slot : old) {
            if (slot.index != k_empty) {
                place(slot);
            }
        }
    }

    std::vector<Slot> m_slots; // a power of two, at most half full
    std::size_t m_size = 0;
};

// Maps entries as they arrive and keeps the first of entries sharing a login or a student
// number, so that one person is never two members.
class EntryCollector {
public:
    EntryCollector(const LdapAttributes& attributes, DirectoryRead& read)
        : m_attributes(attributes)
        , m_read(read) {}

    // Room for `expected` entries in all, when the server says how many there are.
    void reserve(std::size_t expected) {
        expected = std::min(expected, k_max_reserved_entries);
        if (expected > m_read.entries.capacity()) {
            m_read.entries.reserve(expected);
            m_by_login.reserve(expected);
            m_by_student_number.reserve(expected);
        }
    }

    // Maps one entry straight from the message's buffer: ldap_get_values_len() would scan the
    // entry again and copy its values for each attribute, and this runs 100,000 times a night.
    // False when the entry cannot be decoded. The decoding writes into the buffer (it ends each
    // value with a NUL): a message is decoded once.
    bool add(LDAP* ld, LDAPMessage* message) {
        BerElement* raw_ber = nullptr;
        struct berval dn {};
        const int rc = ldap_get_dn_ber(ld, message, &raw_ber, &dn);
        const BerPtr ber(raw_ber);
        if (rc != LDAP_SUCCESS || dn.bv_val == nullptr) {
            return false;
        }
        DirectoryEntry entry;
        entry.dn.assign(dn.bv_val, dn.bv_len);
        for (;;) {
            struct berval name {};
            struct berval* raw_values = nullptr;
            const int attribute_rc = ldap_get_attribute_ber(ld, message, ber.get(), &name, &raw_values);
            const BerArrayPtr values(raw_values);
            if (attribute_rc != LDAP_SUCCESS) {
                return false;
            }
            if (name.bv_val == nullptr) {
                break;
            }
            map_attribute(entry, std::string_view(name.bv_val, name.bv_len), values.get());
        }
        keep_unless_duplicate(std::move(entry));
        return true;
    }

private:
    void map_attribute(DirectoryEntry& entry, std::string_view name, const struct berval* values) {
        std::size_t count = 0;
        while (values != nullptr && values[count].bv_val != nullptr) {
            ++count;
        }
        if (count == 0) {
            return;
        }
        const auto value = [&](std::size_t i) {
            return std::string_view(values[i].bv_val, values[i].bv_len);
        };
        // Servers return the attribute's name as the schema spells it, or as asked, or in
        // lower case: compare without case.
        const auto single = [&](std::string& field, const std::string& attribute) {
            field = value(0);
            if (count > 1) {
                warn(entry.dn,
                     fmt::format("entry has {} '{}' values ('{}', '{}'{}); the first, '{}', is used", count,
                                 attribute, value(0), value(1), count > 2 ? ", ..." : "", value(0)));
            }
        };
        if (iequals(name, m_attributes.login)) {
            single(entry.login, m_attributes.login);
        }
        if (iequals(name, m_attributes.student_number)) {
            single(entry.student_number, m_attributes.student_number);
        }
        if (iequals(name, m_attributes.etapes)) {
            entry.etape_values.clear();
            entry.etape_values.reserve(count);
            for (std::size_t i = 0; i < count; ++i) {
                entry.etape_values.emplace_back(value(i));
            }
        }
        if (iequals(name, m_attributes.first_name)) {
            entry.first_name = value(0);
        }
        if (iequals(name, m_attributes.last_name)) {
            entry.last_name = value(0);
        }
        if (iequals(name, m_attributes.mail)) {
            entry.mail = value(0);
        }
    }

    // Keeps the entry unless it duplicates an earlier one.
    void keep_unless_duplicate(DirectoryEntry&& entry) {
        if (entry.login.empty()) {
            warn(entry.dn, fmt::format("entry has no '{}' attribute", m_attributes.login));
        }
        if (entry.student_number.empty()) {
            warn(entry.dn, fmt::format("entry has no '{}' attribute", m_attributes.student_number));
        }
        const auto& entries = m_read.entries;
        const std::string login_key = to_lower_ascii(entry.login);
        const std::size_t login_hash = std::hash<std::string_view>{}(login_key);
        if (!login_key.empty()) {
            if (const auto first = m_by_login.find(login_hash, [&](std::size_t i) {
                    return to_lower_ascii(entries[i].login) == login_key;
                })) {
                warn(entry.dn,
                     fmt::format("{} '{}' is also the {} of '{}', read first; this entry is left out",
                                 m_attributes.login, entry.login, m_attributes.login, entries[*first].dn));
                return;
            }
        }
        // supannEtuId is caseExactMatch: student numbers are compared as they are.
        const std::size_t number_hash = std::hash<std::string_view>{}(entry.student_number);
        if (!entry.student_number.empty()) {
            if (const auto first = m_by_student_number.find(number_hash, [&](std::size_t i) {
                    return entries[i].student_number == entry.student_number;
                })) {
                warn(entry.dn,
                     fmt::format("{} '{}' is also the {} of '{}', read first; this entry is left out",
                                 m_attributes.student_number, entry.student_number,
                                 m_attributes.student_number, entries[*first].dn));
                return;
            }
        }
        const std::size_t index = entries.size();
        if (!login_key.empty()) {
            m_by_login.insert(login_hash, index);
        }
        if (!entry.student_number.empty()) {
            m_by_student_number.insert(number_hash, index);
        }
        m_read.entries.push_back(std::move(entry));
    }

    void warn(const std::string& dn, std::string message) {
        m_read.issues.push_back({Severity::warning, dn, std::move(message)});
    }

    const LdapAttributes& m_attributes;
    DirectoryRead& m_read;
    KeyIndex m_by_login; // by lower-cased login
    KeyIndex m_by_student_number;
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

// One page as received and checked: the server's messages, in the order it sent them, and the
// cookie that asks for the next page.
struct Page {
    int number = 0; // 1-based
    MessagePtr messages;
    BervalPtr cookie; // null after the last page
};

// The paged search, pipelined: the request for page N+1 leaves as soon as page N has arrived
// and been checked, so that the server prepares it while page N is mapped.
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

    // An exception (the progress callback's, a failed mapping) may leave a request in flight:
    // the server need not go on preparing a page nobody will read.
    ~Search() { abandon(); }

    Search(const Search&) = delete;
    Search& operator=(const Search&) = delete;

    // Sends the request for the next page: the first one without a cookie.
    void request(const struct berval* cookie) {
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

        // Sent as the search's time limit, as ldap_search_ext_s() did; receive() waits as long.
        Timeval limit(m_config.timeout_seconds);
        int msgid = -1;
        const int rc =
            ldap_search_ext(m_ld, m_config.base_dn.c_str(), LDAP_SCOPE_SUBTREE, m_config.filter.c_str(),
                            m_attributes.data(), 0, controls.data(), nullptr,
                            m_config.timeout_seconds > 0 ? &limit.value : nullptr, LDAP_NO_LIMIT, &msgid);
        if (rc != LDAP_SUCCESS) {
            // Not sent: a lost connection, a filter libldap could not encode.
            fail(rc, diagnostic_message(m_ld));
        }
        m_msgid = msgid;
    }

    // Waits for the whole answer to the last request, at most ldap.timeout_seconds, and checks
    // it: a referral, a size limit or any other failure throws.
    Page receive() {
        Timeval timeout(m_config.timeout_seconds);
        LDAPMessage* raw = nullptr;
        const int rc = ldap_result(m_ld, m_msgid, LDAP_MSG_ALL,
                                   m_config.timeout_seconds > 0 ? &timeout.value : nullptr, &raw);
        MessagePtr messages(raw);
        if (rc == 0) {
            abandon();
            fail(LDAP_TIMEOUT, diagnostic_message(m_ld));
        }
        m_msgid = -1; // answered, or the connection is gone
        if (rc < 0 || !messages) {
            // A lost connection, or a signal that ended the wait (see LdapDirectory::search).
            int code = LDAP_SERVER_DOWN;
            ldap_get_option(m_ld, LDAP_OPT_RESULT_CODE, &code);
            fail(code, diagnostic_message(m_ld));
        }
        Page page{m_context.page, std::move(messages), nullptr};
        page.cookie = check(page.messages.get());
        return page;
    }

    // Maps a received page's entries (while the server prepares the next one).
    void map(const Page& page) {
        for (LDAPMessage* message = ldap_first_entry(m_ld, page.messages.get()); message != nullptr;
             message = ldap_next_entry(m_ld, message)) {
            if (!m_collector.add(m_ld, message)) {
                SearchContext context = m_context;
                context.page = page.number;
                context.entries = m_mapped;
                throw_search_error(context, LDAP_DECODING_ERROR, diagnostic_message(m_ld),
                                   "unable to decode an entry of the server's answer");
            }
            ++m_mapped;
        }
    }

    int received() const { return m_received; }

private:
    [[noreturn]] void fail(int code, const std::string& diagnostic, const std::string& detail = {}) {
        m_context.entries = m_received;
        throw_search_error(m_context, code, diagnostic, detail);
    }

    void abandon() noexcept {
        if (m_msgid >= 0) {
            ldap_abandon_ext(m_ld, m_msgid, nullptr, nullptr);
            m_msgid = -1;
        }
    }

    // Counts the entries and reads the result; the entries are mapped later, by map().
    BervalPtr check(LDAPMessage* messages) {
        std::optional<BervalPtr> next_cookie;
        for (LDAPMessage* message = ldap_first_message(m_ld, messages); message != nullptr;
             message = ldap_next_message(m_ld, message)) {
            const auto type = static_cast<ber_tag_t>(ldap_msgtype(message));
            if (type == LDAP_RES_SEARCH_ENTRY) {
                ++m_received;
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
        // slapd says 0 (unknown); Active Directory, for one, gives the total.
        if (estimate > 0) {
            m_collector.reserve(static_cast<std::size_t>(estimate));
        }
        if (cookie->bv_len == 0) {
            return nullptr;
        }
        return cookie;
    }

    LDAP* m_ld;
    const LdapConfig& m_config;
    SearchContext m_context; // its page is the one requested last
    EntryCollector m_collector;
    std::vector<std::string> m_attribute_names;
    std::vector<char*> m_attributes;
    int m_msgid = -1;   // the request in flight, if any
    int m_received = 0; // entries received, mapped or not
    int m_mapped = 0;
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

DirectoryRead LdapDirectory::read_all() {
    return search(m_config);
}

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
        search.request(nullptr);
        for (;;) {
            const Page page = search.receive();
            received = search.received();
            pages = page.number;
            // Before the next request: a stop request the callback throws for leaves nothing in
            // flight, and a server lost meanwhile is blamed on the next page.
            if (m_progress) {
                m_progress(received, pages);
            }
            if (page.cookie) {
                search.request(page.cookie.get());
            }
            search.map(page);
            if (!page.cookie) {
                break;
            }
        }
        read.pages = pages;
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
