// Parsing the APOGÉE export (pure: bytes in, rows and issues out). Reading the file, and its
// freshness checks, are in src/io/apogee_export.cpp.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"

#include <string>
#include <string_view>

namespace cohort_sync {

// Converts `bytes` in `encoding` to UTF-8. A UTF-8 BOM is dropped. Invalid UTF-8 input is an
// issue (locator "file:line"), and the bad bytes are replaced by U+FFFD.
std::string to_utf8(std::string_view bytes, Encoding encoding);

// Parses the whole export. `name` is used in locators ("export.csv:214"). Never throws on bad
// data: a missing header column, a bad row, a trailer mismatch all come back as issues. The
// caller refuses the file when `issues` has an error or more bad rows than allowed.
ExportRead parse_export(std::string_view bytes, const ExportConfig& config, const std::string& name);

} // namespace cohort_sync
