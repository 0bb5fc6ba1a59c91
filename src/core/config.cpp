// The configuration file: one table (options()) names every key with its type, default,
// requirement, documentation and the Config member it sets. Parsing, unknown-key detection,
// "did you mean" suggestions and print_config() are all driven by that table, so a new key
// is one new row.
#include "cohort_sync/config.hpp"

#include "cohort_sync/redact.hpp"
#include "cohort_sync/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <type_traits>
#include <utility>

namespace cohort_sync {
namespace {

// ordered_json keeps the document's key order, so problems come out in the order the user
// wrote the keys, and print_config() follows the table's order.
using Json = nlohmann::ordered_json;

// ---- Small text helpers ---------------------------------------------------------------------

// The form keys are compared in for suggestions: "baseDN", "base-dn" and "base_dn" are one key.
std::string fold_key(std::string_view key) {
    std::string out;
    for (const unsigned char c : key) {
        if (c != '_' && c != '-') {
            out += static_cast<char>(std::tolower(c));
        }
    }
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        previous[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// The candidate nearest to `key`, when it is close enough to be what the user meant.
std::optional<std::string> nearest(std::string_view key, const std::vector<std::string>& candidates) {
    const std::string folded = fold_key(key);
    // A third of the key's length: "pag_size" finds "page_size", "foo" finds nothing.
    const std::size_t allowed = std::max<std::size_t>(1, (folded.size() + 1) / 3);
    std::optional<std::string> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : candidates) {
        const std::size_t distance = edit_distance(folded, fold_key(candidate));
        if (distance <= allowed && distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    if (best || folded.size() < 4) {
        return best;
    }
    // A key cut short: "timeout" finds "timeout_seconds".
    for (const auto& candidate : candidates) {
        const std::string folded_candidate = fold_key(candidate);
        if (folded_candidate.starts_with(folded) && (!best || candidate.size() < best->size())) {
            best = candidate;
        }
    }
    return best;
}

// Escapes a key for a JSON pointer (RFC 6901).
std::string pointer_token(std::string_view key) {
    std::string out;
    for (const char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string_view last_token(std::string_view path) {
    return path.substr(path.rfind('/') + 1);
}

std::string_view parent_of(std::string_view path) {
    return path.substr(0, path.rfind('/'));
}

// Cuts a quoted value short at a UTF-8 character boundary, so messages stay one line.
std::string shorten(std::string text) {
    constexpr std::size_t k_max = 60;
    if (text.size() <= k_max) {
        return text;
    }
    std::size_t cut = k_max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return text.substr(0, cut) + "...";
}

// Never throws on invalid UTF-8 (a lone byte of a multi-byte character, say).
std::string json_text(const Json& value, int indent = -1) {
    return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string in_quotes(std::string_view text) {
    return shorten(json_text(Json(std::string(text))));
}

// "a string (\"500\")", "an object", "null": what the user wrote, for "expected X, got Y".
std::string describe(const Json& value) {
    switch (value.type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::object:
        return "an object";
    case Json::value_t::array:
        return "an array";
    case Json::value_t::string:
        return fmt::format("a string ({})", shorten(json_text(value)));
    case Json::value_t::boolean:
        return fmt::format("a boolean ({})", value.dump());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
        return fmt::format("a number ({})", value.dump());
    default:
        return value.type_name();
    }
}

// ---- Problems -------------------------------------------------------------------------------

struct Problems {
    Issues issues;
    std::set<std::string> bad_paths; // keys whose value was refused: their checks are moot

    void error(const std::string& at, std::string message) {
        bad_paths.insert(at);
        issues.push_back({Severity::error, at, std::move(message)});
    }
    void warning(const std::string& at, std::string message) {
        issues.push_back({Severity::warning, at, std::move(message)});
    }
    bool refused(const std::string& at) const { return bad_paths.contains(at); }
};

void wrong_type(Problems& problems, const std::string& at, std::string_view expected, const Json& value) {
    problems.error(at, fmt::format("expected {}, got {}", expected, describe(value)));
}

// ---- Codecs: JSON <-> one member's type -------------------------------------------------------

template <class T> struct Codec;

template <> struct Codec<bool> {
    static constexpr std::string_view k_type = "boolean";
    static std::optional<bool> decode(const Json& value, const std::string& at, Problems& problems) {
        if (!value.is_boolean()) {
            wrong_type(problems, at, "a boolean (true or false)", value);
            return std::nullopt;
        }
        return value.get<bool>();
    }
    static Json encode(bool value) { return value; }
};

template <class Int>
std::optional<Int> decode_integer(const Json& value, const std::string& at, Problems& problems) {
    if (value.is_number_unsigned()) {
        const auto number = value.get<std::uint64_t>();
        if (number > static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) {
            problems.error(at, fmt::format("integer {} is out of range", number));
            return std::nullopt;
        }
        return static_cast<Int>(number);
    }
    if (value.is_number_integer()) {
        const auto number = value.get<std::int64_t>();
        if (number < std::numeric_limits<Int>::min() || number > std::numeric_limits<Int>::max()) {
            problems.error(at, fmt::format("integer {} is out of range", number));
            return std::nullopt;
        }
        return static_cast<Int>(number);
    }
    wrong_type(problems, at, "an integer", value);
    return std::nullopt;
}

template <> struct Codec<int> {
    static constexpr std::string_view k_type = "integer";
    static std::optional<int> decode(const Json& value, const std::string& at, Problems& problems) {
        return decode_integer<int>(value, at, problems);
    }
    static Json encode(int value) { return value; }
};

template <> struct Codec<std::int64_t> {
    static constexpr std::string_view k_type = "integer";
    static std::optional<std::int64_t> decode(const Json& value, const std::string& at, Problems& problems) {
        return decode_integer<std::int64_t>(value, at, problems);
    }
    static Json encode(std::int64_t value) { return value; }
};

template <> struct Codec<double> {
    static constexpr std::string_view k_type = "number";
    static std::optional<double> decode(const Json& value, const std::string& at, Problems& problems) {
        if (!value.is_number()) {
            wrong_type(problems, at, "a number", value);
            return std::nullopt;
        }
        return value.get<double>();
    }
    static Json encode(double value) { return value; }
};

template <> struct Codec<std::string> {
    static constexpr std::string_view k_type = "string";
    static std::optional<std::string> decode(const Json& value, const std::string& at, Problems& problems) {
        if (!value.is_string()) {
            wrong_type(problems, at, "a string", value);
            return std::nullopt;
        }
        return value.get<std::string>();
    }
    static Json encode(const std::string& value) { return value; }
};

template <> struct Codec<std::vector<std::string>> {
    static constexpr std::string_view k_type = "array of strings";
    static std::optional<std::vector<std::string>> decode(const Json& value, const std::string& at,
                                                          Problems& problems) {
        if (!value.is_array()) {
            wrong_type(problems, at, "an array of strings", value);
            return std::nullopt;
        }
        std::vector<std::string> out;
        bool ok = true;
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (!value[i].is_string()) {
                wrong_type(problems, fmt::format("{}/{}", at, i), "a string", value[i]);
                ok = false;
                continue;
            }
            out.push_back(value[i].get<std::string>());
        }
        if (!ok) {
            problems.bad_paths.insert(at);
            return std::nullopt;
        }
        return out;
    }
    static Json encode(const std::vector<std::string>& value) { return value; }
};

// A one-byte string: the export's delimiter or quote. "\t" in JSON is a tab.
template <> struct Codec<char> {
    static constexpr std::string_view k_type = "one-character string";
    static std::optional<char> decode(const Json& value, const std::string& at, Problems& problems) {
        if (!value.is_string()) {
            wrong_type(problems, at, "a one-character string", value);
            return std::nullopt;
        }
        const auto& text = value.get_ref<const std::string&>();
        if (text.size() != 1) {
            problems.error(
                at, fmt::format("expected a one-character string, got {} ({} bytes); HINT: the export "
                                "is read byte by byte, so the character must be ASCII (\"\\t\" is a tab)",
                                in_quotes(text), text.size()));
            return std::nullopt;
        }
        return text[0];
    }
    static Json encode(char value) { return std::string(1, value); }
};

int days_in_month(int month) {
    // 02-29 is refused: a yearly switch date must exist every year.
    static constexpr std::array<int, 12> k_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return k_days.at(static_cast<std::size_t>(month - 1));
}

template <> struct Codec<MonthDay> {
    static constexpr std::string_view k_type = "date \"MM-DD\"";
    static std::optional<MonthDay> decode(const Json& value, const std::string& at, Problems& problems) {
        if (!value.is_string()) {
            wrong_type(problems, at, "a date \"MM-DD\"", value);
            return std::nullopt;
        }
        const auto& text = value.get_ref<const std::string&>();
        const auto digit = [&](std::size_t i) {
            return std::isdigit(static_cast<unsigned char>(text[i])) != 0;
        };
        if (text.size() != 5 || !digit(0) || !digit(1) || text[2] != '-' || !digit(3) || !digit(4)) {
            problems.error(
                at, fmt::format("expected a date \"MM-DD\" (like \"09-01\"), got {}", in_quotes(text)));
            return std::nullopt;
        }
        const MonthDay date{(text[0] - '0') * 10 + (text[1] - '0'), (text[3] - '0') * 10 + (text[4] - '0')};
        if (date.month < 1 || date.month > 12) {
            problems.error(at, fmt::format("invalid date {}: the month must be 01 to 12", in_quotes(text)));
            return std::nullopt;
        }
        if (date.day < 1 || date.day > days_in_month(date.month)) {
            problems.error(at, fmt::format("invalid date {}: day {} does not exist every year in month {:02}",
                                           in_quotes(text), date.day, date.month));
            return std::nullopt;
        }
        return date;
    }
    static Json encode(MonthDay value) { return fmt::format("{:02}-{:02}", value.month, value.day); }
};

template <> struct Codec<std::optional<MonthDay>> {
    static constexpr std::string_view k_type = "date \"MM-DD\" or null";
    static std::optional<std::optional<MonthDay>> decode(const Json& value, const std::string& at,
                                                         Problems& problems) {
        if (value.is_null()) {
            return std::optional<MonthDay>{};
        }
        if (auto date = Codec<MonthDay>::decode(value, at, problems)) {
            return std::optional<MonthDay>{*date};
        }
        return std::nullopt;
    }
    static Json encode(const std::optional<MonthDay>& value) {
        return value ? Codec<MonthDay>::encode(*value) : Json(nullptr);
    }
};

// Enumerations are spelt as strings; the first name of a value is the one printed.
template <class Enum> struct Spelling {
    std::string_view name;
    Enum value;
};

template <class Enum, std::size_t N>
std::optional<Enum> decode_enum(const Json& value, const std::string& at, Problems& problems,
                                const std::array<Spelling<Enum>, N>& spellings, std::size_t canonical_count) {
    std::string choices;
    for (std::size_t i = 0; i < canonical_count; ++i) {
        choices += fmt::format("{}\"{}\"", i == 0 ? "" : ", ", spellings[i].name);
    }
    if (!value.is_string()) {
        wrong_type(problems, at, fmt::format("one of {}", choices), value);
        return std::nullopt;
    }
    const std::string name = to_lower_ascii(value.get_ref<const std::string&>());
    for (const auto& spelling : spellings) {
        if (name == spelling.name) {
            return spelling.value;
        }
    }
    problems.error(at, fmt::format("unknown value {}; expected one of {}",
                                   in_quotes(value.get_ref<const std::string&>()), choices));
    return std::nullopt;
}

template <class Enum, std::size_t N>
std::string_view enum_name(Enum value, const std::array<Spelling<Enum>, N>& spellings) {
    for (const auto& spelling : spellings) {
        if (spelling.value == value) {
            return spelling.name;
        }
    }
    return "?";
}

// Canonical names first, then accepted aliases (compared lower-cased).
constexpr std::array<Spelling<Encoding>, 9> k_encodings = {{
    {"utf-8", Encoding::utf8},
    {"iso-8859-1", Encoding::iso_8859_1},
    {"windows-1252", Encoding::windows_1252},
    {"utf8", Encoding::utf8},
    {"latin1", Encoding::iso_8859_1},
    {"latin-1", Encoding::iso_8859_1},
    {"iso8859-1", Encoding::iso_8859_1},
    {"iso_8859-1", Encoding::iso_8859_1},
    {"cp1252", Encoding::windows_1252},
}};

template <> struct Codec<Encoding> {
    static constexpr std::string_view k_type = "\"utf-8\", \"iso-8859-1\" or \"windows-1252\"";
    static std::optional<Encoding> decode(const Json& value, const std::string& at, Problems& problems) {
        return decode_enum(value, at, problems, k_encodings, 3);
    }
    static Json encode(Encoding value) { return enum_name(value, k_encodings); }
};

constexpr std::array<Spelling<MembershipRule>, 4> k_rules = {{
    {"both", MembershipRule::both},
    {"export", MembershipRule::exportonly},
    {"directory", MembershipRule::directory},
    {"union", MembershipRule::union_},
}};

template <> struct Codec<MembershipRule> {
    static constexpr std::string_view k_type = "\"both\", \"export\", \"directory\" or \"union\"";
    static std::optional<MembershipRule> decode(const Json& value, const std::string& at,
                                                Problems& problems) {
        return decode_enum(value, at, problems, k_rules, k_rules.size());
    }
    static Json encode(MembershipRule value) { return enum_name(value, k_rules); }
};

constexpr std::array<Spelling<MatchBy>, 2> k_match_by = {{
    {"username", MatchBy::username},
    {"idnumber", MatchBy::idnumber},
}};

template <> struct Codec<MatchBy> {
    static constexpr std::string_view k_type = "\"username\" or \"idnumber\"";
    static std::optional<MatchBy> decode(const Json& value, const std::string& at, Problems& problems) {
        return decode_enum(value, at, problems, k_match_by, k_match_by.size());
    }
    static Json encode(MatchBy value) { return enum_name(value, k_match_by); }
};

// ---- Checks of one value ----------------------------------------------------------------------

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

void ratio(const double& value, const std::string& at, Problems& problems) {
    if (!(value >= 0.0 && value <= 1.0)) {
        problems.error(
            at,
            fmt::format("{} is out of range: a ratio is between 0 and 1; HINT: write 10% as 0.10", value));
    }
}

// Moodle's auth plugin names: lower-case letters, digits and '_' (auth/<name>/ in Moodle's tree).
void auth_plugin(const std::string& value, const std::string& at, Problems& problems) {
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

// An attribute description (RFC 4512): a name such as "supannEtuId", or a numeric OID, with
// optional ";options". Filters are built from it unescaped, so it is checked here, at load.
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

constexpr std::array<std::string_view, 4> k_placeholders = {"etape", "version", "label", "year"};

// The placeholders merge's expand_template() knows; anything else in braces is refused here
// so that a typo never ends up verbatim in a cohort's idnumber.
void cohort_template(const std::string& pattern, const std::string& at, Problems& problems) {
    std::size_t pos = 0;
    while ((pos = pattern.find('{', pos)) != std::string::npos) {
        const auto close = pattern.find('}', pos);
        if (close == std::string::npos) {
            problems.error(at, fmt::format("template {} has a '{{' without its '}}'", in_quotes(pattern)));
            return;
        }
        const std::string name = pattern.substr(pos + 1, close - pos - 1);
        if (std::ranges::find(k_placeholders, name) == k_placeholders.end()) {
            const std::vector<std::string> known(k_placeholders.begin(), k_placeholders.end());
            const auto suggestion = nearest(name, known);
            constexpr std::string_view k_known = "placeholders are {etape}, {version}, {label} and {year}";
            problems.error(
                at,
                fmt::format("unknown placeholder '{{{}}}' in template {}; {}", name, in_quotes(pattern),
                            suggestion ? fmt::format("did you mean '{{{}}}'? The {}", *suggestion, k_known)
                                       : fmt::format("the {}", k_known)));
        }
        pos = close + 1;
    }
}

void idnumber_template(const std::string& pattern, const std::string& at, Problems& problems) {
    cohort_template(pattern, at, problems);
    if (pattern.find("{etape}") == std::string::npos) {
        problems.error(at,
                       fmt::format("template {} does not use {{etape}}, so every étape would get the same "
                                   "cohort idnumber",
                                   in_quotes(pattern)));
    }
    if (pattern.find("{label}") != std::string::npos) {
        problems.warning(at,
                         fmt::format("template {} uses {{label}}: renaming the étape in APOGÉE would then "
                                     "make a new cohort and empty the old one",
                                     in_quotes(pattern)));
    }
}

// ---- The table --------------------------------------------------------------------------------

enum class Need { optional, required, required_unless_directory };

struct Option {
    std::string_view path;
    std::string_view type;
    Need need = Need::optional;
    std::string_view doc;
    std::function<void(const Json&, const std::string& at, Config&, Problems&)> read;
    std::function<Json(const Config&)> write;
};

// The member of Config that a chain of pointers to members designates, e.g.
// member_of<&Config::ldap, &LdapConfig::page_size>(config) is config.ldap.page_size.
template <auto... Members, class C> auto& member_of(C& config) {
    return (config.*....*Members);
}

template <auto... Members>
using MemberType = std::remove_cvref_t<decltype(member_of<Members...>(std::declval<Config&>()))>;

template <auto... Members>
Option option(std::string_view path, Need need, std::string_view doc,
              Check<MemberType<Members...>> check = {}) {
    using T = MemberType<Members...>;
    Option row{path, Codec<T>::k_type, need, doc, {}, {}};
    row.read = [check](const Json& value, const std::string& at, Config& config, Problems& problems) {
        if (auto decoded = Codec<T>::decode(value, at, problems)) {
            if (check) {
                check(*decoded, at, problems);
            }
            member_of<Members...>(config) = std::move(*decoded);
        }
    };
    row.write = [](const Config& config) { return Codec<T>::encode(member_of<Members...>(config)); };
    return row;
}

const std::vector<Option>& options() {
    using enum Need;
    using C = Config;
    using L = LdapConfig;
    using A = LdapAttributes;
    using E = ExportConfig;
    using X = ExportColumns;
    using M = MembershipConfig;
    using D = MoodleConfig;
    using G = GuardConfig;
    using P = ProvisioningConfig;
    using R = ReportConfig;
    static const std::vector<Option> k_options = {
        option<&C::ldap, &L::uris>("/ldap/uris", required, "LDAP servers, tried in order until one answers.",
                                   ldap_uris),
        option<&C::ldap, &L::starttls>("/ldap/starttls", optional, "Use StartTLS on ldap:// URIs."),
        option<&C::ldap, &L::ca_file>("/ldap/ca_file", optional,
                                      "CA certificates for the LDAP servers; empty: the system's store."),
        option<&C::ldap, &L::verify_certificate>("/ldap/verify_certificate", optional,
                                                 "Check the LDAP server's certificate."),
        option<&C::ldap, &L::bind_dn>("/ldap/bind_dn", optional, "DN to bind as; empty: anonymous bind."),
        option<&C::ldap, &L::password_file>("/ldap/password_file", optional,
                                            "File holding the bind password (one line)."),
        option<&C::ldap, &L::password_credential>("/ldap/password_credential", optional,
                                                  "systemd credential holding the bind password.",
                                                  credential_name),
        option<&C::ldap, &L::base_dn>("/ldap/base_dn", required, "Where the student entries are searched.",
                                      non_empty),
        option<&C::ldap, &L::filter>("/ldap/filter", optional, "LDAP filter selecting the student entries.",
                                     ldap_filter),
        option<&C::ldap, &L::paged_results>("/ldap/paged_results", optional,
                                            "Read the entries in pages (RFC 2696)."),
        option<&C::ldap, &L::page_size>("/ldap/page_size", optional, "Entries per page.", in_range(1, 10000)),
        option<&C::ldap, &L::network_timeout_seconds>("/ldap/network_timeout_seconds", optional,
                                                      "Seconds to wait for a connection to a server.",
                                                      positive<int>()),
        option<&C::ldap, &L::timeout_seconds>("/ldap/timeout_seconds", optional,
                                              "Seconds to wait for each search operation (each page).",
                                              positive<int>()),
        option<&C::ldap, &L::attributes, &A::login>("/ldap/attributes/login", optional,
                                                    "Attribute holding the Moodle username.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::student_number>("/ldap/attributes/student_number", optional,
                                                             "Attribute holding the student number.",
                                                             ldap_attribute),
        option<&C::ldap, &L::attributes, &A::etapes>(
            "/ldap/attributes/etapes", optional, "Attribute listing the student's étapes.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::first_name>("/ldap/attributes/first_name", optional,
                                                         "Attribute holding the first name.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::last_name>("/ldap/attributes/last_name", optional,
                                                        "Attribute holding the last name.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::mail>("/ldap/attributes/mail", optional,
                                                   "Attribute holding the mail address.", ldap_attribute),
        option<&C::ldap, &L::institution_uai>(
            "/ldap/institution_uai", optional,
            "Keep only étape values of this institution (UAI); empty: all."),

        option<&C::apogee, &E::path>("/apogee/path", required_unless_directory,
                                     "The APOGÉE export file (CSV).", non_empty),
        option<&C::apogee, &E::delimiter>("/apogee/delimiter", optional, "Field delimiter of the export."),
        option<&C::apogee, &E::quote>("/apogee/quote", optional, "Quote character of the export."),
        option<&C::apogee, &E::encoding>("/apogee/encoding", optional, "Character encoding of the export."),
        option<&C::apogee, &E::columns, &X::year>("/apogee/columns/year", optional,
                                                  "Column of the academic year (first calendar year).",
                                                  non_empty),
        option<&C::apogee, &E::columns, &X::student_number>("/apogee/columns/student_number", optional,
                                                            "Column of the student number.", non_empty),
        option<&C::apogee, &E::columns, &X::etape>("/apogee/columns/etape", optional,
                                                   "Column of the étape code.", non_empty),
        option<&C::apogee, &E::columns, &X::version>("/apogee/columns/version", optional,
                                                     "Column of the étape version.", non_empty),
        option<&C::apogee, &E::columns, &X::status>("/apogee/columns/status", optional,
                                                    "Column of the inscription status.", non_empty),
        option<&C::apogee, &E::columns, &X::label>("/apogee/columns/label", optional,
                                                   "Column of the étape label; empty: no label column."),
        option<&C::apogee, &E::active_statuses>("/apogee/active_statuses", optional,
                                                "Statuses that make an inscription count.", one_or_more),
        option<&C::apogee, &E::max_bad_rows>("/apogee/max_bad_rows", optional,
                                             "Past this many bad rows the whole export is refused.",
                                             at_least(0)),
        option<&C::apogee, &E::max_age_hours>("/apogee/max_age_hours", optional,
                                              "An older export is refused (hours).", positive<double>()),
        option<&C::apogee, &E::min_rows>("/apogee/min_rows", optional,
                                         "An export with fewer data rows is refused.", at_least(0)),
        option<&C::apogee, &E::trailer>("/apogee/trailer", optional,
                                        "The last line holds the row count, checked against the rows read."),
        option<&C::apogee, &E::rollover>("/apogee/rollover", optional,
                                         "Date the active academic year changes (MM-DD)."),
        option<&C::apogee, &E::overlap_until>(
            "/apogee/overlap_until", optional,
            "Last year's inscriptions still count until this date; null: never."),

        option<&C::membership, &M::rule>("/membership/rule", optional,
                                         "Which source decides who is in a cohort."),
        option<&C::membership, &M::idnumber_template>("/membership/idnumber_template", optional,
                                                      "Cohort idnumber; identifies the cohort across runs.",
                                                      idnumber_template),
        option<&C::membership, &M::name_template>("/membership/name_template", optional,
                                                  "Cohort name shown in Moodle.", cohort_template),
        option<&C::membership, &M::description_template>("/membership/description_template", optional,
                                                         "Cohort description shown in Moodle.",
                                                         cohort_template),
        option<&C::membership, &M::etape_patterns>("/membership/etape_patterns", optional,
                                                   "Glob patterns of the étapes to manage; empty: all.",
                                                   none_empty),

        option<&C::moodle, &D::conninfo>("/moodle/conninfo", required,
                                         "libpq connection string of Moodle's database (no password).",
                                         non_empty),
        option<&C::moodle, &D::prefix>("/moodle/prefix", optional, "Moodle's table prefix.", sql_identifier),
        option<&C::moodle, &D::schema>("/moodle/schema", optional, "Schema of Moodle's tables.",
                                       sql_identifier),
        option<&C::moodle, &D::state_schema>("/moodle/state_schema", optional,
                                             "Schema of cohort-sync's own tables (run history, grace state).",
                                             sql_identifier),
        option<&C::moodle, &D::match_by>("/moodle/match_by", optional,
                                         "Moodle user field matched: LDAP login or student number."),
        option<&C::moodle, &D::component>("/moodle/component", optional,
                                          "Component marking the cohorts cohort-sync manages.", non_empty),
        option<&C::moodle, &D::context_id>("/moodle/context_id", optional, "Context of new cohorts.",
                                           at_least<std::int64_t>(1)),
        option<&C::moodle, &D::visible>("/moodle/visible", optional, "New cohorts are visible."),
        option<&C::moodle, &D::statement_timeout_seconds>("/moodle/statement_timeout_seconds", optional,
                                                          "PostgreSQL statement_timeout (seconds).",
                                                          positive<int>()),
        option<&C::moodle, &D::lock_timeout_seconds>("/moodle/lock_timeout_seconds", optional,
                                                     "PostgreSQL lock_timeout (seconds).", positive<int>()),
        option<&C::moodle, &D::empty_vanished_cohorts>("/moodle/empty_vanished_cohorts", optional,
                                                       "Empty a managed cohort whose étape has nobody left."),
        option<&C::moodle, &D::grace_runs>("/moodle/grace_runs", optional,
                                           "Runs a member must be absent before removal.", at_least(1)),
        option<&C::moodle, &D::post_commit_command>(
            "/moodle/post_commit_command", optional,
            "Command (argv) run after a commit that changed something.", none_empty),

        option<&C::provisioning, &P::enabled>("/provisioning/enabled", optional,
                                              "Create the Moodle accounts of students who have none."),
        option<&C::provisioning, &P::auth>(
            "/provisioning/auth", optional,
            "Moodle auth plugin of the accounts created (cas, ldap, shibboleth...).", auth_plugin),

        option<&C::guards, &G::min_directory_entries>("/guards/min_directory_entries", optional,
                                                      "Refuse a directory read with fewer entries.",
                                                      at_least(0)),
        option<&C::guards, &G::min_export_inscriptions>("/guards/min_export_inscriptions", optional,
                                                        "Refuse an export with fewer active inscriptions.",
                                                        at_least(0)),
        option<&C::guards, &G::max_source_shrink_ratio>("/guards/max_source_shrink_ratio", optional,
                                                        "Largest shrink of a source since the last run.",
                                                        ratio),
        option<&C::guards, &G::max_etape_shrink_ratio>("/guards/max_etape_shrink_ratio", optional,
                                                       "Largest shrink of one étape since the last run.",
                                                       ratio),
        option<&C::guards, &G::max_removals>("/guards/max_removals", optional, "Most removals in one run.",
                                             at_least(0)),
        option<&C::guards, &G::max_cohort_removal_ratio>("/guards/max_cohort_removal_ratio", optional,
                                                         "Largest share of one cohort removed in one run.",
                                                         ratio),
        option<&C::guards, &G::min_cohort_size>("/guards/min_cohort_size", optional,
                                                "Smaller cohorts are exempt from the ratio guards.",
                                                at_least(0)),
        option<&C::guards, &G::max_total_removal_ratio>(
            "/guards/max_total_removal_ratio", optional,
            "Largest share of all memberships removed in one run.", ratio),

        option<&C::guards, &G::max_accounts_created>("/guards/max_accounts_created", optional,
                                                     "Most Moodle accounts provisioning creates in one run.",
                                                     at_least(0)),

        option<&C::report, &R::directory>("/report/directory", optional, "Where run reports are written.",
                                          non_empty),
        option<&C::report, &R::keep>("/report/keep", optional, "Reports kept; older ones are deleted.",
                                     at_least(1)),
        option<&C::report, &R::prometheus_textfile>("/report/prometheus_textfile", optional,
                                                    "Metrics file for node_exporter; empty: none."),
    };
    return k_options;
}

const Option* find_option(std::string_view path) {
    const auto& all = options();
    const auto it = std::ranges::find(all, path, &Option::path);
    return it == all.end() ? nullptr : &*it;
}

// An object in the layout ("/ldap", "/ldap/attributes"): a proper prefix of some key's path.
bool is_section(std::string_view path) {
    return std::ranges::any_of(options(), [&](const Option& row) {
        return row.path.size() > path.size() && row.path.starts_with(path) && row.path[path.size()] == '/';
    });
}

// The keys allowed directly inside the object at `path`.
std::vector<std::string> keys_of(std::string_view path) {
    std::vector<std::string> keys;
    for (const auto& row : options()) {
        if (row.path.size() > path.size() && row.path.starts_with(path) && row.path[path.size()] == '/') {
            std::string_view rest = row.path.substr(path.size() + 1);
            std::string key(rest.substr(0, rest.find('/')));
            if (std::ranges::find(keys, key) == keys.end()) {
                keys.push_back(std::move(key));
            }
        }
    }
    return keys;
}

// ---- Secrets ----------------------------------------------------------------------------------

constexpr std::string_view k_secret_hint =
    "HINT: give the LDAP bind password in a file named by ldap.password_file (readable by cohort-sync only) "
    "or "
    "as the systemd credential named by ldap.password_credential (LoadCredential=); PostgreSQL reads its "
    "password from ~/.pgpass, from the file named by PGPASSFILE or passfile=, or from a service file "
    "(moodle.conninfo \"service=NAME\")";

bool looks_secret(std::string_view key) {
    const std::string folded = fold_key(key);
    // "password_file" misplaced names a file, not a secret: it gets the "did you mean" instead.
    if (folded.ends_with("file") || folded.ends_with("credential")) {
        return false;
    }
    for (std::string_view word : {"password", "passwd", "passphrase", "secret", "pwd"}) {
        if (folded.find(word) != std::string::npos) {
            return true;
        }
    }
    return folded == "pass" || folded.ends_with("pw");
}

void secret_key(Problems& problems, const std::string& at, std::string_view key) {
    problems.error(at,
                   fmt::format("key '{}' would hold a secret, and secrets never live in the configuration "
                               "file (its value is not shown); {}",
                               key, k_secret_hint));
}

// Reports secret-looking keys anywhere below `value`, which is not part of the layout.
void scan_for_secrets(const Json& value, const std::string& at, Problems& problems) {
    if (value.is_object()) {
        for (const auto& [key, child] : value.items()) {
            const std::string child_at = at + "/" + pointer_token(key);
            if (looks_secret(key)) {
                secret_key(problems, child_at, key);
            } else {
                scan_for_secrets(child, child_at, problems);
            }
        }
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            scan_for_secrets(value[i], fmt::format("{}/{}", at, i), problems);
        }
    }
}

bool is_secret_conninfo_keyword(std::string_view keyword) {
    const std::string name = to_lower_ascii(keyword);
    return name == "password" || name == "sslpassword";
}

// True when a libpq connection string carries a password, in either of libpq's two forms.
// `malformed` is set when the keyword/value form cannot be read.
bool conninfo_has_password(std::string_view conninfo, bool& malformed) {
    malformed = false;
    if (conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://")) {
        const auto authority_begin = conninfo.find("://") + 3;
        const auto authority_end = conninfo.find_first_of("/?#", authority_begin);
        const auto authority = conninfo.substr(authority_begin, authority_end == std::string_view::npos
                                                                    ? std::string_view::npos
                                                                    : authority_end - authority_begin);
        const auto at = authority.rfind('@');
        if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
            return true;
        }
        const auto query = conninfo.find('?');
        if (query == std::string_view::npos) {
            return false;
        }
        std::string_view rest = conninfo.substr(query + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const auto param = rest.substr(0, amp);
            if (is_secret_conninfo_keyword(param.substr(0, param.find('=')))) {
                return true;
            }
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        }
        return false;
    }
    // keyword = value pairs; values may be single-quoted with backslash escapes (libpq's rules).
    const auto space = [&](std::size_t i) {
        return std::isspace(static_cast<unsigned char>(conninfo[i])) != 0;
    };
    std::size_t i = 0;
    const std::size_t n = conninfo.size();
    bool found = false;
    while (i < n) {
        while (i < n && space(i)) {
            ++i;
        }
        if (i == n) {
            break;
        }
        const std::size_t keyword_begin = i;
        while (i < n && conninfo[i] != '=' && !space(i)) {
            ++i;
        }
        const auto keyword = conninfo.substr(keyword_begin, i - keyword_begin);
        while (i < n && space(i)) {
            ++i;
        }
        if (i == n || conninfo[i] != '=') {
            malformed = true;
            return found;
        }
        ++i;
        while (i < n && space(i)) {
            ++i;
        }
        if (i < n && conninfo[i] == '\'') {
            ++i;
            while (i < n && conninfo[i] != '\'') {
                i += conninfo[i] == '\\' ? 2 : 1;
            }
            if (i >= n) {
                malformed = true;
                return found || is_secret_conninfo_keyword(keyword);
            }
            ++i;
        } else {
            while (i < n && !space(i)) {
                i += conninfo[i] == '\\' ? 2 : 1;
            }
        }
        found = found || is_secret_conninfo_keyword(keyword);
    }
    return found;
}

// ---- Reading the document ---------------------------------------------------------------------

struct Reader {
    Config config;
    Problems problems;
    std::set<std::string> present; // keys the document sets (valid or not)
    std::set<std::string> broken;  // sections that are not objects: their keys cannot be read

    void read_object(const Json& object, const std::string& at) {
        for (const auto& [key, value] : object.items()) {
            const std::string child = at + "/" + pointer_token(key);
            if (const Option* row = find_option(child)) {
                present.insert(child);
                row->read(value, child, config, problems);
            } else if (is_section(child)) {
                if (value.is_object()) {
                    read_object(value, child);
                } else {
                    wrong_type(problems, child, "an object", value);
                    broken.insert(child);
                }
            } else if (looks_secret(key)) {
                secret_key(problems, child, key);
            } else {
                unknown_key(child, key, at);
                scan_for_secrets(value, child, problems);
            }
        }
    }

    void unknown_key(const std::string& child, const std::string& key, const std::string& at) {
        if (const auto suggestion = nearest(key, keys_of(at))) {
            problems.error(child, fmt::format("unknown key '{}'; did you mean '{}'?", key, *suggestion));
            return;
        }
        // A key put in the wrong section: "conninfo" under "ldap".
        for (const auto& row : options()) {
            if (fold_key(last_token(row.path)) == fold_key(key) && parent_of(row.path) != at) {
                problems.error(child,
                               fmt::format("unknown key '{}' here; did you mean '{}'?", key, row.path));
                return;
            }
        }
        problems.error(child, fmt::format("unknown key '{}'", key));
    }

    bool needed(const Option& row) const {
        switch (row.need) {
        case Need::required:
            return true;
        case Need::required_unless_directory:
            return !problems.refused("/membership/rule") &&
                   config.membership.rule != MembershipRule::directory;
        case Need::optional:
            return false;
        }
        return false;
    }

    bool under_broken(std::string_view path) const {
        return std::ranges::any_of(broken, [&](const std::string& section) {
            return path.starts_with(section) && path.size() > section.size() && path[section.size()] == '/';
        });
    }

    void check_required() {
        for (const auto& row : options()) {
            const std::string path(row.path);
            if (needed(row) && !present.contains(path) && !under_broken(path)) {
                const bool by_rule = row.need == Need::required_unless_directory;
                problems.error(
                    path, fmt::format(
                              "required key '{}' ({}) is missing: {}{}", last_token(path), row.type, row.doc,
                              by_rule ? " It may be left out only with membership.rule \"directory\"." : ""));
            }
        }
    }

    bool ok(const char* path) const { return !problems.refused(path); }

    // Rules that tie several keys together.
    void check_across() {
        const LdapConfig& ldap = config.ldap;
        const bool has_password = !ldap.password_file.empty() || !ldap.password_credential.empty();
        if (!ldap.bind_dn.empty() && !has_password && ok("/ldap/password_file") &&
            ok("/ldap/password_credential")) {
            problems.error(
                "/ldap/bind_dn",
                fmt::format("bind_dn {} is set but neither ldap.password_file nor "
                            "ldap.password_credential is; HINT: set one of them, or remove bind_dn for "
                            "an anonymous bind",
                            in_quotes(ldap.bind_dn)));
        }
        if (ldap.bind_dn.empty() && ok("/ldap/bind_dn")) {
            for (const char* path : {"/ldap/password_file", "/ldap/password_credential"}) {
                const bool set = std::string_view(path) == "/ldap/password_file"
                                     ? !ldap.password_file.empty()
                                     : !ldap.password_credential.empty();
                if (set) {
                    problems.error(path,
                                   fmt::format("{} is set but ldap.bind_dn is empty, and an anonymous bind "
                                               "uses no password; HINT: set ldap.bind_dn to the DN the "
                                               "password belongs to",
                                               last_token(path)));
                }
            }
        }
        if (!ldap.verify_certificate) {
            problems.warning(
                "/ldap/verify_certificate",
                "certificate checking is disabled: any server can pose as the directory and feed "
                "cohort-sync a wrong student list; HINT: set ldap.ca_file to the CA that signed the "
                "servers' certificates instead");
        }
        if (!ldap.starttls && ok("/ldap/uris")) {
            for (std::size_t i = 0; i < ldap.uris.size(); ++i) {
                const auto uri = to_lower_ascii(ldap.uris[i]);
                // Loopback traffic never crosses a network: nothing to warn about.
                const bool loopback = uri.starts_with("ldap://127.") || uri.starts_with("ldap://localhost") ||
                                      uri.starts_with("ldap://[::1]");
                if (uri.starts_with("ldap://") && !loopback) {
                    problems.warning(
                        fmt::format("/ldap/uris/{}", i),
                        fmt::format("{} is used without StartTLS, so the directory's answers{} cross "
                                    "the network in clear; HINT: use ldaps:// or set ldap.starttls",
                                    in_quotes(redact_uri(ldap.uris[i])),
                                    ldap.bind_dn.empty() ? "" : " and the bind password"));
                }
            }
        }

        const ExportConfig& apogee = config.apogee;
        if (apogee.delimiter == apogee.quote && ok("/apogee/delimiter") && ok("/apogee/quote")) {
            problems.error("/apogee/quote", fmt::format("the quote character {} is also the delimiter",
                                                        in_quotes(std::string(1, apogee.quote))));
        }
        for (const char* path : {"/apogee/delimiter", "/apogee/quote"}) {
            const char c = std::string_view(path) == "/apogee/delimiter" ? apogee.delimiter : apogee.quote;
            if (ok(path) && (c == '\n' || c == '\r' || c == '\0')) {
                problems.error(path, "a line break or NUL cannot separate or quote fields");
            }
        }

        const MembershipConfig& membership = config.membership;
        const bool no_label = membership.rule == MembershipRule::directory || apogee.columns.label.empty();
        for (const auto& [path, pattern] :
             {std::pair{"/membership/name_template", &membership.name_template},
              std::pair{"/membership/description_template", &membership.description_template}}) {
            if (no_label && ok(path) && pattern->find("{label}") != std::string::npos) {
                problems.warning(
                    path, fmt::format("{} uses {{label}}, but {}, so the label is empty", last_token(path),
                                      membership.rule == MembershipRule::directory
                                          ? "with membership.rule \"directory\" no export is read"
                                          : "apogee.columns.label is empty"));
            }
        }

        bool malformed = false;
        if (conninfo_has_password(config.moodle.conninfo, malformed)) {
            problems.error(
                "/moodle/conninfo",
                fmt::format("conninfo holds a password, and secrets never live in the configuration "
                            "file (the value is not shown); {}",
                            k_secret_hint));
        } else if (malformed) {
            problems.error(
                "/moodle/conninfo",
                "conninfo is not a libpq connection string (the value is not shown): expected "
                "keyword=value pairs like \"service=moodle\" or \"host=db dbname=moodle user=cohortsync\", "
                "or a postgresql:// URI");
        }

        const std::string& textfile = config.report.prometheus_textfile;
        if (!textfile.empty() && !textfile.ends_with(".prom")) {
            problems.warning(
                "/report/prometheus_textfile",
                fmt::format("{} does not end in \".prom\", and node_exporter's textfile collector "
                            "reads only *.prom files",
                            in_quotes(textfile)));
        }
    }
};

// ---- JSON syntax --------------------------------------------------------------------------------

// nlohmann keeps the last of two equal keys without a word; in a configuration file that means
// a setting silently ignored, so the parser's callback reports it.
class DuplicateKeys {
public:
    explicit DuplicateKeys(Problems& problems)
        : m_problems(problems) {}

    bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
        switch (event) {
        case Json::parse_event_t::object_start:
        case Json::parse_event_t::array_start:
            m_frames.push_back({child_path(), event == Json::parse_event_t::array_start, {}, {}, 0});
            break;
        case Json::parse_event_t::key: {
            Frame& frame = m_frames.back();
            frame.key = parsed.get<std::string>();
            if (!frame.keys.insert(frame.key).second) {
                m_problems.error(
                    frame.path + "/" + pointer_token(frame.key),
                    fmt::format("duplicate key '{}': only its last value would be used", frame.key));
            }
            break;
        }
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            m_frames.pop_back();
            next_element();
            break;
        case Json::parse_event_t::value:
            next_element();
            break;
        }
        return true;
    }

private:
    struct Frame {
        std::string path;
        bool array = false;
        std::set<std::string> keys;
        std::string key;
        std::size_t index = 0;
    };

    std::string child_path() const {
        if (m_frames.empty()) {
            return "";
        }
        const Frame& parent = m_frames.back();
        return parent.array ? fmt::format("{}/{}", parent.path, parent.index)
                            : parent.path + "/" + pointer_token(parent.key);
    }

    void next_element() {
        if (!m_frames.empty() && m_frames.back().array) {
            ++m_frames.back().index;
        }
    }

    Problems& m_problems;
    std::vector<Frame> m_frames;
};

struct TextPosition {
    std::size_t line = 1;
    std::size_t column = 1;
};

// nlohmann reports the byte count read when it failed; editors count lines and characters.
TextPosition position_of(std::string_view text, std::size_t bytes_read) {
    const std::size_t offset = std::min(bytes_read == 0 ? 0 : bytes_read - 1, text.size());
    TextPosition position;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++position.line;
            position.column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++position.column;
        }
    }
    return position;
}

// The parser's own words without its "last read: '...'" excerpt, which could hold a secret.
std::string syntax_reason(const std::string& what) {
    auto begin = what.find("syntax error");
    if (begin == std::string::npos) {
        begin = what.find(": ");
        begin = begin == std::string::npos ? 0 : begin + 2;
    }
    std::string reason = what.substr(begin);
    const auto last_read = reason.find("; last read:");
    if (last_read != std::string::npos) {
        const auto expected = reason.find("; expected", last_read);
        reason = reason.substr(0, last_read) + (expected == std::string::npos ? "" : reason.substr(expected));
    }
    return reason;
}

} // namespace

ConfigResult parse_config(std::string_view json_text, const std::string& source_path) {
    ConfigResult result;
    Problems syntax;
    Json document;
    try {
        document = Json::parse(json_text.begin(), json_text.end(), DuplicateKeys(syntax),
                               /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const Json::parse_error& error) {
        const TextPosition position = position_of(json_text, error.byte);
        result.problems.push_back(
            {Severity::error, fmt::format("{}:{}:{}", source_path, position.line, position.column),
             fmt::format("unable to parse '{}' as JSON at line {}, column {}: {}", source_path, position.line,
                         position.column, syntax_reason(error.what()))});
        return result;
    } catch (const Json::out_of_range& error) {
        // A number no double can hold ("1e309"): nlohmann reports it without a position, and an
        // escaped exception would abort the program.
        std::string reason = error.what();
        if (const auto tag_end = reason.find("] "); tag_end != std::string::npos) {
            reason.erase(0, tag_end + 2);
        }
        result.problems.push_back({Severity::error, source_path,
                                   fmt::format("unable to parse '{}' as JSON: {}", source_path, reason)});
        return result;
    }
    if (!document.is_object()) {
        result.problems.push_back(
            {Severity::error, source_path,
             fmt::format("'{}' must hold a JSON object, got {}", source_path, describe(document))});
        return result;
    }

    Reader reader;
    reader.problems = std::move(syntax);
    reader.config.source_path = source_path;
    reader.read_object(document, "");
    reader.check_required();
    reader.check_across();

    result.problems = std::move(reader.problems.issues);
    const bool failed = std::ranges::any_of(
        result.problems, [](const Issue& issue) { return issue.severity == Severity::error; });
    if (!failed) {
        result.config = std::move(reader.config);
    }
    return result;
}

std::string print_config(const Config& config) {
    Json out = Json::object();
    for (const auto& row : options()) {
        out[Json::json_pointer(std::string(row.path))] = row.write(config);
    }
    return json_text(out, 2);
}

} // namespace cohort_sync
