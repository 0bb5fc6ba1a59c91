#include "private_file.hpp"

#include "cohort_sync/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace cohort_sync {
namespace {

[[noreturn]] void fail(const std::string& path, int error, std::string_view hint) {
    throw Error(fmt::format("unable to write '{}': {}", path, std::strerror(error)), std::string(hint));
}

// The id of report.group; throws an Error naming the setting when there is no such group.
gid_t group_id(const std::string& group) {
    std::vector<char> buffer(16384);
    struct group entry {};
    struct group* found = nullptr;
    const int error = ::getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (found == nullptr) {
        throw Error(fmt::format("report.group: no group '{}' on this host{}", group,
                                error != 0 ? fmt::format(" ({})", std::strerror(error)) : ""),
                    "set report.group to an existing group (getent group NAME), or leave it empty for "
                    "files readable by their owner only");
    }
    return found->gr_gid;
}

// Closes the temporary file, and removes it unless it was renamed into place.
class TemporaryFile {
public:
    explicit TemporaryFile(std::string name_template)
        : m_name(std::move(name_template))
        , m_fd(::mkstemp(m_name.data())) {}
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    ~TemporaryFile() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        if (!m_kept) {
            ::unlink(m_name.c_str());
        }
    }

    int fd() const { return m_fd; }
    const std::string& name() const { return m_name; }

    // Closes it for good; returns the error of close(), or 0.
    int close() {
        const int result = ::close(m_fd);
        m_fd = -1;
        return result == 0 ? 0 : errno;
    }
    void keep() { m_kept = true; }

private:
    std::string m_name;
    int m_fd;
    bool m_kept = false;
};

// After the rename, so that the new name survives a crash as the file's content does.
void sync_directory_of(const std::string& path) {
    const auto parent = std::filesystem::path(path).parent_path();
    const int fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd); // best effort: some file systems refuse fsync on a directory
        ::close(fd);
    }
}

} // namespace

FileAccess private_access(const std::string& group) {
    return group.empty() ? FileAccess{0600, {}} : FileAccess{0640, group};
}

FileAccess public_access() {
    return {0644, {}};
}

void write_file_atomically(const std::string& path, std::string_view content, const FileAccess& access,
                           std::string_view hint) {
    // mkstemp creates with O_EXCL and mode 0600 less the umask; fchmod sets the mode exactly, so
    // that neither a umask of 0277 (the owner could not read it back) nor the unit's 0077 (the
    // metrics unreadable by node_exporter) decides it. The group is set before the mode widens.
    TemporaryFile file(path + ".XXXXXX");
    if (file.fd() < 0) {
        fail(path, errno, hint);
    }
    if (!access.group.empty() && ::fchown(file.fd(), static_cast<uid_t>(-1), group_id(access.group)) != 0) {
        throw Error(fmt::format("unable to give '{}' to the group '{}' (report.group): {}", path,
                                access.group, std::strerror(errno)),
                    "the user running cohort-sync must be a member of that group (or root)");
    }
    if (::fchmod(file.fd(), access.mode) != 0) {
        fail(path, errno, hint);
    }
    std::size_t written = 0;
    while (written < content.size()) {
        const auto result = ::write(file.fd(), content.data() + written, content.size() - written);
        if (result < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(path, errno, hint);
        }
        written += static_cast<std::size_t>(result);
    }
    if (::fsync(file.fd()) != 0) {
        fail(path, errno, hint);
    }
    if (const int error = file.close(); error != 0) {
        fail(path, error, hint);
    }
    if (std::rename(file.name().c_str(), path.c_str()) != 0) {
        fail(path, errno, hint);
    }
    file.keep();
    sync_directory_of(path);
}

void write_private_file(const std::string& path, std::string_view content, const std::string& group,
                        std::string_view hint) {
    write_file_atomically(path, content, private_access(group), hint);
}

void make_private_directory(const std::string& directory, const std::string& group) {
    std::error_code error;
    if (std::filesystem::is_directory(directory, error)) {
        return;
    }
    const auto parent = std::filesystem::path(directory).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, error); // the mkdir below reports what failed
    }
    const FileAccess access = private_access(group);
    const mode_t mode = access.mode | ((access.mode & 0440) >> 2); // r -> r-x for owner and group
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
        fail(directory, errno, "report.directory must be writable by the user running cohort-sync");
    }
    if (!access.group.empty() &&
        ::chown(directory.c_str(), static_cast<uid_t>(-1), group_id(access.group)) != 0) {
        fail(directory, errno, "the user running cohort-sync must be a member of report.group (or root)");
    }
    if (::chmod(directory.c_str(), mode) != 0) {
        fail(directory, errno, "report.directory must be writable by the user running cohort-sync");
    }
}

} // namespace cohort_sync
