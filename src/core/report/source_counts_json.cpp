#include "cohort_sync/source_counts_json.hpp"

#include "cohort_sync/source.hpp"

#include <algorithm>
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

// The key is a C string, not a std::string: g++ 14's -Wdangling-reference suspects a returned
// reference bound to a temporary std::string argument, even though it only points into `object`.
const nlohmann::json& member_at(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end()) {
        throw std::invalid_argument(fmt::format("/{}: key is missing", key));
    }
    return *it;
}

} // namespace

void write_counts(JsonWriter& out, const SourceCounts& counts, JsonWriter::Layout layout) {
    out.begin_object(layout);
    for (const auto* kind : source_kinds()) {
        const std::string key(kind->count_key());
        if (always_counted(*kind) || counts.records.contains(key)) {
            out.field(key, counts.records_of(key));
        }
    }
    out.field("students", counts.students).key("per_etape").begin_object(layout);
    for (const auto& [etape, members] : counts.per_etape) {
        out.key(etape).value(members);
    }
    out.end_object();
    // The other cohort kinds' counts, only when there are some: a run of étape cohorts alone
    // stores what it always did.
    if (!counts.per_kind.empty()) {
        out.key("per_kind").begin_object(layout);
        for (const auto& [kind, per_key] : counts.per_kind) {
            out.key(kind).begin_object(layout);
            for (const auto& [key, members] : per_key) {
                out.key(key).value(members);
            }
            out.end_object();
        }
        out.end_object();
    }
    out.end_object();
}

void from_json(const nlohmann::json& json, SourceCounts& counts) {
    if (!json.is_object()) {
        throw std::invalid_argument(fmt::format("expected an object, found {}", json.type_name()));
    }
    SourceCounts parsed;
    // Counts stored by an older release lack the keys of the source kinds added since (no
    // pegase_inscriptions before issue 16): those sources gave nothing then. Counts without any
    // source's key are damaged, since a zero there would disarm the shrink guards.
    const auto kinds = source_kinds();
    if (std::ranges::none_of(
            kinds, [&](const SourceKind* kind) { return json.contains(std::string(kind->count_key())); })) {
        member_at(json, std::string(kinds.front()->count_key()).c_str()); // throws: names the missing key
    }
    for (const auto* kind : kinds) {
        const std::string key(kind->count_key());
        const auto it = json.find(key);
        if (always_counted(*kind) || it != json.end()) {
            parsed.records[key] = it == json.end() ? 0 : count_at(*it, "/" + key);
        }
    }
    parsed.students = count_at(member_at(json, "students"), "/students");
    const auto& per_etape = member_at(json, "per_etape");
    if (!per_etape.is_object()) {
        throw std::invalid_argument(
            fmt::format("/per_etape: expected an object, found {}", per_etape.type_name()));
    }
    const auto per_etape_path = nlohmann::json::json_pointer("/per_etape");
    for (const auto& [etape, value] : per_etape.items()) {
        parsed.per_etape.emplace(etape, count_at(value, (per_etape_path / etape).to_string()));
    }
    if (const auto per_kind = json.find("per_kind"); per_kind != json.end()) {
        const auto per_kind_path = nlohmann::json::json_pointer("/per_kind");
        if (!per_kind->is_object()) {
            throw std::invalid_argument(
                fmt::format("/per_kind: expected an object, found {}", per_kind->type_name()));
        }
        for (const auto& [kind, per_key] : per_kind->items()) {
            const auto kind_path = per_kind_path / kind;
            if (!per_key.is_object()) {
                throw std::invalid_argument(fmt::format("{}: expected an object, found {}",
                                                        kind_path.to_string(), per_key.type_name()));
            }
            auto& parsed_kind = parsed.per_kind[kind];
            for (const auto& [key, value] : per_key.items()) {
                parsed_kind.emplace(key, count_at(value, (kind_path / key).to_string()));
            }
        }
    }
    counts = std::move(parsed);
}

std::string source_counts_to_json(const SourceCounts& counts) {
    JsonWriter out;
    write_counts(out, counts, JsonWriter::Layout::line);
    return std::move(out).take();
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
