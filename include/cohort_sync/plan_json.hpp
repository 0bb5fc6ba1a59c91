// The plan, the guards' verdicts and issues as JSON: one schema (docs/report.md), one writer (the
// streaming JsonWriter) and one reader (nlohmann's from_json) with the same key names. The run
// report writes them; a plan file (plan_file.hpp) is the same `plan` object plus its basis, and
// `apply-plan` reads it back through from_json.
#pragma once

#include "cohort_sync/guard.hpp"
#include "cohort_sync/issue.hpp"
#include "cohort_sync/json_writer.hpp"
#include "cohort_sync/plan.hpp"

#include <nlohmann/json_fwd.hpp>
#include <vector>

namespace cohort_sync {

// How much of the plan to write.
enum class PlanDetail {
    summary,  // totals, left_alone and issues: the copy stored with the run in Moodle's database
    report,   // also the cohorts that change (or keep members by grace), unplaced and accounts
    complete, // also each cohort's description and the grace state: everything apply() needs
};

// The plan as an object value (the caller writes its key).
void write_plan(JsonWriter& out, const Plan& plan, PlanDetail detail);
void write_guards(JsonWriter& out, const std::vector<GuardVerdict>& verdicts);
void write_issues(JsonWriter& out, const Issues& issues);

// Read what write_plan(complete), write_guards and write_issues wrote. Throw nlohmann's
// exceptions (json::out_of_range for a missing key, json::type_error for a wrong type) or
// std::invalid_argument for a value outside its set (an unknown severity or reason).
void from_json(const nlohmann::json& json, Plan& plan);
void from_json(const nlohmann::json& json, GuardVerdict& verdict);
void from_json(const nlohmann::json& json, Issue& issue);

} // namespace cohort_sync
