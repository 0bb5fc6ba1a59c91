#include "cohort_sync/io/apogee_export.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/export_parser.hpp"
#include "file_descriptor.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace cohort_sync {
namespace {

std::string errno_text(int error) {
    return std::error_code(error, std::generic_category()).message();
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

// Read a chunk at a time, so that a file of garbage is stopped at its first megabyte rather than
// read whole: a disk or copy failure leaves runs of NUL bytes, and a binary file has no lines.
constexpr std::size_t k_chunk_bytes = std::size_t{1} << 20;
constexpr std::size_t k_max_header_bytes = 64 * 1024; // an export's header is a few hundred bytes

// Where the bytes read so far stop looking like text, as an issue; none while they are plausible.
std::optional<Issue> garbage_in(std::string_view bytes, std::size_t chunk_begin, const std::string& path) {
    if (chunk_begin == 0) {
        const auto header = bytes.substr(0, std::min(bytes.size(), k_max_header_bytes));
        if (header.find('\n') == std::string_view::npos && bytes.size() >= k_max_header_bytes) {
            return Issue{Severity::error, path,
                         fmt::format("the first {} bytes of '{}' hold no line break: it is not a CSV export",
                                     k_max_header_bytes, path),
                         IssueKind::garbage};
        }
        if (header.substr(0, header.find('\n')).find('\0') != std::string_view::npos) {
            return Issue{Severity::error, fmt::format("{}:1", path),
                         fmt::format("the first line of '{}' holds NUL bytes: the file is damaged", path),
                         IssueKind::garbage};
        }
    }
    const auto chunk = bytes.substr(chunk_begin);
    const auto nul = static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\0'));
    if (nul > chunk.size() / 2) {
        return Issue{
            Severity::error, path,
            fmt::format("bytes {} to {} of '{}' are mostly NUL bytes ({} of {}): the file is damaged, "
                        "so it was not read further",
                        chunk_begin, chunk_begin + chunk.size(), path, nul, chunk.size()),
            IssueKind::garbage};
    }
    return std::nullopt;
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

} // namespace

ApogeeExportFile::ApogeeExportFile(const ExportConfig& config)
    : m_config(config) {}

SourceRead ApogeeExportFile::read() {
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
    const FileFacts facts{before.size, before.mtime_seconds};
    const auto refused = [&](Issue issue) {
        ExportRead read;
        read.path = path;
        read.issues.push_back(std::move(issue));
        return SourceRead{"export", std::move(read), facts};
    };
    const long long limit = static_cast<long long>(m_config.max_size_mb) * 1024 * 1024;
    if (before.size > limit) {
        return refused({Severity::error, path,
                        fmt::format("'{}' is {} MB, more than apogee.max_size_mb = {}: it was not read", path,
                                    before.size / (1024 * 1024), m_config.max_size_mb),
                        IssueKind::oversized});
    }
    // Reserved, not filled: pages are touched only as chunks arrive, so a file of garbage stopped
    // at its first megabyte costs a megabyte.
    const auto size = static_cast<std::size_t>(before.size);
    std::string bytes;
    bytes.reserve(size);
    std::size_t done = 0;
    while (done < size) {
        const std::size_t chunk_begin = done;
        bytes.resize(std::min(size, done + k_chunk_bytes));
        const ssize_t got = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (got < 0) {
            const int error = errno;
            if (error == EINTR) {
                continue;
            }
            throw SourceError(fmt::format("unable to read the APOGÉE export '{}' (at byte {} of {}): {}",
                                          path, done, size, errno_text(error)));
        }
        if (got == 0) {
            break; // shrank under us: reported below as a change
        }
        done += static_cast<std::size_t>(got);
        if (auto garbage = garbage_in(std::string_view(bytes.data(), done), chunk_begin, path)) {
            return refused(std::move(*garbage));
        }
    }
    const FileState after = state_of(fd.get(), path);
    if (done != size || after != before) {
        throw SourceError(
            fmt::format("unable to read the APOGÉE export '{}': the file changed while it was read "
                        "({} bytes before, {} after)",
                        path, before.size, after.size),
            "the extraction may still be running; cohort-sync should run after it finishes");
    }
    return {"export", parse_export(bytes, m_config, path), facts};
}

} // namespace cohort_sync
