#include "extract_file.hpp"

#include "cohort_sync/error.hpp"
#include "file_descriptor.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
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

FileState state_of(int fd, const std::string& path, const ExtractNames& names) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int error = errno;
        throw SourceError(fmt::format("unable to stat {} '{}': {}", names.what, path, errno_text(error)));
    }
    if (!S_ISREG(st.st_mode)) {
        throw SourceError(fmt::format("unable to read {} '{}': it is not a regular file", names.what, path),
                          fmt::format("set {} to the file itself", names.path_setting));
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
                         fmt::format("the first {} bytes of '{}' hold no line break: it is not a CSV file",
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

std::string hint_for_open(int error, const ExtractNames& names) {
    switch (error) {
    case ENOENT:
        return fmt::format("check {}, and that the APOGÉE extraction job ran and wrote its file there",
                           names.path_setting);
    case EACCES:
    case EPERM:
        return "give the user cohort-sync runs as read access to the file and its directories";
    default:
        return {};
    }
}

} // namespace

ExtractFile read_extract_file(const std::string& path, int max_size_mb, const ExtractNames& names) {
    // O_NONBLOCK: a FIFO at this path must not hang the nightly run (it is refused below as not a
    // regular file); on a regular file the flag changes nothing.
    const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        const int error = errno;
        throw SourceError(fmt::format("unable to open {} '{}': {}", names.what, path, errno_text(error)),
                          hint_for_open(error, names));
    }

    // Size and mtime come from the descriptor we read, not the path: if the extraction renames a
    // new file into place meanwhile, we still read one whole file.
    const FileState before = state_of(fd.get(), path, names);
    ExtractFile file;
    file.facts = FileFacts{before.size, before.mtime_seconds};
    const long long limit = static_cast<long long>(max_size_mb) * 1024 * 1024;
    if (before.size > limit) {
        file.refusal = Issue{Severity::error, path,
                             fmt::format("'{}' is {} MB, more than {} = {}: it was not read", path,
                                         before.size / (1024 * 1024), names.size_setting, max_size_mb),
                             IssueKind::oversized};
        return file;
    }
    // Allocated, not filled: pages are touched only as chunks arrive, so a file of garbage stopped
    // at its first megabyte costs a megabyte.
    const auto size = static_cast<std::size_t>(before.size);
    file.buffer = std::make_unique_for_overwrite<char[]>(size);
    char* const bytes = file.buffer.get();
    std::size_t done = 0;
    while (done < size) {
        const std::size_t chunk_begin = done;
        const std::size_t chunk_end = std::min(size, done + k_chunk_bytes);
        const ssize_t got = ::read(fd.get(), bytes + done, chunk_end - done);
        if (got < 0) {
            const int error = errno;
            if (error == EINTR) {
                continue;
            }
            throw SourceError(fmt::format("unable to read {} '{}' (at byte {} of {}): {}", names.what, path,
                                          done, size, errno_text(error)));
        }
        if (got == 0) {
            break; // shrank under us: reported below as a change
        }
        done += static_cast<std::size_t>(got);
        file.size = done;
        if (auto garbage = garbage_in(file.bytes(), chunk_begin, path)) {
            file.refusal = std::move(*garbage);
            return file;
        }
    }
    const FileState after = state_of(fd.get(), path, names);
    if (done != size || after != before) {
        throw SourceError(fmt::format("unable to read {} '{}': the file changed while it was read "
                                      "({} bytes before, {} after)",
                                      names.what, path, before.size, after.size),
                          "the extraction may still be running; cohort-sync should run after it finishes");
    }
    return file;
}

} // namespace cohort_sync
