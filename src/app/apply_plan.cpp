#include "apply_plan.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/guard.hpp"
#include "cohort_sync/plan_file.hpp"
#include "plan_store.hpp"
#include "run_sync.hpp"
#include "signals.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace cohort_sync {

void apply_plan_file(const Config& config, const std::string& path, bool force, Target& target,
                     RunReport& report) {
    auto file = load_plan_file(path);
    spdlog::info("apply-plan begin: run {}, plan '{}' computed by run {}", report.run_id, path, file.run_id);
    if (file.prefix != config.moodle.prefix || file.schema != config.moodle.schema ||
        file.component != config.moodle.component) {
        throw ConfigError(
            fmt::format("the plan file '{}' was made for another Moodle (schema '{}', prefix '{}', "
                        "component '{}')",
                        path, file.schema, file.prefix, file.component),
            "apply it with the configuration it was computed with");
    }
    report.counts = file.counts;
    report.verdicts = file.verdicts;
    report.forced = force || file.forced;
    report.plan = std::move(file.plan);
    const Plan& plan = *report.plan;
    auto session = target.begin();
    const auto current = session->load();
    const auto moved = basis_differences(file.basis, basis_of(current));
    if (!moved.empty()) {
        std::string what;
        for (const auto& change : moved) {
            what += "\n  " + change;
        }
        throw GuardRefused(
            fmt::format("the plan '{}' no longer matches Moodle ({} change(s) since it was computed); "
                        "nothing was changed:{}",
                        path, moved.size(), what),
            "compute a new plan with 'cohort-sync --dry-run --plan-out FILE'");
    }
    if (refuses(report.verdicts, report.forced)) {
        throw GuardRefused(
            fmt::format("the plan '{}' was refused by its guards when it was computed; nothing was "
                        "changed in Moodle",
                        path),
            "if it is right after review, apply it with 'cohort-sync apply-plan --force'");
    }

    report.impact = session->course_impact(plan);
    throw_if_interrupted();
    apply_and_commit(*session, report);
    spdlog::info("sync end: completed (plan '{}')", path);
}

} // namespace cohort_sync
