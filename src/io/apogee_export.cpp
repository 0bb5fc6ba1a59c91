#include "cohort_sync/io/apogee_export.hpp"

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
    return {"export", parse_export(bytes, m_config, path), FileFacts{before.size, before.mtime_seconds}};
}

} // namespace cohort_sync
