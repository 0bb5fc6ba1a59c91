#include "cohort_sync/moodle_auth.hpp"

#include <algorithm>

namespace cohort_sync {
namespace {

std::vector<std::string> split_list(std::string_view list) {
    std::vector<std::string> items;
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ') {
            item.remove_prefix(1);
        }
        while (!item.empty() && item.back() == ' ') {
            item.remove_suffix(1);
        }
        if (!item.empty()) {
            items.emplace_back(item);
        }
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    return items;
}

} // namespace

std::vector<std::string> usable_auth_plugins(std::string_view enabled, std::string_view installed) {
    std::vector<std::string> usable = {"manual", "nologin"};
    const auto present = split_list(installed);
    for (auto& plugin : split_list(enabled)) {
        // Moodle drops a listed plugin whose code is gone (is_enabled_auth() checks the plugin
        // exists), so the list alone is not enough.
        if (std::ranges::find(present, plugin) != present.end() &&
            std::ranges::find(usable, plugin) == usable.end()) {
            usable.push_back(std::move(plugin));
        }
    }
    return usable;
}

std::string join_plugins(const std::vector<std::string>& plugins) {
    std::string text;
    for (const auto& plugin : plugins) {
        text += (text.empty() ? "" : ", ") + plugin;
    }
    return text;
}

} // namespace cohort_sync
