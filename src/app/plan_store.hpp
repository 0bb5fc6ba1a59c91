#pragma once

#include "cohort_sync/plan_file.hpp"

#include <string>

namespace cohort_sync {

// Plan files on disk. Both throw Error with the path and the cause. A plan names students: it is
// written private (report.group's, when set), whatever the umask.
void save_plan_file(const std::string& path, const PlanFile& file, const std::string& group = {});
PlanFile load_plan_file(const std::string& path);

} // namespace cohort_sync
