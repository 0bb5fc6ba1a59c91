// The LDAP directory's adapter: a paged search (RFC 2696) of the configured base and filter,
// mapped to DirectoryEntry values. Either the complete result or a SourceError: a size limit,
// a time limit, a referral or a lost connection on any page fails the whole read, because a
// partial list would read as "these students left". What to make of the entries (duplicates,
// missing keys) is the directory source kind's decision, in the core.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace cohort_sync {

class LdapDirectory : public Source {
public:
    // Called after every page with the entries received so far and the pages read.
    using Progress = std::function<void(int entries, int pages)>;

    // `password` is the bind password for config.bind_dn (see read_ldap_password); empty with
    // an empty bind_dn for an anonymous bind. Nothing is contacted until read() or check().
    LdapDirectory(const LdapConfig& config, std::string password, Progress progress = {});
    ~LdapDirectory() override;

    LdapDirectory(const LdapDirectory&) = delete;
    LdapDirectory& operator=(const LdapDirectory&) = delete;

    // Connects to the first URI that answers, binds, and reads every entry the filter selects,
    // in the order the server sends them. Throws SourceError.
    SourceRead read() override;

    // Connects and binds only (`cohort-sync check`). Returns the URI that answered, redacted.
    // Throws SourceError as read() does.
    std::string check();

    // The entries whose login or student number is `login_or_number` (escaped into the filter),
    // among the students the configured filter selects, or among every entry under the base
    // when `students_only` is false. For `cohort-sync explain`.
    DirectoryRead find(std::string_view login_or_number, bool students_only = true);

private:
    DirectoryRead search(const LdapConfig& config);

    LdapConfig m_config;
    std::string m_password;
    Progress m_progress;
};

} // namespace cohort_sync
