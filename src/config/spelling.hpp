// How the configuration parser spells keys, JSON paths and values in its messages, and finds the
// key a user meant. Private to the parser's files in src/config.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync::config_detail {

// ordered_json keeps the document's key order, so problems come out in the order the user
// wrote the keys, and print_config() follows the table's order.
using Json = nlohmann::ordered_json;

// The form keys are compared in for suggestions: "baseDN", "base-dn" and "base_dn" are one key.
std::string fold_key(std::string_view key);

// The candidate nearest to `key`, when it is close enough to be what the user meant.
std::optional<std::string> nearest(std::string_view key, const std::vector<std::string>& candidates);

// The JSON pointer (RFC 6901) of member `key` of the value at `parent`: "/ldap" + "a/b" ->
// "/ldap/a~1b".
std::string child_path(const std::string& parent, std::string_view key);

// "/ldap/page_size" -> "page_size" and "/ldap".
std::string_view last_token(std::string_view path);
std::string_view parent_of(std::string_view path);

// Never throws on invalid UTF-8 (a lone byte of a multi-byte character, say).
std::string json_text(const Json& value, int indent = -1);

// The text as a JSON string, cut short so that messages stay one line.
std::string in_quotes(std::string_view text);

// "a string (\"500\")", "an object", "null": what the user wrote, for "expected X, got Y".
std::string describe(const Json& value);

} // namespace cohort_sync::config_detail
