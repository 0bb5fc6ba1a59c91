#include "plan_store.hpp"

#include "cohort_sync/error.hpp"
#include "private_file.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace cohort_sync {

void save_plan_file(const std::string& path, const PlanFile& file, const std::string& group) {
    write_private_file(path, write_plan_file(file), group, "give --plan-out a path in a writable directory");
}

PlanFile load_plan_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(fmt::format("unable to read the plan file '{}': {}", path, std::strerror(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return read_plan_file(text.str());
    } catch (const std::invalid_argument& error) {
        throw ConfigError(fmt::format("unable to use the plan file '{}': {}", path, error.what()),
                          "save a plan with 'cohort-sync --dry-run --plan-out FILE'");
    }
}

} // namespace cohort_sync
