#include "cohort_sync/plan_file.hpp"

#include "cohort_sync/source_counts_json.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cohort_sync {
namespace {

constexpr std::string_view k_format = "cohort-sync-plan";
constexpr int k_version = 1;

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

// A member is [user id, username, student number], and for an add a fourth element: its reasons,
// each ["export", line] or ["directory", DN]. Optional both ways: a plan saved before reasons
// were kept still loads, and an older binary ignores them.
json members_to_json(const std::vector<PlannedMember>& members) {
    auto out = json::array();
    for (const auto& m : members) {
        auto member = json::array({m.user_id, m.username, m.student_number});
        if (!m.reasons.empty()) {
            auto reasons = json::array();
            for (const auto& r : m.reasons) {
                reasons.push_back(r.source == "export" ? json::array({r.source, r.line})
                                                       : json::array({r.source, r.dn}));
            }
            member.push_back(std::move(reasons));
        }
        out.push_back(std::move(member));
    }
    return out;
}

std::vector<Reason> reasons_from_json(const json& in) {
    std::vector<Reason> out;
    for (const auto& r : in) {
        auto source = r.at(0).get<std::string>();
        if (source == "export") {
            out.push_back({std::move(source), r.at(1).get<int>(), {}});
        } else {
            out.push_back({std::move(source), 0, r.at(1).get<std::string>()});
        }
    }
    return out;
}

std::vector<PlannedMember> members_from_json(const json& in) {
    std::vector<PlannedMember> out;
    for (const auto& m : in) {
        out.push_back({m.at(0).get<std::int64_t>(), m.at(1).get<std::string>(), m.at(2).get<std::string>(),
                       m.size() > 3 ? reasons_from_json(m.at(3)) : std::vector<Reason>{}});
    }
    return out;
}

json optional_json(const auto& value) {
    return value ? json(*value) : json(nullptr);
}

json plan_to_json(const Plan& plan) {
    auto cohorts = json::array();
    for (const auto& c : plan.cohorts) {
        cohorts.push_back({{"cohort_id", optional_json(c.cohort_id)},
                           {"idnumber", c.idnumber},
                           {"etape", c.etape},
                           {"name", c.name},
                           {"description", c.description},
                           {"rename_from", optional_json(c.rename_from)},
                           {"current_size", c.current_size},
                           {"desired_size", c.desired_size},
                           {"adds", members_to_json(c.adds)},
                           {"removes", members_to_json(c.removes)},
                           {"deferred", members_to_json(c.deferred)}});
    }
    auto unplaced = json::array();
    for (const auto& u : plan.unplaced) {
        unplaced.push_back({u.student_number, u.login, u.etape, static_cast<int>(u.reason)});
    }
    auto pending = json::array();
    for (const auto& p : plan.pending) {
        pending.push_back({p.cohort_id, p.user_id, p.absent_runs});
    }
    auto issues = json::array();
    for (const auto& i : plan.issues) {
        issues.push_back({static_cast<int>(i.severity), i.locator, i.message});
    }
    auto accounts = json::array();
    for (const auto& a : plan.accounts) {
        accounts.push_back({a.username, a.idnumber, a.first_name, a.last_name, a.mail, a.auth});
    }
    return {{"cohorts", std::move(cohorts)},
            {"unplaced", std::move(unplaced)},
            {"accounts", std::move(accounts)},
            {"left_alone", plan.left_alone},
            {"pending", std::move(pending)},
            {"issues", std::move(issues)},
            {"managed_memberships", plan.managed_memberships}};
}

Plan plan_from_json(const json& in) {
    Plan plan;
    for (const auto& c : in.at("cohorts")) {
        CohortPlan cohort;
        if (!c.at("cohort_id").is_null()) {
            cohort.cohort_id = c.at("cohort_id").get<std::int64_t>();
        }
        cohort.idnumber = c.at("idnumber").get<std::string>();
        cohort.etape = c.at("etape").get<std::string>();
        cohort.name = c.at("name").get<std::string>();
        cohort.description = c.at("description").get<std::string>();
        if (!c.at("rename_from").is_null()) {
            cohort.rename_from = c.at("rename_from").get<std::string>();
        }
        cohort.current_size = c.at("current_size").get<int>();
        cohort.desired_size = c.at("desired_size").get<int>();
        cohort.adds = members_from_json(c.at("adds"));
        cohort.removes = members_from_json(c.at("removes"));
        cohort.deferred = members_from_json(c.at("deferred"));
        plan.cohorts.push_back(std::move(cohort));
    }
    for (const auto& u : in.at("unplaced")) {
        const int reason = u.at(3).get<int>();
        if (reason < 0 || reason > static_cast<int>(UnplacedReason::several_accounts)) {
            throw std::invalid_argument("/plan/unplaced: unknown reason");
        }
        plan.unplaced.push_back({u.at(0).get<std::string>(), u.at(1).get<std::string>(),
                                 u.at(2).get<std::string>(), static_cast<UnplacedReason>(reason)});
    }
    for (const auto& a : in.at("accounts")) {
        plan.accounts.push_back({a.at(0).get<std::string>(), a.at(1).get<std::string>(),
                                 a.at(2).get<std::string>(), a.at(3).get<std::string>(),
                                 a.at(4).get<std::string>(), a.at(5).get<std::string>()});
    }
    plan.left_alone = in.at("left_alone").get<std::vector<std::string>>();
    for (const auto& p : in.at("pending")) {
        plan.pending.push_back(
            {p.at(0).get<std::int64_t>(), p.at(1).get<std::int64_t>(), p.at(2).get<int>()});
    }
    for (const auto& i : in.at("issues")) {
        plan.issues.push_back({i.at(0).get<int>() == 1 ? Severity::error : Severity::warning,
                               i.at(1).get<std::string>(), i.at(2).get<std::string>()});
    }
    plan.managed_memberships = in.at("managed_memberships").get<int>();
    return plan;
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
    auto cohorts = json::array();
    for (const auto& c : file.basis.cohorts) {
        cohorts.push_back({{"id", c.id},
                           {"idnumber", c.idnumber},
                           {"name", c.name},
                           {"members", c.members},
                           {"digest", fmt::format("{:016x}", c.digest)}});
    }
    auto verdicts = json::array();
    for (const auto& v : file.verdicts) {
        verdicts.push_back(
            {{"guard", v.guard}, {"tripped", v.tripped}, {"figures", v.figures}, {"hint", v.hint}});
    }
    const json out = {
        {"format", k_format},
        {"version", k_version},
        {"run_id", file.run_id},
        {"created_at", file.created_at},
        {"target", {{"prefix", file.prefix}, {"schema", file.schema}, {"component", file.component}}},
        {"forced", file.forced},
        {"counts", file.counts},
        {"basis", {{"cohorts", std::move(cohorts)}, {"foreign_idnumbers", file.basis.foreign_idnumbers}}},
        {"guards", std::move(verdicts)},
        {"plan", plan_to_json(file.plan)}};
    return out.dump(1) + "\n";
}

PlanFile read_plan_file(std::string_view text) {
    const auto in = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (in.is_discarded() || !in.is_object()) {
        throw std::invalid_argument("not a JSON object");
    }
    if (in.value("format", std::string()) != k_format || in.value("version", 0) != k_version) {
        throw std::invalid_argument(fmt::format("not a cohort-sync plan file of version {}", k_version));
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
        for (const auto& v : in.at("guards")) {
            file.verdicts.push_back({v.at("guard").get<std::string>(), v.at("tripped").get<bool>(),
                                     v.at("figures").get<std::string>(), v.at("hint").get<std::string>()});
        }
        file.plan = plan_from_json(in.at("plan"));
        return file;
    } catch (const json::exception& error) {
        throw std::invalid_argument(fmt::format("the plan file is damaged: {}", error.what()));
    }
}

} // namespace cohort_sync
