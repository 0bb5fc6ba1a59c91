// A problem found in the data (a bad export row, an LDAP entry without a login...). Issues are
// values returned by the core, never exceptions: a run reports them all and decides from
// their count whether a source is still usable.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cohort_sync {

enum class Severity { warning, error };

// What kind of defect an issue is, so that the core decides from the kind, never from the text.
enum class IssueKind {
    other,
    header,              // the export's header line: a column missing, twice, or no header at all
    truncated,           // the file ends inside a record, or its trailer is missing
    trailer,             // the trailer's row count disagrees with the rows read
    bad_row,             // one data line that cannot be read; the others are fine
    encoding,            // bytes that are not valid in the configured encoding
    missing_attribute,   // a directory entry without its login or student number
    malformed_attribute, // a directory entry whose student number cannot be a student number
    duplicate_entry,     // a directory entry whose login or student number an earlier one has
    multiple_values,     // a single-valued attribute with several values
    clock,               // a file's time is in this host's future
    garbage,             // bytes no export holds (a run of NUL bytes, no line break): the read stopped there
    oversized,           // a file larger than its configured bound: it was not read
    missing,             // a schema or table the source's query reads does not exist (a DRE mid-rebuild)
};

// What a damaged record (a bad export row, a directory entry that cannot be matched) still says
// about whom it concerns, each field empty where it cannot be read. The core holds back the
// removals it could concern: a defect in a source is doubt, and doubt never removes anybody.
struct DamagedRecord {
    std::string student_number;
    std::string login;
    std::string etape;        // the étape code the record names, normalised as the export's are
    int line = 0;             // the record's line, for a source read from a file
    std::string element = {}; // the element code a pedagogical record names, normalised likewise

    friend bool operator==(const DamagedRecord&, const DamagedRecord&) = default;
};

struct Issue {
    Severity severity = Severity::warning;
    std::string locator; // where: "export.csv:214", an LDAP DN, a JSON path, a cohort idnumber
    std::string message; // what is wrong, with the offending value quoted
    IssueKind kind = IssueKind::other;
    std::optional<DamagedRecord> damaged = std::nullopt; // set when the record behind the issue is left out

    friend bool operator==(const Issue&, const Issue&) = default;
};

using Issues = std::vector<Issue>;

inline const char* to_string(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

} // namespace cohort_sync
