#include "run_clock.hpp"

#include <chrono>
#include <ctime>

namespace cohort_sync {

RunClock run_clock_at(long long instant) {
    const std::time_t t = instant;
    std::tm local{};
    localtime_r(&t, &local);
    return {instant, CivilDate{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday}};
}

RunClock read_run_clock() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return run_clock_at(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

} // namespace cohort_sync
