// Codec<T>: how an option of type T is read from JSON (decode, reporting a wrong value to Problems)
// and written back for --print-config (encode); k_type names the type in messages. Private to the
// parser's files in src/config.
#pragma once

#include "cohort_sync/config.hpp"
#include "problems.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync::config_detail {

template <class T> struct Codec;

template <> struct Codec<bool> {
    static constexpr std::string_view k_type = "boolean";
    static std::optional<bool> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(bool value);
};

template <> struct Codec<int> {
    static constexpr std::string_view k_type = "integer";
    static std::optional<int> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(int value);
};

template <> struct Codec<std::int64_t> {
    static constexpr std::string_view k_type = "integer";
    static std::optional<std::int64_t> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(std::int64_t value);
};

template <> struct Codec<double> {
    static constexpr std::string_view k_type = "number";
    static std::optional<double> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(double value);
};

template <> struct Codec<std::string> {
    static constexpr std::string_view k_type = "string";
    static std::optional<std::string> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(const std::string& value);
};

template <> struct Codec<std::vector<std::string>> {
    static constexpr std::string_view k_type = "array of strings";
    static std::optional<std::vector<std::string>> decode(const Json& value, const std::string& at,
                                                          Problems& problems);
    static Json encode(const std::vector<std::string>& value);
};

// A one-byte string: the export's delimiter or quote. "\t" in JSON is a tab.
template <> struct Codec<char> {
    static constexpr std::string_view k_type = "one-character string";
    static std::optional<char> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(char value);
};

template <> struct Codec<MonthDay> {
    static constexpr std::string_view k_type = "date \"MM-DD\"";
    static std::optional<MonthDay> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(MonthDay value);
};

template <> struct Codec<std::optional<MonthDay>> {
    static constexpr std::string_view k_type = "date \"MM-DD\" or null";
    static std::optional<std::optional<MonthDay>> decode(const Json& value, const std::string& at,
                                                         Problems& problems);
    static Json encode(const std::optional<MonthDay>& value);
};

template <> struct Codec<Encoding> {
    static constexpr std::string_view k_type = "\"utf-8\", \"iso-8859-1\" or \"windows-1252\"";
    static std::optional<Encoding> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(Encoding value);
};

template <> struct Codec<MembershipRule> {
    static constexpr std::string_view k_type = "\"both\", \"export\", \"directory\" or \"union\"";
    static std::optional<MembershipRule> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(MembershipRule value);
};

template <> struct Codec<MatchBy> {
    static constexpr std::string_view k_type = "\"username\" or \"idnumber\"";
    static std::optional<MatchBy> decode(const Json& value, const std::string& at, Problems& problems);
    static Json encode(MatchBy value);
};

} // namespace cohort_sync::config_detail
