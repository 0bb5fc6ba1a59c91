// Decoding each option type from JSON, with a message naming what was expected, and encoding it
// back for --print-config.
#include "codecs.hpp"

#include "cohort_sync/text.hpp"

#include <array>
#include <cctype>
#include <fmt/format.h>
#include <limits>

namespace cohort_sync::config_detail {
namespace {

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

int days_in_month(int month) {
    // 02-29 is refused: a yearly switch date must exist every year.
    static constexpr std::array<int, 12> k_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return k_days.at(static_cast<std::size_t>(month - 1));
}

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

constexpr std::array<Spelling<MembershipRule>, 4> k_rules = {{
    {"both", MembershipRule::both},
    {"export", MembershipRule::exportonly},
    {"directory", MembershipRule::directory},
    {"union", MembershipRule::union_},
}};

constexpr std::array<Spelling<MatchBy>, 2> k_match_by = {{
    {"username", MatchBy::username},
    {"idnumber", MatchBy::idnumber},
}};

} // namespace

std::optional<bool> Codec<bool>::decode(const Json& value, const std::string& at, Problems& problems) {
    if (!value.is_boolean()) {
        wrong_type(problems, at, "a boolean (true or false)", value);
        return std::nullopt;
    }
    return value.get<bool>();
}

Json Codec<bool>::encode(bool value) {
    return value;
}

std::optional<int> Codec<int>::decode(const Json& value, const std::string& at, Problems& problems) {
    return decode_integer<int>(value, at, problems);
}

Json Codec<int>::encode(int value) {
    return value;
}

std::optional<std::int64_t> Codec<std::int64_t>::decode(const Json& value, const std::string& at,
                                                        Problems& problems) {
    return decode_integer<std::int64_t>(value, at, problems);
}

Json Codec<std::int64_t>::encode(std::int64_t value) {
    return value;
}

std::optional<double> Codec<double>::decode(const Json& value, const std::string& at, Problems& problems) {
    if (!value.is_number()) {
        wrong_type(problems, at, "a number", value);
        return std::nullopt;
    }
    return value.get<double>();
}

Json Codec<double>::encode(double value) {
    return value;
}

std::optional<std::string> Codec<std::string>::decode(const Json& value, const std::string& at,
                                                      Problems& problems) {
    if (!value.is_string()) {
        wrong_type(problems, at, "a string", value);
        return std::nullopt;
    }
    return value.get<std::string>();
}

Json Codec<std::string>::encode(const std::string& value) {
    return value;
}

std::optional<std::vector<std::string>>
Codec<std::vector<std::string>>::decode(const Json& value, const std::string& at, Problems& problems) {
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

Json Codec<std::vector<std::string>>::encode(const std::vector<std::string>& value) {
    return value;
}

std::optional<char> Codec<char>::decode(const Json& value, const std::string& at, Problems& problems) {
    if (!value.is_string()) {
        wrong_type(problems, at, "a one-character string", value);
        return std::nullopt;
    }
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() != 1) {
        problems.error(at,
                       fmt::format("expected a one-character string, got {} ({} bytes); HINT: the export "
                                   "is read byte by byte, so the character must be ASCII (\"\\t\" is a tab)",
                                   in_quotes(text), text.size()));
        return std::nullopt;
    }
    return text[0];
}

Json Codec<char>::encode(char value) {
    return std::string(1, value);
}

std::optional<MonthDay> Codec<MonthDay>::decode(const Json& value, const std::string& at,
                                                Problems& problems) {
    if (!value.is_string()) {
        wrong_type(problems, at, "a date \"MM-DD\"", value);
        return std::nullopt;
    }
    const auto& text = value.get_ref<const std::string&>();
    const auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
    if (text.size() != 5 || !digit(0) || !digit(1) || text[2] != '-' || !digit(3) || !digit(4)) {
        problems.error(at,
                       fmt::format("expected a date \"MM-DD\" (like \"09-01\"), got {}", in_quotes(text)));
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

Json Codec<MonthDay>::encode(MonthDay value) {
    return fmt::format("{:02}-{:02}", value.month, value.day);
}

std::optional<std::optional<MonthDay>>
Codec<std::optional<MonthDay>>::decode(const Json& value, const std::string& at, Problems& problems) {
    if (value.is_null()) {
        return std::optional<MonthDay>{};
    }
    if (auto date = Codec<MonthDay>::decode(value, at, problems)) {
        return std::optional<MonthDay>{*date};
    }
    return std::nullopt;
}

Json Codec<std::optional<MonthDay>>::encode(const std::optional<MonthDay>& value) {
    return value ? Codec<MonthDay>::encode(*value) : Json(nullptr);
}

std::optional<Encoding> Codec<Encoding>::decode(const Json& value, const std::string& at,
                                                Problems& problems) {
    return decode_enum(value, at, problems, k_encodings, 3);
}

Json Codec<Encoding>::encode(Encoding value) {
    return enum_name(value, k_encodings);
}

std::optional<MembershipRule> Codec<MembershipRule>::decode(const Json& value, const std::string& at,
                                                            Problems& problems) {
    return decode_enum(value, at, problems, k_rules, k_rules.size());
}

Json Codec<MembershipRule>::encode(MembershipRule value) {
    return to_string(value);
}

std::optional<MatchBy> Codec<MatchBy>::decode(const Json& value, const std::string& at, Problems& problems) {
    return decode_enum(value, at, problems, k_match_by, k_match_by.size());
}

Json Codec<MatchBy>::encode(MatchBy value) {
    return enum_name(value, k_match_by);
}

} // namespace cohort_sync::config_detail

namespace cohort_sync {

std::string_view to_string(MembershipRule rule) {
    return config_detail::enum_name(rule, config_detail::k_rules);
}

} // namespace cohort_sync
