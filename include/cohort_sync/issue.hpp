// A problem found in the data (a bad export row, an LDAP entry without a login...). Issues are
// values returned by the core, never exceptions: a run reports them all and decides from
// their count whether a source is still usable.
#pragma once

#include <string>
#include <vector>

namespace cohort_sync {

enum class Severity { warning, error };

struct Issue {
    Severity severity = Severity::warning;
    std::string locator; // where: "export.csv:214", an LDAP DN, a JSON path, a cohort idnumber
    std::string message; // what is wrong, with the offending value quoted

    friend bool operator==(const Issue&, const Issue&) = default;
};

using Issues = std::vector<Issue>;

inline const char* to_string(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

} // namespace cohort_sync
