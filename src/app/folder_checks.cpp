#include "folder_checks.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

namespace cohort_sync {
namespace {

namespace fs = std::filesystem;

std::string user_name() {
    const struct passwd* entry = ::getpwuid(::geteuid());
    return entry != nullptr ? entry->pw_name : fmt::format("uid {}", ::geteuid());
}

// Empty when `folder` can be written to (or created: its nearest existing parent can); else why.
std::string why_not_writable(const fs::path& folder) {
    fs::path existing = folder;
    std::error_code error;
    while (!existing.empty() && !fs::exists(existing, error)) {
        if (existing == existing.parent_path()) {
            break;
        }
        existing = existing.parent_path();
    }
    if (existing.empty()) {
        existing = ".";
    }
    if (!fs::is_directory(existing, error)) {
        return fmt::format("'{}' is not a folder", existing.string());
    }
    if (::access(existing.c_str(), W_OK | X_OK) != 0) {
        return fmt::format("'{}'{} cannot be written by {}: {}", existing.string(),
                           existing == folder ? ""
                                              : fmt::format(" (where '{}' would be made)", folder.string()),
                           user_name(), std::strerror(errno));
    }
    return {};
}

bool folder_line(std::ostream& out, const char* what, const fs::path& folder, const std::string& setting,
                 const std::string& hint) {
    const auto problem = why_not_writable(folder);
    if (problem.empty()) {
        out << fmt::format("{:<8} {:<6} '{}' writable by {}\n", what, "ok", folder.string(), user_name());
        return true;
    }
    out << fmt::format("{:<8} {:<6} {} ({})\n", what, "FAILED", problem, setting);
    out << fmt::format("{:<15} HINT: {}\n", "", hint);
    return false;
}

} // namespace

bool check_output_folders(const Config& config, std::ostream& out) {
    bool ok =
        folder_line(out, "reports", fs::path(config.report.directory) / "reports", "report.directory",
                    "under the unit, report.directory must be its StateDirectory= (/var/lib/cohort-sync, or "
                    "/var/lib/cohort-sync/SITE for cohort-sync@SITE); by hand, run as a user that may write "
                    "there");
    if (!config.report.prometheus_textfile.empty()) {
        ok = folder_line(out, "metrics", fs::path(config.report.prometheus_textfile).parent_path(),
                         "report.prometheus_textfile",
                         "give the service write access to node_exporter's folder (docs/operations.md, "
                         "\"Monitoring\"), or point report.prometheus_textfile elsewhere") &&
             ok;
    }
    return ok;
}

} // namespace cohort_sync
