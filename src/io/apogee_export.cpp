#include "cohort_sync/io/apogee_export.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/export_parser.hpp"
#include "file_descriptor.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace cohort_sync {
namespace {

constexpr const char* k_rerun_hint =
    "the APOGÉE extraction may have failed or may still be running: check its job, and schedule cohort-sync "
    "after it finishes";

std::string errno_text(int error) {
    return std::error_code(error, std::generic_category()).message();
}

std::string utc_timestamp(long long seconds) {
    const CivilDate date = civil_date_from_unix(seconds);
    long long in_day = seconds % 86400;
    if (in_day < 0) {
        in_day += 86400;
    }
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", date.year, date.month, date.day,
                       in_day / 3600, in_day / 60 % 60, in_day % 60);
}

struct FileState {
    long long size = 0;
    long long mtime_seconds = 0;
    long long mtime_nanoseconds = 0;

    friend bool operator==(const FileState&, const FileState&) = default;
};

FileState state_of(int fd, const std::string& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int error = errno;
        throw SourceError(fmt::format("unable to stat the APOGÉE export '{}': {}", path, errno_text(error)));
    }
    if (!S_ISREG(st.st_mode)) {
        throw SourceError(
            fmt::format("unable to read the APOGÉE export '{}': it is not a regular file", path),
            "set apogee.path to the export file itself");
    }
    return FileState{static_cast<long long>(st.st_size), static_cast<long long>(st.st_mtim.tv_sec),
                     static_cast<long long>(st.st_mtim.tv_nsec)};
}

std::string hint_for_open(int error) {
    switch (error) {
    case ENOENT:
        return "check apogee.path, and that the APOGÉE extraction job ran and wrote its file there";
    case EACCES:
    case EPERM:
        return "give the user cohort-sync runs as read access to the file and its directories";
    default:
        return {};
    }
}

std::string first_issues(const Issues& issues, Severity severity, std::size_t max) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& issue : issues) {
        if (issue.severity != severity || shown == max) {
            continue;
        }
        out += fmt::format("{}{}: {}", shown == 0 ? "" : "; ", issue.locator, issue.message);
        ++shown;
    }
    return out;
}

} // namespace

ApogeeExportFile::ApogeeExportFile(const ExportConfig& config, long long now_unix_seconds)
    : m_config(config)
    , m_now(now_unix_seconds) {}

ExportRead ApogeeExportFile::read() {
    const std::string& path = m_config.path;
    if (path.empty()) {
        throw SourceError(
            "unable to read the APOGÉE export: apogee.path is empty",
            "set apogee.path, or choose membership rule \"directory\" to run without the export");
    }
    // O_NONBLOCK: a FIFO at this path must not hang the nightly run (it is refused below as not a
    // regular file); on a regular file the flag changes nothing.
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        const int error = errno;
        throw SourceError(fmt::format("unable to open the APOGÉE export '{}': {}", path, errno_text(error)),
                          hint_for_open(error));
    }

    // Size and mtime come from the descriptor we read, not the path: if the extraction renames a
    // new file into place meanwhile, we still read one whole file.
    const FileState before = state_of(fd.get(), path);
    if (before.size == 0) {
        throw SourceError(fmt::format("the APOGÉE export '{}' is empty", path), k_rerun_hint);
    }
    const double age_hours = static_cast<double>(m_now - before.mtime_seconds) / 3600.0;
    if (age_hours > m_config.max_age_hours) {
        throw SourceError(
            fmt::format("the APOGÉE export '{}' is {:.1f} hours old (last modified {}), more than "
                        "apogee.max_age_hours = {}",
                        path, age_hours, utc_timestamp(before.mtime_seconds), m_config.max_age_hours),
            "check the APOGÉE extraction job: it has not written a new file since; raise "
            "apogee.max_age_hours only if the export really runs less often");
    }

    std::string bytes(static_cast<std::size_t>(before.size), '\0');
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t got = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (got < 0) {
            const int error = errno;
            if (error == EINTR) {
                continue;
            }
            throw SourceError(fmt::format("unable to read the APOGÉE export '{}' (at byte {} of {}): {}",
                                          path, done, bytes.size(), errno_text(error)));
        }
        if (got == 0) {
            break; // shrank under us: reported below as a change
        }
        done += static_cast<std::size_t>(got);
    }
    const FileState after = state_of(fd.get(), path);
    if (done != bytes.size() || after != before) {
        throw SourceError(
            fmt::format("unable to read the APOGÉE export '{}': the file changed while it was read "
                        "({} bytes before, {} after)",
                        path, before.size, after.size),
            "the extraction may still be running; cohort-sync should run after it finishes");
    }

    ExportRead result = parse_export(bytes, m_config, path);
    // A file from the future is not refused (the rows are fine), but the age check above cannot
    // see a stale export while the clocks disagree. A few minutes of skew are ordinary.
    constexpr long long k_clock_skew_seconds = 300;
    if (before.mtime_seconds > m_now + k_clock_skew_seconds) {
        result.issues.push_back(
            {Severity::warning, path,
             fmt::format("the APOGÉE export '{}' was last modified {}, {:.1f} hours in the future by this "
                         "host's clock, so apogee.max_age_hours cannot tell whether it is stale; HINT: "
                         "synchronise the clocks of this host and of the extraction host (NTP)",
                         path, utc_timestamp(before.mtime_seconds),
                         static_cast<double>(before.mtime_seconds - m_now) / 3600.0)});
    }

    std::size_t errors = 0;
    for (const auto& issue : result.issues) {
        errors += issue.severity == Severity::error ? 1 : 0;
    }
    if (errors > 0) {
        std::string message = fmt::format("unable to use the APOGÉE export '{}': {}", path,
                                          first_issues(result.issues, Severity::error, 1));
        if (errors > 1) {
            message += fmt::format(" (and {} more error{})", errors - 1, errors == 2 ? "" : "s");
        }
        // Header problems stop parsing before any data line is counted; a file that ends right
        // after its header with a trailer configured is a truncation, not a header problem.
        const bool header_problem =
            result.data_lines == 0 &&
            first_issues(result.issues, Severity::error, 1).find("trailer") == std::string::npos;
        throw SourceError(
            message, header_problem
                         ? "check apogee.columns, apogee.delimiter and apogee.encoding against the "
                           "file's first line"
                         : std::string("the file may be truncated or still being written: ") + k_rerun_hint);
    }

    // Each rejected row has exactly one warning, and parse_export lists them before any other
    // warning, so the first warnings are the first bad rows.
    const int bad_rows = result.data_lines - static_cast<int>(result.rows.size());
    if (bad_rows > m_config.max_bad_rows) {
        throw SourceError(
            fmt::format("the APOGÉE export '{}' has {} bad rows, more than apogee.max_bad_rows = {}: {}",
                        path, bad_rows, m_config.max_bad_rows,
                        first_issues(result.issues, Severity::warning, 3)),
            "fix the export so that these rows are complete (students in bad rows would leave their "
            "cohorts); raise apogee.max_bad_rows only if such rows are expected");
    }
    if (result.data_lines < m_config.min_rows) {
        throw SourceError(
            fmt::format("the APOGÉE export '{}' has {} data line{}, fewer than apogee.min_rows = {}", path,
                        result.data_lines, result.data_lines == 1 ? "" : "s", m_config.min_rows),
            k_rerun_hint);
    }
    return result;
}

} // namespace cohort_sync
