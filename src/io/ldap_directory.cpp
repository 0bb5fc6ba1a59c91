// The LDAP directory as a source: the pipelined paged search, the messages and hints of its
// failures, and LdapDirectory's public methods.

#include "cohort_sync/io/ldap_directory.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/ldap_filter.hpp"
#include "cohort_sync/redact.hpp"
#include "ldap_connector.hpp"
#include "ldap_entries.hpp"
#include "ldap_handles.hpp"

#include <cstddef>
#include <cstring>
#include <fmt/format.h>
#include <ldap.h>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort_sync {
namespace ldapio {
namespace {

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
} // namespace ldapio

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
}

LdapDirectory::~LdapDirectory() {
    ::explicit_bzero(m_password.data(), m_password.size());
}

std::string LdapDirectory::check() {
    const ldapio::Connection connection = ldapio::connect(m_config, m_password);
    return redact_uri(connection.uri);
}

SourceRead LdapDirectory::read() {
    return {"ldap", search(m_config), std::nullopt};
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
        const ldapio::Connection connection = ldapio::connect(config, m_password);
        DirectoryRead read;
        read.uri = redact_uri(connection.uri);
        ldapio::Search search(connection, config, read);
        search.request(nullptr);
        for (;;) {
            const ldapio::Page page = search.receive();
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
