// Turning the server's entries into DirectoryEntry values as they arrive: the configured
// attributes mapped, duplicates left out with a warning. Private to src/io; header-only, so that
// the search's loop inlines it (it runs for each of 100,000 entries).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/text.hpp"
#include "ldap_handles.hpp"
#include "ldap_key_index.hpp"

#include <algorithm>
#include <cstddef>
#include <fmt/format.h>
#include <functional>
#include <ldap.h>
#include <string>
#include <string_view>
#include <utility>

namespace cohort_sync::ldapio {

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
        if (iequals_ascii(name, m_attributes.login)) {
            single(entry.login, m_attributes.login);
        }
        if (iequals_ascii(name, m_attributes.student_number)) {
            single(entry.student_number, m_attributes.student_number);
        }
        if (iequals_ascii(name, m_attributes.etapes)) {
            entry.etape_values.clear();
            entry.etape_values.reserve(count);
            for (std::size_t i = 0; i < count; ++i) {
                entry.etape_values.emplace_back(value(i));
            }
        }
        if (iequals_ascii(name, m_attributes.first_name)) {
            entry.first_name = value(0);
        }
        if (iequals_ascii(name, m_attributes.last_name)) {
            entry.last_name = value(0);
        }
        if (iequals_ascii(name, m_attributes.mail)) {
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

    // A server's size estimate is a hint, not a promise: a wrong one must not reserve gigabytes.
    static constexpr std::size_t k_max_reserved_entries = 1'000'000;

    const LdapAttributes& m_attributes;
    DirectoryRead& m_read;
    KeyIndex m_by_login; // by lower-cased login
    KeyIndex m_by_student_number;
};

} // namespace cohort_sync::ldapio
