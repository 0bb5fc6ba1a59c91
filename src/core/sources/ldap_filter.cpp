#include "cohort_sync/ldap_filter.hpp"

#include <fmt/format.h>
#include <stdexcept>

namespace cohort_sync {
namespace {

bool is_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_keychar(char c) {
    return is_alpha(c) || is_digit(c) || c == '-';
}

// keystring = leadkeychar *keychar (RFC 4512 section 1.4).
bool is_keystring(std::string_view s) {
    if (s.empty() || !is_alpha(s.front())) {
        return false;
    }
    for (char c : s) {
        if (!is_keychar(c)) {
            return false;
        }
    }
    return true;
}

// numericoid = number 1*( DOT number ), number = DIGIT / ( LDIGIT 1*DIGIT ).
bool is_numeric_oid(std::string_view s) {
    int parts = 0;
    while (true) {
        const auto dot = s.find('.');
        const auto number = s.substr(0, dot);
        if (number.empty() || (number.size() > 1 && number.front() == '0')) {
            return false;
        }
        for (char c : number) {
            if (!is_digit(c)) {
                return false;
            }
        }
        ++parts;
        if (dot == std::string_view::npos) {
            return parts >= 2;
        }
        s.remove_prefix(dot + 1);
    }
}

// attributedescription = attributetype options; options = *( SEMI option ).
bool is_attribute_description(std::string_view s) {
    auto semi = s.find(';');
    const auto type = s.substr(0, semi);
    if (!is_keystring(type) && !is_numeric_oid(type)) {
        return false;
    }
    while (semi != std::string_view::npos) {
        s.remove_prefix(semi + 1);
        semi = s.find(';');
        if (!is_keystring(s.substr(0, semi))) {
            return false;
        }
    }
    return true;
}

} // namespace

std::string escape_filter_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '*':
            out += "\\2a";
            break;
        case '(':
            out += "\\28";
            break;
        case ')':
            out += "\\29";
            break;
        case '\\':
            out += "\\5c";
            break;
        case '\0':
            out += "\\00";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string equality_filter(std::string_view attribute, std::string_view value) {
    if (!is_attribute_description(attribute)) {
        throw std::invalid_argument(fmt::format(
            "'{}' is not an LDAP attribute name (letters, digits and '-', or an OID)", attribute));
    }
    return fmt::format("({}={})", attribute, escape_filter_value(value));
}

} // namespace cohort_sync
