// The APOGÉE export's adapter: reads the file whole, hands it to parse_export() and reports the
// rows, their defects and the file's size and time. Whether the file is good enough to use is
// the export source kind's decision (src/core/sources/export_source.cpp).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"

namespace cohort_sync {

class ApogeeExportFile : public Source {
public:
    explicit ApogeeExportFile(const ExportConfig& config);

    // The parsed file with its issues, and the file's facts. Throws SourceError only when the
    // file cannot be read whole: missing, unreadable, not a regular file, or changed while it
    // was read.
    SourceRead read() override;

private:
    ExportConfig m_config;
};

} // namespace cohort_sync
