// A problem found in the data (a bad export row, an LDAP entry without a login...). Issues are
// values returned by the core, never exceptions: a run reports them all and decides from
// their count whether a source is still usable.
#pragma once

#include <string>
#include <vector>

namespace cohort_sync {

enum class Severity { warning, error };

// What kind of defect an issue is, so that the core decides from the kind, never from the text.
enum class IssueKind {
    other,
    header,            // the export's header line: a column missing, twice, or no header at all
    truncated,         // the file ends inside a record, or its trailer is missing
    trailer,           // the trailer's row count disagrees with the rows read
    bad_row,           // one data line that cannot be read; the others are fine
    encoding,          // bytes that are not valid in the configured encoding
    missing_attribute, // a directory entry without its login or student number
    duplicate_entry,   // a directory entry whose login or student number an earlier one has
    multiple_values,   // a single-valued attribute with several values
    clock,             // a file's time is in this host's future
    missing,           // a schema or table the source's query reads does not exist (a DRE mid-rebuild)
};

struct Issue {
    Severity severity = Severity::warning;
    std::string locator; // where: "export.csv:214", an LDAP DN, a JSON path, a cohort idnumber
    std::string message; // what is wrong, with the offending value quoted
    IssueKind kind = IssueKind::other;

    friend bool operator==(const Issue&, const Issue&) = default;
};

using Issues = std::vector<Issue>;

inline const char* to_string(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

} // namespace cohort_sync
