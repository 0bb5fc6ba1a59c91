#include "report_store.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <spdlog/spdlog.h>
#include <vector>

namespace cohort_sync {
namespace fs = std::filesystem;
namespace {

// Write to a temporary name, then rename: a reader never sees half a file.
void write_atomically(const fs::path& path, const std::string& content) {
    const fs::path temporary = path.string() + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        if (!file) {
            throw std::runtime_error(
                fmt::format("cannot create '{}': {}", temporary.string(), std::strerror(errno)));
        }
        file << content;
        file.flush();
        if (!file) {
            throw std::runtime_error(
                fmt::format("cannot write '{}': {}", temporary.string(), std::strerror(errno)));
        }
    }
    fs::rename(temporary, path);
}

void prune(const fs::path& directory, int keep) {
    std::vector<std::pair<fs::file_time_type, fs::path>> reports;
    for (const auto& entry : fs::directory_iterator(directory)) {
        if (entry.path().extension() == ".json") {
            reports.emplace_back(entry.last_write_time(), entry.path());
        }
    }
    // Oldest first: by when each was written (run ids only have whole seconds), then by name.
    std::ranges::sort(reports);
    const auto excess = static_cast<std::ptrdiff_t>(reports.size()) - keep;
    for (std::ptrdiff_t i = 0; i < excess; ++i) {
        fs::remove(reports[static_cast<std::size_t>(i)].second);
    }
}

} // namespace

std::optional<std::string> store_report(const ReportConfig& config, const RunReport& report) {
    const fs::path directory = fs::path(config.directory) / "reports";
    try {
        fs::create_directories(directory);
        const auto path = directory / (report.run_id + ".json");
        auto text = report_json_text(report);
        text += '\n';
        write_atomically(path, text);
        prune(directory, config.keep);
        return path.string();
    } catch (const std::exception& error) {
        spdlog::warn("could not write the run report in '{}': {}", directory.string(), error.what());
        spdlog::warn("HINT: report.directory must be writable by the user running cohort-sync "
                     "(StateDirectory= in the systemd unit); Moodle itself is consistent");
        return std::nullopt;
    }
}

void store_metrics(const ReportConfig& config, const RunReport& report) {
    if (config.prometheus_textfile.empty()) {
        return;
    }
    const bool success = report.outcome == "applied" || report.outcome == "dry-run";
    double seconds = 0;
    for (const auto& phase : report.phases) {
        seconds += phase.seconds;
    }
    const auto totals = report.plan ? report.plan->totals() : PlanTotals{};
    std::string text;
    text += "# HELP cohort_sync_last_run_timestamp_seconds When the last run finished.\n";
    text += "# TYPE cohort_sync_last_run_timestamp_seconds gauge\n";
    text += fmt::format("cohort_sync_last_run_timestamp_seconds {}\n", report.finished_at);
    text += "# HELP cohort_sync_last_run_success 1 if the last run applied its plan (or dry-ran), else 0.\n";
    text += "# TYPE cohort_sync_last_run_success gauge\n";
    text += fmt::format("cohort_sync_last_run_success {}\n", success ? 1 : 0);
    if (report.post_commit) {
        text += "# HELP cohort_sync_last_run_post_commit_success 1 if the last run's post-commit command "
                "succeeded, 0 if it failed (the cohorts are committed, the courses not yet updated).\n";
        text += "# TYPE cohort_sync_last_run_post_commit_success gauge\n";
        text += fmt::format("cohort_sync_last_run_post_commit_success {}\n",
                            report.post_commit->succeeded ? 1 : 0);
    }
    text += "# HELP cohort_sync_last_run_duration_seconds Duration of the last run.\n";
    text += "# TYPE cohort_sync_last_run_duration_seconds gauge\n";
    text += fmt::format("cohort_sync_last_run_duration_seconds {:.3f}\n", seconds);
    text += "# HELP cohort_sync_last_run_members_added Members added by the last run.\n";
    text += "# TYPE cohort_sync_last_run_members_added gauge\n";
    text += fmt::format("cohort_sync_last_run_members_added {}\n",
                        report.applied ? report.applied->members_added : 0);
    text += "# HELP cohort_sync_last_run_members_removed Members removed by the last run.\n";
    text += "# TYPE cohort_sync_last_run_members_removed gauge\n";
    text += fmt::format("cohort_sync_last_run_members_removed {}\n",
                        report.applied ? report.applied->members_removed : 0);
    text +=
        "# HELP cohort_sync_last_run_planned_removes Removals planned by the last run (also when refused).\n";
    text += "# TYPE cohort_sync_last_run_planned_removes gauge\n";
    text += fmt::format("cohort_sync_last_run_planned_removes {}\n", totals.removes);
    try {
        write_atomically(config.prometheus_textfile, text);
    } catch (const std::exception& error) {
        spdlog::warn("could not write the metrics file '{}': {}", config.prometheus_textfile, error.what());
    }
}

} // namespace cohort_sync
