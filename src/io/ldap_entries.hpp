// Turning the server's entries into DirectoryEntry values as they arrive: the configured
// attributes mapped, every entry kept (which of two entries sharing a key counts is the
// directory source kind's decision, in the core). Private to src/io; header-only, so that the
// search's loop inlines it (it runs for each of 100,000 entries).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/text.hpp"
#include "ldap_handles.hpp"

#include <algorithm>
#include <cstddef>
#include <fmt/format.h>
#include <ldap.h>
#include <string>
#include <string_view>
#include <utility>

namespace cohort_sync::ldapio {

// Maps entries as they arrive.
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
        m_read.entries.push_back(std::move(entry));
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

    void warn(const std::string& dn, std::string message) {
        m_read.issues.push_back({Severity::warning, dn, std::move(message), IssueKind::multiple_values});
    }

    // A server's size estimate is a hint, not a promise: a wrong one must not reserve gigabytes.
    static constexpr std::size_t k_max_reserved_entries = 1'000'000;

    const LdapAttributes& m_attributes;
    DirectoryRead& m_read;
};

} // namespace cohort_sync::ldapio
