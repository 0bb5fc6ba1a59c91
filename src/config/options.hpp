// The option table: one row per configuration key, with its type, requirement, documentation and
// the Config member it sets. Private to the parser's files in src/config.
#pragma once

#include "cohort_sync/config.hpp"
#include "problems.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync::config_detail {

enum class Need { optional, required, required_unless_directory };

struct Option {
    std::string_view path;
    std::string_view type;
    Need need = Need::optional;
    std::string_view doc;
    std::function<void(const Json&, const std::string& at, Config&, Problems&)> read;
    std::function<Json(const Config&)> write;
};

// Every key, in the order --print-config shows them.
const std::vector<Option>& options();

const Option* find_option(std::string_view path);

// An object in the layout ("/ldap", "/ldap/attributes"): a proper prefix of some key's path.
bool is_section(std::string_view path);

// The keys allowed directly inside the object at `path`.
std::vector<std::string> keys_of(std::string_view path);

} // namespace cohort_sync::config_detail
