// Checks of one option's decoded value; each adds what is wrong with it to Problems.
#include "checks.hpp"

#include "cohort_sync/redact.hpp"
#include "cohort_sync/text.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>

namespace cohort_sync::config_detail {

void ratio(const double& value, const std::string& at, Problems& problems) {
    if (!(value >= 0.0 && value <= 1.0)) {
        problems.error(
            at,
            fmt::format("{} is out of range: a ratio is between 0 and 1; HINT: write 10% as 0.10", value));
    }
}

void auth_plugin(const std::string& value, const std::string& at, Problems& problems) {
    if (value.empty()) {
        return; // unset: required only with provisioning enabled (parse_config's check_across)
    }
    const bool valid = !value.empty() && value.size() <= 20 && std::ranges::all_of(value, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!valid) {
        problems.error(at,
                       fmt::format("'{}' is not a Moodle auth plugin name (lower-case letters, digits, '_'; "
                                   "at most 20 characters); HINT: cas, ldap, shibboleth, oidc...",
                                   value));
    } else if (value == "manual" || value == "nologin" || value == "email") {
        problems.error(
            at, fmt::format("'{}' accounts need a password Moodle keeps, which cohort-sync never sets; "
                            "HINT: use the plugin the students log in with (cas, ldap, shibboleth...)",
                            value));
    }
}

void non_empty(const std::string& value, const std::string& at, Problems& problems) {
    if (value.empty()) {
        problems.error(at, "must not be empty");
    }
}

void one_or_more(const std::vector<std::string>& values, const std::string& at, Problems& problems) {
    if (values.empty()) {
        problems.error(at, "must list at least one value");
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i].empty()) {
            problems.error(fmt::format("{}/{}", at, i), "must not be empty");
        }
    }
}

void none_empty(const std::vector<std::string>& values, const std::string& at, Problems& problems) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i].empty()) {
            problems.error(fmt::format("{}/{}", at, i), "must not be empty");
        }
    }
}

void etape_patterns(const std::vector<std::string>& patterns, const std::string& at, Problems& problems) {
    none_empty(patterns, at, problems);
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        if (patterns[i] == "!") {
            problems.error(fmt::format("{}/{}", at, i),
                           "\"!\" leaves out nothing: write the pattern of the étapes to leave out after it, "
                           "like \"!LP*\"");
        }
    }
}

void ldap_uris(const std::vector<std::string>& uris, const std::string& at, Problems& problems) {
    if (uris.empty()) {
        problems.error(at, "must list at least one LDAP server, like [\"ldaps://ldap.example.org\"]");
    }
    for (std::size_t i = 0; i < uris.size(); ++i) {
        const std::string& uri = uris[i];
        const std::string where = fmt::format("{}/{}", at, i);
        const std::string shown = in_quotes(redact_uri(uri));
        const std::string scheme = to_lower_ascii(uri.substr(0, std::min(uri.find("://"), uri.size())));
        if (uri.find("://") == std::string::npos ||
            (scheme != "ldap" && scheme != "ldaps" && scheme != "ldapi")) {
            problems.error(where,
                           fmt::format("LDAP URI {} must start with ldaps://, ldap:// or ldapi://", shown));
            continue;
        }
        if (uri.find_first_of(" \t,") != std::string::npos) {
            problems.error(where,
                           fmt::format("LDAP URI {} holds several URIs; HINT: give one URI per element of "
                                       "ldap.uris, they are tried in order",
                                       shown));
            continue;
        }
        const auto host_begin = uri.find("://") + 3;
        const auto host =
            std::string_view(uri).substr(host_begin, uri.find_first_of("/?", host_begin) - host_begin);
        if (host.find('@') != std::string_view::npos) {
            problems.error(where,
                           fmt::format("LDAP URI {} holds a user or password, and secrets never live in the "
                                       "configuration file; HINT: bind with ldap.bind_dn and "
                                       "ldap.password_file or ldap.password_credential",
                                       shown));
            continue;
        }
        if (host.empty() && scheme != "ldapi") {
            problems.error(where, fmt::format("LDAP URI {} names no server", shown));
        }
    }
}

void ldap_attribute(const std::string& name, const std::string& at, Problems& problems) {
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    const std::string_view base = std::string_view(name).substr(0, name.find(';'));
    bool valid = !base.empty();
    if (valid && alpha(base.front())) {
        valid = std::ranges::all_of(base, [&](char c) { return alpha(c) || digit(c) || c == '-'; });
    } else if (valid) {
        valid = digit(base.front()) && digit(base.back()) && base.find("..") == std::string_view::npos &&
                std::ranges::all_of(base, [&](char c) { return digit(c) || c == '.'; });
    }
    for (std::size_t pos = base.size(); valid && pos < name.size();) {
        const auto next = std::min(name.find(';', pos + 1), name.size());
        const std::string_view option_text = std::string_view(name).substr(pos + 1, next - pos - 1);
        valid = !option_text.empty() &&
                std::ranges::all_of(option_text, [&](char c) { return alpha(c) || digit(c) || c == '-'; });
        pos = next;
    }
    if (name.empty()) {
        problems.error(at, "must not be empty");
    } else if (!valid) {
        problems.error(at, fmt::format("{} is not an LDAP attribute name: expected letters, digits and '-' "
                                       "starting with a letter (like \"supannEtuId\"), or a numeric OID",
                                       in_quotes(name)));
    }
}

void ldap_filter(const std::string& filter, const std::string& at, Problems& problems) {
    int depth = 0;
    bool balanced = !filter.empty() && filter.front() == '(' && filter.back() == ')';
    for (const char c : filter) {
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        balanced = balanced && depth >= 0;
    }
    if (!balanced || depth != 0) {
        problems.error(at, fmt::format("LDAP filter {} is not a parenthesised filter like "
                                       "\"(eduPersonAffiliation=student)\"",
                                       in_quotes(filter)));
    }
}

void sql_identifier(const std::string& name, const std::string& at, Problems& problems) {
    const auto bad = [&](std::string_view why) {
        problems.error(at, fmt::format("{} is not a valid SQL identifier: {}; HINT: use lower-case letters, "
                                       "digits and '_', not starting with a digit",
                                       in_quotes(name), why));
    };
    if (name.empty()) {
        bad("it is empty");
        return;
    }
    if (name.size() > 63) {
        bad(fmt::format("it is {} bytes long and PostgreSQL truncates names past 63", name.size()));
        return;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0)) {
            bad(fmt::format("character {} at position {} is not allowed", in_quotes(std::string(1, c)),
                            i + 1));
            return;
        }
    }
}

void credential_name(const std::string& name, const std::string& at, Problems& problems) {
    if (name.find('/') != std::string::npos) {
        problems.error(at, fmt::format("{} is not a credential name: it must not contain '/'; HINT: give the "
                                       "name used in the unit's LoadCredential=, like \"ldap-password\"",
                                       in_quotes(name)));
    }
}

namespace {

// The placeholders merge's expand_template() knows, per cohort kind; anything else in braces is
// refused here so that a typo never ends up verbatim in a cohort's idnumber.
constexpr std::array<std::string_view, 4> k_etape_placeholders = {"etape", "version", "label", "year"};
constexpr std::array<std::string_view, 4> k_element_placeholders = {"element", "nature", "label", "year"};
constexpr std::array<std::string_view, 5> k_group_placeholders = {"element", "group", "type", "label",
                                                                  "year"};

// "{etape}, {version}, {label} and {year}"
std::string listed(std::span<const std::string_view> names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += fmt::format("{}{{{}}}", i == 0 ? "" : i + 1 == names.size() ? " and " : ", ", names[i]);
    }
    return out;
}

void template_of(std::span<const std::string_view> placeholders, const std::string& pattern,
                 const std::string& at, Problems& problems) {
    std::size_t pos = 0;
    while ((pos = pattern.find('{', pos)) != std::string::npos) {
        const auto close = pattern.find('}', pos);
        if (close == std::string::npos) {
            problems.error(at, fmt::format("template {} has a '{{' without its '}}'", in_quotes(pattern)));
            return;
        }
        const std::string name = pattern.substr(pos + 1, close - pos - 1);
        if (std::ranges::find(placeholders, name) == placeholders.end()) {
            const std::vector<std::string> known(placeholders.begin(), placeholders.end());
            const auto suggestion = nearest(name, known);
            const std::string k_known = "placeholders are " + listed(placeholders);
            problems.error(
                at,
                fmt::format("unknown placeholder '{{{}}}' in template {}; {}", name, in_quotes(pattern),
                            suggestion ? fmt::format("did you mean '{{{}}}'? The {}", *suggestion, k_known)
                                       : fmt::format("the {}", k_known)));
        }
        pos = close + 1;
    }
}

// An idnumber template must tell the kind's cohorts apart (`keys`), and had better not use the
// label, which APOGÉE may change.
void idnumber_template_of(std::span<const std::string_view> placeholders,
                          std::span<const std::string_view> keys, std::string_view noun,
                          const std::string& pattern, const std::string& at, Problems& problems) {
    template_of(placeholders, pattern, at, problems);
    for (const auto key : keys) {
        if (pattern.find(fmt::format("{{{}}}", key)) == std::string::npos) {
            problems.error(at, fmt::format("template {} does not use {{{}}}, so every {} would get the same "
                                           "cohort idnumber",
                                           in_quotes(pattern), key, noun));
        }
    }
    if (pattern.find("{label}") != std::string::npos) {
        problems.warning(at, fmt::format("template {} uses {{label}}: renaming the {} in APOGÉE would then "
                                         "make a new cohort and empty the old one",
                                         in_quotes(pattern), noun));
    }
}

} // namespace

void cohort_template(const std::string& pattern, const std::string& at, Problems& problems) {
    template_of(k_etape_placeholders, pattern, at, problems);
}

void idnumber_template(const std::string& pattern, const std::string& at, Problems& problems) {
    constexpr std::array<std::string_view, 1> k_keys = {"etape"};
    idnumber_template_of(k_etape_placeholders, k_keys, "étape", pattern, at, problems);
}

void element_template(const std::string& pattern, const std::string& at, Problems& problems) {
    template_of(k_element_placeholders, pattern, at, problems);
}

void element_idnumber_template(const std::string& pattern, const std::string& at, Problems& problems) {
    constexpr std::array<std::string_view, 1> k_keys = {"element"};
    idnumber_template_of(k_element_placeholders, k_keys, "element", pattern, at, problems);
}

void group_template(const std::string& pattern, const std::string& at, Problems& problems) {
    template_of(k_group_placeholders, pattern, at, problems);
}

void group_idnumber_template(const std::string& pattern, const std::string& at, Problems& problems) {
    constexpr std::array<std::string_view, 2> k_keys = {"element", "group"};
    idnumber_template_of(k_group_placeholders, k_keys, "group", pattern, at, problems);
}

} // namespace cohort_sync::config_detail
