// Where a printed plan goes (the dry run's and show-plan's): standard output, or with --output a
// file only its owner can read. And the review page's options from the command line and locale.
#pragma once

#include "cohort_sync/review_page.hpp"

#include <iosfwd>
#include <string>
#include <string_view>

namespace cohort_sync {

// `lang_option` is --lang ("fr", "en", or empty to follow LC_ALL, LC_MESSAGES and LANG).
ReviewOptions review_options(std::string_view lang_option, bool full);

// To `out` when `path` is empty, else into `path` with mode 0600, or 0640 for `group` (report.group;
// private_file.hpp). Throws Error.
void write_plan_output(std::string_view text, const std::string& path, std::ostream& out,
                       const std::string& group = {});

} // namespace cohort_sync
