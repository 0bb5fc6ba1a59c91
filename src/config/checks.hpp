// Checks of one option's decoded value (ranges, LDAP URIs, attributes and filters, SQL identifiers,
// cohort templates...), which the option table attaches to its rows. Private to the parser's files
// in src/config.
#pragma once

#include "problems.hpp"

#include <fmt/format.h>
#include <functional>
#include <string>
#include <vector>

namespace cohort_sync::config_detail {

template <class T> using Check = std::function<void(const T&, const std::string& at, Problems&)>;

template <class Number> auto in_range(Number low, Number high) {
    return [low, high](const Number& value, const std::string& at, Problems& problems) {
        if (value < low || value > high) {
            problems.error(at,
                           fmt::format("{} is out of range: it must be between {} and {}", value, low, high));
        }
    };
}

template <class Number> auto at_least(Number low) {
    return [low](const Number& value, const std::string& at, Problems& problems) {
        if (value < low) {
            problems.error(at, fmt::format("{} is too small: it must be at least {}", value, low));
        }
    };
}

template <class Number> auto positive() {
    return [](const Number& value, const std::string& at, Problems& problems) {
        if (!(value > 0)) {
            problems.error(at, fmt::format("{} is out of range: it must be greater than 0", value));
        }
    };
}

void ratio(const double& value, const std::string& at, Problems& problems);

// Moodle's auth plugin names: lower-case letters, digits and '_' (auth/<name>/ in Moodle's tree).
void auth_plugin(const std::string& value, const std::string& at, Problems& problems);

void non_empty(const std::string& value, const std::string& at, Problems& problems);
void one_or_more(const std::vector<std::string>& values, const std::string& at, Problems& problems);
void none_empty(const std::vector<std::string>& values, const std::string& at, Problems& problems);
// membership.etape_patterns: none empty, and no bare "!".
void etape_patterns(const std::vector<std::string>& patterns, const std::string& at, Problems& problems);

void ldap_uris(const std::vector<std::string>& uris, const std::string& at, Problems& problems);

// An attribute description (RFC 4512): a name such as "supannEtuId", or a numeric OID, with
// optional ";options". Filters are built from it unescaped, so it is checked here, at load.
void ldap_attribute(const std::string& name, const std::string& at, Problems& problems);

void ldap_filter(const std::string& filter, const std::string& at, Problems& problems);
void sql_identifier(const std::string& name, const std::string& at, Problems& problems);
void credential_name(const std::string& name, const std::string& at, Problems& problems);

void cohort_template(const std::string& pattern, const std::string& at, Problems& problems);
void idnumber_template(const std::string& pattern, const std::string& at, Problems& problems);
// The element and group cohorts' templates, with their own placeholders.
void element_template(const std::string& pattern, const std::string& at, Problems& problems);
void element_idnumber_template(const std::string& pattern, const std::string& at, Problems& problems);
void group_template(const std::string& pattern, const std::string& at, Problems& problems);
void group_idnumber_template(const std::string& pattern, const std::string& at, Problems& problems);

} // namespace cohort_sync::config_detail
