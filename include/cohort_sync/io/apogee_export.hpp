// The APOGÉE export as a source: reads the file whole and hands it to parse_export(). The file
// is refused (SourceError) rather than half-used, because rows missing from a partial file would
// read as students who left.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"

namespace cohort_sync {

class ApogeeExportFile : public ExportSource {
public:
    // `now_unix_seconds` is the run's clock, against which the file's age is measured.
    ApogeeExportFile(const ExportConfig& config, long long now_unix_seconds);

    // The parsed file, with its warnings (bad rows within the budget, encoding) in `issues`.
    // Throws SourceError when the file is missing, unreadable, not a regular file, empty, older
    // than max_age_hours, changed while being read, has a header or trailer problem, fewer than
    // min_rows data lines, or more than max_bad_rows bad rows.
    ExportRead read() override;

private:
    ExportConfig m_config;
    long long m_now;
};

} // namespace cohort_sync
