#include "cohort_sync/plan_file.hpp"

#include "cohort_sync/json_writer.hpp"
#include "cohort_sync/plan_json.hpp"
#include "cohort_sync/source_counts_json.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cohort_sync {
namespace {

constexpr std::string_view k_format = "cohort-sync-plan";
// 2: the `plan` object is the run report's (docs/report.md), with each cohort's description
// and the grace state added. 3: cohorts may restore an idnumber a site manager edited
// (`restore_idnumber_from`), which an older cohort-sync would silently skip, so it must refuse
// these files; version 2 files read as plans without restores.
constexpr int k_version = 3;
constexpr int k_oldest_version = 2;

using nlohmann::json;

// FNV-1a over the member ids: a change detector, not a security measure.
std::uint64_t digest_of(const std::vector<std::int64_t>& members) {
    std::uint64_t hash = 1469598103934665603ull;
    for (const auto id : members) {
        auto value = static_cast<std::uint64_t>(id);
        for (int byte = 0; byte < 8; ++byte) {
            hash ^= value & 0xffu;
            hash *= 1099511628211ull;
            value >>= 8;
        }
    }
    return hash;
}

} // namespace

PlanBasis basis_of(const Current& current) {
    PlanBasis basis;
    for (const auto& cohort : current.cohorts) {
        basis.cohorts.push_back({cohort.id, cohort.idnumber, cohort.name,
                                 static_cast<int>(cohort.members.size()), digest_of(cohort.members)});
    }
    std::ranges::sort(basis.cohorts, {}, &CohortBasis::id);
    for (const auto& cohort : current.foreign) {
        basis.foreign_idnumbers.push_back(cohort.idnumber);
    }
    std::ranges::sort(basis.foreign_idnumbers);
    return basis;
}

std::vector<std::string> basis_differences(const PlanBasis& planned, const PlanBasis& now) {
    std::vector<std::string> moved;
    std::map<std::int64_t, const CohortBasis*> then_by_id;
    for (const auto& cohort : planned.cohorts) {
        then_by_id.emplace(cohort.id, &cohort);
    }
    for (const auto& cohort : now.cohorts) {
        const auto it = then_by_id.find(cohort.id);
        if (it == then_by_id.end()) {
            moved.push_back(fmt::format("cohort '{}' (id {}) appeared since the plan was made",
                                        cohort.idnumber, cohort.id));
            continue;
        }
        const auto& then = *it->second;
        if (then.idnumber != cohort.idnumber || then.name != cohort.name) {
            moved.push_back(fmt::format("cohort id {} was '{}' ('{}'), it is now '{}' ('{}')", cohort.id,
                                        then.idnumber, then.name, cohort.idnumber, cohort.name));
        }
        if (then.members != cohort.members || then.digest != cohort.digest) {
            moved.push_back(fmt::format("the members of cohort '{}' changed: {} when planned, {} now",
                                        cohort.idnumber, then.members, cohort.members));
        }
        then_by_id.erase(it);
    }
    for (const auto& [id, cohort] : then_by_id) {
        moved.push_back(
            fmt::format("cohort '{}' (id {}) is no longer managed by cohort-sync", cohort->idnumber, id));
    }
    std::vector<std::string> taken;
    std::ranges::set_difference(now.foreign_idnumbers, planned.foreign_idnumbers, std::back_inserter(taken));
    for (const auto& idnumber : taken) {
        moved.push_back(
            fmt::format("idnumber '{}' is now used by a cohort cohort-sync does not manage", idnumber));
    }
    return moved;
}

std::string write_plan_file(const PlanFile& file) {
    using Layout = JsonWriter::Layout;
    JsonWriter out;
    out.begin_object()
        .field("format", k_format)
        .field("version", k_version)
        .field("run_id", file.run_id)
        .field("created_at", file.created_at)
        .key("target")
        .begin_object(Layout::line)
        .field("prefix", file.prefix)
        .field("schema", file.schema)
        .field("component", file.component)
        .end_object()
        .field("forced", file.forced);
    write_counts(out.key("counts"), file.counts);
    out.key("basis").begin_object().key("cohorts").begin_array();
    for (const auto& c : file.basis.cohorts) {
        out.begin_object(Layout::line)
            .field("id", c.id)
            .field("idnumber", c.idnumber)
            .field("name", c.name)
            .field("members", c.members)
            .field("digest", fmt::format("{:016x}", c.digest))
            .end_object();
    }
    out.end_array().key("foreign_idnumbers").begin_array();
    for (const auto& idnumber : file.basis.foreign_idnumbers) {
        out.value(idnumber);
    }
    out.end_array().end_object();
    write_guards(out.key("guards"), file.verdicts);
    write_plan(out.key("plan"), file.plan, PlanDetail::complete);
    out.end_object();
    return std::move(out).take() + "\n";
}

PlanFile read_plan_file(std::string_view text) {
    const auto in = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (in.is_discarded() || !in.is_object()) {
        throw std::invalid_argument("not a JSON object");
    }
    if (in.value("format", std::string()) != k_format) {
        throw std::invalid_argument("not a cohort-sync plan file");
    }
    if (const int version = in.value("version", 0); version < k_oldest_version || version > k_version) {
        throw std::invalid_argument(fmt::format(
            "a plan file of version {}, where this cohort-sync reads version {}: make the plan again with "
            "this version's --plan-out",
            in.value("version", 0), k_version));
    }
    try {
        PlanFile file;
        file.run_id = in.at("run_id").get<std::string>();
        file.created_at = in.at("created_at").get<long long>();
        file.prefix = in.at("target").at("prefix").get<std::string>();
        file.schema = in.at("target").at("schema").get<std::string>();
        file.component = in.at("target").at("component").get<std::string>();
        file.forced = in.at("forced").get<bool>();
        file.counts = in.at("counts").get<SourceCounts>();
        for (const auto& c : in.at("basis").at("cohorts")) {
            file.basis.cohorts.push_back({c.at("id").get<std::int64_t>(), c.at("idnumber").get<std::string>(),
                                          c.at("name").get<std::string>(), c.at("members").get<int>(),
                                          std::stoull(c.at("digest").get<std::string>(), nullptr, 16)});
        }
        file.basis.foreign_idnumbers = in.at("basis").at("foreign_idnumbers").get<std::vector<std::string>>();
        file.verdicts = in.at("guards").get<std::vector<GuardVerdict>>();
        file.plan = in.at("plan").get<Plan>();
        return file;
    } catch (const json::exception& error) {
        throw std::invalid_argument(fmt::format("the plan file is damaged: {}", error.what()));
    }
}

} // namespace cohort_sync
