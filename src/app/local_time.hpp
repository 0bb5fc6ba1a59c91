#pragma once

#include <ctime>
#include <string>

namespace cohort_sync {

// Unix seconds in the host's local time, for what an admin reads ("2026-11-30 02:31:07").
inline std::string format_local_time(long long unix_seconds, const char* format = "%Y-%m-%d %H:%M:%S") {
    const std::time_t t = unix_seconds;
    std::tm local{};
    localtime_r(&t, &local);
    char text[64];
    return std::string(text, std::strftime(text, sizeof text, format, &local));
}

} // namespace cohort_sync
