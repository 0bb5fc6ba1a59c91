#include "cohort_sync/io/apogee_export.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/export_parser.hpp"
#include "extract_file.hpp"

#include <string>

namespace cohort_sync {

ApogeeExportFile::ApogeeExportFile(const ExportConfig& config)
    : m_config(config) {}

SourceRead ApogeeExportFile::read() {
    const std::string& path = m_config.path;
    if (path.empty()) {
        throw SourceError(
            "unable to read the APOGÉE export: apogee.path is empty",
            "set apogee.path, or choose membership rule \"directory\" to run without the export");
    }
    auto file = read_extract_file(path, m_config.max_size_mb,
                                  {"the APOGÉE export", "apogee.path", "apogee.max_size_mb"});
    if (file.refusal) {
        ExportRead read;
        read.path = path;
        read.issues.push_back(std::move(*file.refusal));
        return SourceRead{"export", std::move(read), file.facts};
    }
    return {"export", parse_export(file.bytes(), m_config, path), file.facts};
}

} // namespace cohort_sync
