// Whether tonight's file of an APOGÉE extract may be used: the same judgement for the
// administrative export and the pedagogical extracts, each with its own settings. Private to
// src/core/sources.
#pragma once

#include "cohort_sync/issue.hpp"
#include "cohort_sync/run_clock.hpp"
#include "cohort_sync/source.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace cohort_sync {

struct ExtractRules {
    std::string what;            // "the APOGÉE export": messages
    std::string section;         // "apogee": the settings' section, for messages and hints
    std::string path_setting;    // "apogee.path"
    std::string columns_setting; // "apogee.columns"
    double max_age_hours = 36;
    int max_bad_rows = 10;
    int min_rows = 1;
};

// Throws SourceError (with a hint) for a file that is empty, older than max_age_hours, has an
// error issue (header, truncation, trailer...), more than max_bad_rows bad rows or fewer than
// min_rows data lines; warns (in `issues`) about a file from this host's future.
void accept_extract(const std::string& path, const std::optional<FileFacts>& file, const ExtractRules& rules,
                    const RunClock& clock, Issues& issues, int data_lines, std::size_t rows);

} // namespace cohort_sync
