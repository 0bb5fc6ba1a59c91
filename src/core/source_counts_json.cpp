#include "cohort_sync/source_counts_json.hpp"

#include <climits>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cohort_sync {
namespace {

int count_at(const nlohmann::json& value, const std::string& path) {
    if (!value.is_number_integer()) {
        throw std::invalid_argument(
            fmt::format("{}: expected a non-negative integer, found {}", path, value.dump()));
    }
    // A count read back from the database was written by us, so anything out of range is damage.
    const bool in_range = value.is_number_unsigned()
                              ? value.get<unsigned long long>() <= INT_MAX
                              : value.get<long long>() >= 0 && value.get<long long>() <= INT_MAX;
    if (!in_range) {
        throw std::invalid_argument(fmt::format("{}: count {} is out of range", path, value.dump()));
    }
    return static_cast<int>(value.get<long long>());
}

const nlohmann::json& member_at(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end()) {
        throw std::invalid_argument(fmt::format("/{}: key is missing", key));
    }
    return *it;
}

// RFC 6901 escaping, so that the path in a message stays unambiguous for any étape key.
std::string pointer_token(const std::string& key) {
    std::string token;
    for (const char c : key) {
        if (c == '~') {
            token += "~0";
        } else if (c == '/') {
            token += "~1";
        } else {
            token += c;
        }
    }
    return token;
}

} // namespace

void to_json(nlohmann::json& json, const SourceCounts& counts) {
    // nlohmann::json keeps object keys sorted, so the text is deterministic.
    json = nlohmann::json{
        {"directory_entries", counts.directory_entries},
        {"export_inscriptions", counts.export_inscriptions},
        {"students", counts.students},
        {"per_etape", counts.per_etape},
    };
}

void from_json(const nlohmann::json& json, SourceCounts& counts) {
    if (!json.is_object()) {
        throw std::invalid_argument(fmt::format("expected an object, found {}", json.type_name()));
    }
    SourceCounts parsed;
    parsed.directory_entries = count_at(member_at(json, "directory_entries"), "/directory_entries");
    parsed.export_inscriptions = count_at(member_at(json, "export_inscriptions"), "/export_inscriptions");
    parsed.students = count_at(member_at(json, "students"), "/students");
    const auto& per_etape = member_at(json, "per_etape");
    if (!per_etape.is_object()) {
        throw std::invalid_argument(
            fmt::format("/per_etape: expected an object, found {}", per_etape.type_name()));
    }
    for (const auto& [etape, value] : per_etape.items()) {
        parsed.per_etape.emplace(etape, count_at(value, "/per_etape/" + pointer_token(etape)));
    }
    counts = std::move(parsed);
}

std::string source_counts_to_json(const SourceCounts& counts) {
    return nlohmann::json(counts).dump();
}

std::optional<SourceCounts> source_counts_from_json(std::string_view text, std::string& error) {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
        error = "not valid JSON";
        return std::nullopt;
    }
    try {
        return json.get<SourceCounts>();
    } catch (const std::invalid_argument& e) {
        error = e.what();
        return std::nullopt;
    }
}

} // namespace cohort_sync
