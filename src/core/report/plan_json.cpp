#include "cohort_sync/plan_json.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cohort_sync {
namespace {

using Layout = JsonWriter::Layout;

// Each element of a list of records is written on one line: a first sync's report has a quarter
// of a million planned members, and one per line keeps the file short and grep-able.
// A source read from a file gives a line, the directory a DN; both keys are always there, so
// that the shape does not depend on the source.
void write_reason_fields(JsonWriter& out, const Reason& reason) {
    out.field("source", reason.source).field("line", reason.line).field("dn", reason.dn);
}

Reason reason_from(const nlohmann::json& json) {
    return {json.at("source").get<std::string>(), json.value("line", 0), json.value("dn", "")};
}

// An add's reasons (export line, directory DN) go to plan files only, which the review page reads:
// at a first sync they would double the run report. A held-back member's reasons (the defects
// that hold it) are few and always written.
void write_members(JsonWriter& out, std::string_view name, const std::vector<PlannedMember>& members,
                   bool with_reasons) {
    out.key(name).begin_array();
    for (const auto& member : members) {
        out.begin_object(Layout::line)
            .field("user_id", member.user_id)
            .field("username", member.username)
            .field("idnumber", member.student_number);
        if (with_reasons && !member.reasons.empty()) {
            out.key("reasons").begin_array(Layout::line);
            for (const auto& reason : member.reasons) {
                write_reason_fields(out.begin_object(Layout::line), reason);
                out.end_object();
            }
            out.end_array();
        }
        out.end_object();
    }
    out.end_array();
}

template <typename T>
void write_or_null(JsonWriter& out, std::string_view name, const std::optional<T>& value) {
    out.key(name);
    if (value) {
        out.value(*value);
    } else {
        out.null();
    }
}

void write_cohort(JsonWriter& out, const CohortPlan& cohort, PlanDetail detail) {
    out.begin_object();
    write_or_null(out, "cohort_id", cohort.cohort_id);
    out.field("idnumber", cohort.idnumber);
    // Only for the other kinds: an étape cohort's entry reads as it always did.
    if (cohort.kind != "etape") {
        out.field("kind", cohort.kind);
    }
    out.field("etape", cohort.etape).field("name", cohort.name).field("create", cohort.creates());
    write_or_null(out, "rename_from", cohort.rename_from);
    write_or_null(out, "restore_idnumber_from", cohort.restore_idnumber_from);
    write_or_null(out, "recreates", cohort.recreates);
    if (detail == PlanDetail::complete) {
        out.field("description", cohort.description);
    }
    out.field("current_size", cohort.current_size).field("desired_size", cohort.desired_size);
    write_members(out, "adds", cohort.adds, detail == PlanDetail::complete);
    write_members(out, "removes", cohort.removes, false);
    write_members(out, "deferred", cohort.deferred, false);
    write_members(out, "held_back", cohort.held_back, true);
    out.end_object();
}

constexpr std::array k_reasons = {UnplacedReason::no_account, UnplacedReason::deleted_account,
                                  UnplacedReason::other_key_only, UnplacedReason::several_accounts};

UnplacedReason reason_named(std::string_view name) {
    for (const auto reason : k_reasons) {
        if (name == to_string(reason)) {
            return reason;
        }
    }
    throw std::invalid_argument("unknown unplaced reason '" + std::string(name) + "'");
}

Severity severity_named(std::string_view name) {
    if (name == to_string(Severity::warning)) {
        return Severity::warning;
    }
    if (name == to_string(Severity::error)) {
        return Severity::error;
    }
    throw std::invalid_argument("unknown severity '" + std::string(name) + "'");
}

std::vector<PlannedMember> members_from(const nlohmann::json& members) {
    std::vector<PlannedMember> out;
    out.reserve(members.size());
    for (const auto& m : members) {
        std::vector<Reason> reasons;
        if (const auto found = m.find("reasons"); found != m.end()) {
            for (const auto& r : *found) {
                reasons.push_back(reason_from(r));
            }
        }
        out.push_back({m.at("user_id").get<std::int64_t>(), m.at("username").get<std::string>(),
                       m.at("idnumber").get<std::string>(), std::move(reasons)});
    }
    return out;
}

template <typename T> std::optional<T> optional_from(const nlohmann::json& value) {
    return value.is_null() ? std::nullopt : std::optional<T>(value.get<T>());
}

// A key that may be absent (older plan files) as well as null.
template <typename T> std::optional<T> optional_field(const nlohmann::json& object, const char* name) {
    const auto found = object.find(name);
    return found == object.end() ? std::nullopt : optional_from<T>(*found);
}

} // namespace

void write_issues(JsonWriter& out, const Issues& issues) {
    out.begin_array();
    for (const auto& issue : issues) {
        out.begin_object(Layout::line)
            .field("severity", to_string(issue.severity))
            .field("locator", issue.locator)
            .field("message", issue.message)
            .end_object();
    }
    out.end_array();
}

void write_guards(JsonWriter& out, const std::vector<GuardVerdict>& verdicts) {
    out.begin_array();
    for (const auto& v : verdicts) {
        out.begin_object(Layout::line)
            .field("guard", v.guard)
            .field("tripped", v.tripped)
            .field("figures", v.figures)
            .field("hint", v.hint)
            .field("overridable", v.overridable)
            .end_object();
    }
    out.end_array();
}

void write_plan(JsonWriter& out, const Plan& plan, PlanDetail detail) {
    const auto totals = plan.totals();
    out.begin_object()
        .key("totals")
        .begin_object()
        .field("adds", totals.adds)
        .field("accounts", totals.accounts)
        .field("removes", totals.removes)
        .field("creates", totals.creates)
        .field("renames", totals.renames)
        .field("restores", totals.restores)
        .field("recreates", totals.recreates)
        .field("deferred", totals.deferred)
        .field("held_back", totals.held_back)
        .field("cohorts_changed", totals.cohorts_changed)
        .field("managed_memberships", totals.managed_memberships)
        .end_object();
    if (detail != PlanDetail::summary) {
        // Unchanged cohorts are left out: applying them would do nothing.
        out.key("cohorts").begin_array();
        for (const auto& cohort : plan.cohorts) {
            if (cohort.reported()) {
                write_cohort(out, cohort, detail);
            }
        }
        out.end_array();
        out.key("unplaced").begin_array();
        for (const auto& u : plan.unplaced) {
            out.begin_object(Layout::line)
                .field("student_number", u.student_number)
                .field("login", u.login)
                .field("etape", u.etape)
                .field("reason", to_string(u.reason))
                .end_object();
        }
        out.end_array();
        out.key("accounts").begin_array();
        for (const auto& a : plan.accounts) {
            out.begin_object(Layout::line)
                .field("username", a.username)
                .field("idnumber", a.idnumber)
                .field("first_name", a.first_name)
                .field("last_name", a.last_name)
                .field("mail", a.mail)
                .field("auth", a.auth)
                .end_object();
        }
        out.end_array();
    }
    out.key("left_alone").begin_array();
    for (const auto& idnumber : plan.left_alone) {
        out.value(idnumber);
    }
    out.end_array();
    write_issues(out.key("issues"), plan.issues);
    if (detail != PlanDetail::summary) {
        out.key("holds").begin_array();
        for (const auto& hold : plan.holds) {
            out.begin_object(Layout::line)
                .field("student_number", hold.student_number)
                .field("login", hold.login)
                .field("etape", hold.etape);
            if (!hold.element.empty()) {
                out.field("element", hold.element);
            }
            write_reason_fields(out, hold.defect);
            out.field("message", hold.message).end_object();
        }
        out.end_array();
    }
    if (detail == PlanDetail::complete) {
        // The grace period's state that applying the plan stores.
        out.key("pending").begin_array();
        for (const auto& p : plan.pending) {
            out.begin_object(Layout::line)
                .field("cohort_id", p.cohort_id)
                .field("user_id", p.user_id)
                .field("absent_runs", p.absent_runs)
                .end_object();
        }
        out.end_array();
    }
    out.end_object();
}

void from_json(const nlohmann::json& json, Issue& issue) {
    issue = {severity_named(json.at("severity").get<std::string>()), json.at("locator").get<std::string>(),
             json.at("message").get<std::string>()};
}

void from_json(const nlohmann::json& json, GuardVerdict& verdict) {
    // Plans saved before "overridable" existed had only guards --force could override.
    verdict = {json.at("guard").get<std::string>(), json.at("tripped").get<bool>(),
               json.at("figures").get<std::string>(), json.at("hint").get<std::string>(),
               json.value("overridable", true)};
}

void from_json(const nlohmann::json& json, Plan& plan) {
    Plan read;
    for (const auto& c : json.at("cohorts")) {
        CohortPlan cohort;
        cohort.cohort_id = optional_from<std::int64_t>(c.at("cohort_id"));
        cohort.idnumber = c.at("idnumber").get<std::string>();
        cohort.kind = c.value("kind", std::string("etape"));
        cohort.etape = c.at("etape").get<std::string>();
        cohort.name = c.at("name").get<std::string>();
        cohort.description = c.at("description").get<std::string>();
        cohort.rename_from = optional_from<std::string>(c.at("rename_from"));
        // Absent from the plan files of version 2.
        cohort.restore_idnumber_from = optional_field<std::string>(c, "restore_idnumber_from");
        cohort.recreates = optional_field<std::int64_t>(c, "recreates");
        cohort.current_size = c.at("current_size").get<int>();
        cohort.desired_size = c.at("desired_size").get<int>();
        cohort.adds = members_from(c.at("adds"));
        cohort.removes = members_from(c.at("removes"));
        cohort.deferred = members_from(c.at("deferred"));
        cohort.held_back = members_from(c.value("held_back", nlohmann::json::array()));
        read.cohorts.push_back(std::move(cohort));
    }
    for (const auto& u : json.at("unplaced")) {
        read.unplaced.push_back({u.at("student_number").get<std::string>(), u.at("login").get<std::string>(),
                                 u.at("etape").get<std::string>(),
                                 reason_named(u.at("reason").get<std::string>())});
    }
    for (const auto& a : json.at("accounts")) {
        read.accounts.push_back({a.at("username").get<std::string>(), a.at("idnumber").get<std::string>(),
                                 a.at("first_name").get<std::string>(), a.at("last_name").get<std::string>(),
                                 a.at("mail").get<std::string>(), a.at("auth").get<std::string>()});
    }
    read.left_alone = json.at("left_alone").get<std::vector<std::string>>();
    read.issues = json.at("issues").get<Issues>();
    for (const auto& h : json.value("holds", nlohmann::json::array())) {
        read.holds.push_back({h.at("student_number").get<std::string>(), h.at("login").get<std::string>(),
                              h.at("etape").get<std::string>(), reason_from(h),
                              h.at("message").get<std::string>(), h.value("element", std::string())});
    }
    for (const auto& p : json.at("pending")) {
        read.pending.push_back({p.at("cohort_id").get<std::int64_t>(), p.at("user_id").get<std::int64_t>(),
                                p.at("absent_runs").get<int>()});
    }
    read.managed_memberships = json.at("totals").at("managed_memberships").get<int>();
    plan = std::move(read);
}

} // namespace cohort_sync
