#include "cohort_sync/redact.hpp"

#include "cohort_sync/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace cohort_sync {
namespace {

constexpr std::string_view k_mask = "********";

// libpq keywords whose values are secrets. sslpassword unlocks a client key.
bool is_secret_keyword(std::string_view key) {
    static constexpr std::array<std::string_view, 2> k_secret = {"password", "sslpassword"};
    return std::ranges::any_of(k_secret, [&](std::string_view s) { return iequals_ascii(key, s); });
}

// A URI's secrets: the password of user:password@, and the values of password= and
// sslpassword= among its parameters (after the path, separated by '?' or '&'). Everything else
// is copied as it is.
ConninfoScan scan_uri(std::string_view uri) {
    ConninfoScan scan;
    auto& out = scan.redacted;
    const auto scheme_end = uri.find("://");
    if (scheme_end == std::string_view::npos) {
        out = uri;
        return scan;
    }
    const auto authority_begin = scheme_end + 3;
    const auto authority_end = std::min(uri.find_first_of("/?#", authority_begin), uri.size());
    const auto authority = uri.substr(authority_begin, authority_end - authority_begin);
    const auto at = authority.rfind('@');
    const auto colon =
        at == std::string_view::npos ? std::string_view::npos : authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) {
        out = uri.substr(0, authority_end);
    } else {
        scan.has_password = true;
        out = uri.substr(0, authority_begin + colon + 1);
        out += k_mask;
        out += authority.substr(at);
    }
    auto rest = uri.substr(authority_end);
    const auto query = rest.find('?');
    out += rest.substr(0, query);
    if (query != std::string_view::npos) {
        rest = rest.substr(query);
        // rest starts at a separator; each parameter runs to the next one.
        while (!rest.empty()) {
            out += rest.front();
            rest.remove_prefix(1);
            const auto end = std::min(rest.find_first_of("?&"), rest.size());
            const auto parameter = rest.substr(0, end);
            const auto equals = parameter.find('=');
            if (equals != std::string_view::npos && is_secret_keyword(parameter.substr(0, equals))) {
                scan.has_password = true;
                out += parameter.substr(0, equals + 1);
                out += k_mask;
            } else {
                out += parameter;
            }
            rest.remove_prefix(end);
        }
    }
    return scan;
}

} // namespace

std::string redact_uri(std::string_view uri) {
    return scan_uri(uri).redacted;
}

ConninfoScan scan_conninfo(std::string_view conninfo) {
    ConninfoScan scan;
    if (conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://")) {
        return scan_uri(conninfo);
    }
    const auto n = conninfo.size();
    const auto space = [&](std::size_t i) {
        return std::isspace(static_cast<unsigned char>(conninfo[i])) != 0;
    };
    // A backslash escapes the next character, in quoted and unquoted values alike (libpq).
    const auto skip_char = [&](std::size_t i) { return std::min(i + (conninfo[i] == '\\' ? 2 : 1), n); };
    auto& out = scan.redacted;
    std::size_t i = 0;
    while (i < n) {
        if (space(i)) {
            out += conninfo[i++];
            continue;
        }
        const auto keyword_begin = i;
        while (i < n && conninfo[i] != '=' && !space(i)) {
            ++i;
        }
        const auto keyword = conninfo.substr(keyword_begin, i - keyword_begin);
        out += keyword;
        while (i < n && space(i)) {
            out += conninfo[i++];
        }
        if (i == n || conninfo[i] != '=') {
            scan.malformed = true;
            continue;
        }
        out += conninfo[i++];
        while (i < n && space(i)) {
            out += conninfo[i++];
        }
        const auto value_begin = i;
        const bool quoted = i < n && conninfo[i] == '\'';
        if (quoted) {
            ++i;
            while (i < n && conninfo[i] != '\'') {
                i = skip_char(i);
            }
            if (i == n) {
                scan.malformed = true;
            } else {
                ++i;
            }
        } else {
            while (i < n && !space(i)) {
                i = skip_char(i);
            }
        }
        const bool secret = is_secret_keyword(keyword);
        scan.has_password = scan.has_password || secret;
        if (!secret) {
            out += conninfo.substr(value_begin, i - value_begin);
        } else if (quoted) {
            // Still quoted once masked: a parameter written right after the closing quote
            // ("password='x'host=db", which libpq reads as two) stays apart from the mask.
            out += '\'';
            out += k_mask;
            out += '\'';
        } else {
            out += k_mask;
        }
    }
    return scan;
}

std::string redact_conninfo(std::string_view conninfo) {
    return scan_conninfo(conninfo).redacted;
}

} // namespace cohort_sync
