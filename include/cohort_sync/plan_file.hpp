// Plan files: `--plan-out FILE` saves a reviewed plan; `cohort-sync apply-plan FILE` applies
// exactly that plan later, after checking that Moodle's managed cohorts are still what the plan
// was computed from. Pure: JSON text in and out.
#pragma once

#include "cohort_sync/guard.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/plan.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

// A fingerprint of the state a plan was computed from: every managed cohort with its members,
// and the idnumbers other cohorts hold (a plan must not create a cohort whose idnumber was
// taken meanwhile).
struct CohortBasis {
    std::int64_t id = 0;
    std::string idnumber;
    std::string name;
    int members = 0;
    std::uint64_t digest = 0; // of the sorted member ids

    friend bool operator==(const CohortBasis&, const CohortBasis&) = default;
};

struct PlanBasis {
    std::vector<CohortBasis> cohorts;           // sorted by id
    std::vector<std::string> foreign_idnumbers; // sorted

    friend bool operator==(const PlanBasis&, const PlanBasis&) = default;
};

PlanBasis basis_of(const Current& current);

// What moved between `planned` and `now`, one sentence each; empty when nothing did.
std::vector<std::string> basis_differences(const PlanBasis& planned, const PlanBasis& now);

struct PlanFile {
    std::string run_id; // the run that computed the plan
    long long created_at = 0;
    std::string prefix; // which Moodle: a plan applies to the site it was made for
    std::string schema;
    std::string component;
    bool forced = false; // computed with --force
    SourceCounts counts;
    PlanBasis basis;
    Plan plan;
    std::vector<GuardVerdict> verdicts;
};

std::string write_plan_file(const PlanFile& file);

// Throws std::invalid_argument naming the JSON path of the first problem.
PlanFile read_plan_file(std::string_view json);

} // namespace cohort_sync
