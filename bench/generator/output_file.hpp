// A file of the generator's output, written under "<name>.tmp" and renamed by commit(): a script
// never reads half a file.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>
#include <string>
#include <system_error>

namespace cohort_sync::generator {

// A file never committed is removed.
class OutputFile {
public:
    explicit OutputFile(std::filesystem::path path)
        : m_path(std::move(path))
        , m_temporary(m_path.string() + ".tmp") {
        m_file = std::fopen(m_temporary.c_str(), "wb");
        if (!m_file) {
            fail("create");
        }
        m_buffer.reserve(k_flush_size + 64 * 1024);
    }
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    ~OutputFile() {
        if (m_file) {
            std::fclose(m_file);
            std::error_code ignored;
            std::filesystem::remove(m_temporary, ignored);
        }
    }

    std::string& buffer() { return m_buffer; }

    void maybe_flush() {
        if (m_buffer.size() >= k_flush_size) {
            flush();
        }
    }

    void commit() {
        flush();
        std::FILE* file = m_file;
        m_file = nullptr;
        if (std::fclose(file) != 0) {
            const int error = errno;
            std::error_code ignored;
            std::filesystem::remove(m_temporary, ignored);
            errno = error;
            fail("write");
        }
        std::error_code ec;
        std::filesystem::rename(m_temporary, m_path, ec);
        if (ec) {
            throw std::runtime_error(fmt::format("unable to rename '{}' to '{}': {}", m_temporary.string(),
                                                 m_path.string(), ec.message()));
        }
    }

private:
    static constexpr std::size_t k_flush_size = 4 << 20;

    void flush() {
        if (!m_buffer.empty() &&
            std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file) != m_buffer.size()) {
            fail("write");
        }
        m_buffer.clear();
    }

    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(
            fmt::format("unable to {} '{}': {}", what, m_temporary.string(), std::strerror(errno)));
    }

    std::filesystem::path m_path;
    std::filesystem::path m_temporary;
    std::FILE* m_file = nullptr;
    std::string m_buffer;
};

} // namespace cohort_sync::generator
