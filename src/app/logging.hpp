// Log sinks, configured in one place. See docs/operations.md for the fixed leading phrases
// ("sync begin", "sync end", "source ldap:", ...) that journalctl -g can rely on.
#pragma once

#include <string>

namespace cohort_sync {

enum class Verbosity { quiet, normal, verbose };

enum class LogStyle {
    journal,  // under systemd (JOURNAL_STREAM set): sd-daemon "<N>" prefixes, no timestamps
    terminal, // interactive: "cohort-sync: warning: ...", no timestamps
    plain,    // redirected to a file: timestamps and the run id on every line
};

LogStyle detect_log_style();

void setup_logging(Verbosity verbosity, LogStyle style, const std::string& run_id);

} // namespace cohort_sync
