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

std::string redact_uri_userinfo(std::string_view uri) {
    const auto scheme_end = uri.find("://");
    if (scheme_end == std::string_view::npos) {
        return std::string(uri);
    }
    const auto authority_begin = scheme_end + 3;
    const auto authority_end = uri.find_first_of("/?#", authority_begin);
    const auto authority = uri.substr(authority_begin, authority_end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : authority_end - authority_begin);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos) {
        return std::string(uri);
    }
    const auto colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) {
        return std::string(uri);
    }
    std::string out(uri.substr(0, authority_begin + colon + 1));
    out += k_mask;
    out += uri.substr(authority_begin + at);
    return out;
}

// Also hides "password=..." in a URI's query string.
std::string redact_query_passwords(const std::string& uri) {
    std::string out = uri;
    for (std::string_view key : {"password=", "sslpassword="}) {
        std::size_t pos = 0;
        while ((pos = out.find(key, pos)) != std::string::npos) {
            const bool at_param_start = pos > 0 && (out[pos - 1] == '?' || out[pos - 1] == '&');
            const auto value_begin = pos + key.size();
            const auto value_end = std::min(out.find('&', value_begin), out.size());
            if (at_param_start) {
                out.replace(value_begin, value_end - value_begin, k_mask);
            }
            pos = value_begin;
        }
    }
    return out;
}

} // namespace

std::string redact_uri(std::string_view uri) {
    return redact_query_passwords(redact_uri_userinfo(uri));
}

ConninfoScan scan_conninfo(std::string_view conninfo) {
    ConninfoScan scan;
    if (conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://")) {
        scan.redacted = redact_uri(conninfo);
        scan.has_password = scan.redacted != conninfo;
        return scan;
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
        if (i < n && conninfo[i] == '\'') {
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
        out += secret ? k_mask : conninfo.substr(value_begin, i - value_begin);
    }
    return scan;
}

std::string redact_conninfo(std::string_view conninfo) {
    return scan_conninfo(conninfo).redacted;
}

} // namespace cohort_sync
