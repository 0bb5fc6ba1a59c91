#include "report_store.hpp"

#include "cohort_sync/metrics.hpp"
#include "cohort_sync/source.hpp"
#include "private_file.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <vector>

namespace cohort_sync {
namespace fs = std::filesystem;
namespace {

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
        make_private_directory(directory.string(), config.group);
        const auto path = directory / (report.run_id + ".json");
        auto text = report_json_text(report);
        text += '\n';
        write_private_file(path.string(), text, config.group,
                           "report.directory must be writable by the user running cohort-sync");
        prune(directory, config.keep);
        return path.string();
    } catch (const std::exception& error) {
        spdlog::warn("could not write the run report in '{}': {}", directory.string(), error.what());
        spdlog::warn("HINT: report.directory must be writable by the user running cohort-sync "
                     "(StateDirectory= in the systemd unit); Moodle itself is consistent");
        return std::nullopt;
    }
}

std::vector<RunHistoryEntry> unrecorded_runs(const ReportConfig& config,
                                             const std::set<std::string>& recorded, int limit,
                                             std::string& problem) {
    const fs::path directory = fs::path(config.directory) / "reports";
    std::vector<std::string> ids;
    std::error_code error;
    for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
        if (it->path().extension() == ".json" && !recorded.contains(it->path().stem().string())) {
            ids.push_back(it->path().stem().string());
        }
    }
    if (error && error != std::errc::no_such_file_or_directory) {
        problem = fmt::format("cannot read '{}': {}", directory.string(), error.message());
        return {};
    }
    // Run ids begin with their UTC start time: the newest sort last.
    std::ranges::sort(ids, std::greater<>());
    std::vector<RunHistoryEntry> runs;
    for (const auto& id : ids) {
        if (static_cast<int>(runs.size()) >= limit) {
            break;
        }
        std::ifstream in(directory / (id + ".json"), std::ios::binary);
        // A dry run is not a night's outcome; its report may be a first night's, tens of
        // megabytes, and "dry_run" is among its first keys: skipped unread.
        std::string text(512, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
        if (text.find("\"dry_run\": true") != std::string::npos) {
            continue;
        }
        text.append(std::istreambuf_iterator<char>(in), {});
        const auto report = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (report.is_discarded() || !report.is_object() || report.value("dry_run", false)) {
            continue;
        }
        // Applied and refused runs are in the runs table (a post-commit failure as applied), also
        // when older than the runs `status` reads from it: only the others are the files' to tell.
        const auto outcome = report.value("outcome", std::string("?"));
        if (outcome == "applied" || outcome == "refused" || outcome == "post-commit-failed") {
            continue;
        }
        runs.push_back({report.value("run_id", id), report.value("started_at", 0LL),
                        report.value("finished_at", 0LL), outcome, std::move(text)});
    }
    return runs;
}

std::string metrics_site(const Config& config) {
    if (!config.report.site.empty()) {
        return config.report.site;
    }
    return fs::path(config.source_path).stem().string();
}

void store_metrics(const Config& config, const RunReport& report, int exit_code) {
    const std::string& path = config.report.prometheus_textfile;
    if (path.empty() || report.dry_run) {
        return;
    }
    std::string previous;
    if (std::ifstream in(path, std::ios::binary); in) {
        previous.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto text = render_metrics(
        {report, metrics_site(config), exit_code, last_success_in(previous), needed_source_kinds(config)});
    try {
        // 0644 whatever the umask: the unit's UMask=0077 would hide the file from node_exporter,
        // which runs as its own user. It names nobody.
        write_file_atomically(path, text, public_access(),
                              "the metrics file's folder must be writable by the user running cohort-sync "
                              "(docs/operations.md, \"Monitoring\")");
    } catch (const std::exception& error) {
        spdlog::warn("could not write the metrics file '{}': {}", path, error.what());
    }
}

} // namespace cohort_sync
