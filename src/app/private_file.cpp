#include "private_file.hpp"

#include "cohort_sync/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohort_sync {
namespace {

[[noreturn]] void fail(const std::string& path, int error) {
    throw Error(fmt::format("unable to write '{}': {}", path, std::strerror(error)),
                "give --output a file in a directory you can write to");
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

} // namespace

void write_private_file(const std::string& path, std::string_view content) {
    // mkstemp creates with O_EXCL and mode 0600 less the umask; fchmod makes it 0600 exactly, so
    // that a umask of 0277 does not leave the owner unable to read it back either.
    TemporaryFile file(path + ".XXXXXX");
    if (file.fd() < 0 || ::fchmod(file.fd(), S_IRUSR | S_IWUSR) != 0) {
        fail(path, errno);
    }
    std::size_t written = 0;
    while (written < content.size()) {
        const auto result = ::write(file.fd(), content.data() + written, content.size() - written);
        if (result < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(path, errno);
        }
        written += static_cast<std::size_t>(result);
    }
    if (const int error = file.close(); error != 0) {
        fail(path, error);
    }
    if (std::rename(file.name().c_str(), path.c_str()) != 0) {
        fail(path, errno);
    }
    file.keep();
}

} // namespace cohort_sync
