// Reading an APOGÉE extract whole (the administrative export, the pedagogical extracts): from
// one descriptor, a chunk at a time, refusing a file too large or of garbage, noticing a file
// that changes while it is read. Parsing is the core's; private to src/io.
#pragma once

#include "cohort_sync/issue.hpp"
#include "cohort_sync/source.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cohort_sync {

// What the file and its settings are called in messages.
struct ExtractNames {
    std::string what;         // "the APOGÉE export"
    std::string path_setting; // "apogee.path"
    std::string size_setting; // "apogee.max_size_mb"
};

struct ExtractFile {
    // Not a std::string: growing one zero-fills it before read() overwrites the zeros, a memset of
    // the whole file (6% of a pedagogical read's profile).
    std::unique_ptr<char[]> buffer;
    std::size_t size = 0;
    FileFacts facts;
    std::optional<Issue> refusal; // set when the file was not read whole (too large, garbage)

    std::string_view bytes() const { return {buffer.get(), size}; }
};

// Throws SourceError when the file cannot be read whole: missing, unreadable, not a regular
// file, or changed while it was read.
ExtractFile read_extract_file(const std::string& path, int max_size_mb, const ExtractNames& names);

} // namespace cohort_sync
