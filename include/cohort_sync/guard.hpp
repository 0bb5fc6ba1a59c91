// Safety guards: checks on the whole plan, before the first write, that refuse a plan looking
// like the product of a broken source. A wrong removal can cost students their grades (see
// docs/operations.md); a missed night is merely late.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/plan.hpp"
#include "cohort_sync/source.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cohort_sync {

struct GuardVerdict {
    std::string guard; // stable name, e.g. "max_removals"
    bool tripped = false;
    std::string figures; // "1523 removals > limit 1000"
    std::string hint;    // how to proceed when tripped
    // --force lets a run past it. Not a guard whose plan Moodle itself would reject (accounts with
    // an authentication plugin the site does not enable).
    bool overridable = true;
};

struct GuardInput {
    const Plan& plan;
    const SourceCounts& counts; // this run
    const std::optional<SourceCounts>& last_success;
    std::vector<const SourceKind*> sources; // the sources this run read: each has its size guards
    const Desired* desired = nullptr;       // for the per-student guard; none for a saved plan
    // The site's usable authentication plugins (Current::auth_plugins); none for a saved plan,
    // whose accounts apply checks in its transaction.
    const std::vector<std::string>* auth_plugins = nullptr;
};

std::vector<GuardVerdict> evaluate_guards(const GuardInput& input, const GuardConfig& limits);

bool any_tripped(const std::vector<GuardVerdict>& verdicts);

// Whether the verdicts refuse the plan: a tripped guard does, unless forced and overridable.
bool refuses(const std::vector<GuardVerdict>& verdicts, bool forced);

} // namespace cohort_sync
