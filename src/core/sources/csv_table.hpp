// An APOGÉE extract read as a table: the columns found by name in its header, each data record
// checked against the header's field count, a truncated last line or a trailer, and the issues
// for all of it, typed (IssueKind) and with what a left-out row still names (DamagedRecord).
// Shared by the administrative export (export_parser.cpp) and the pedagogical extracts
// (pedagogical_parser.cpp), which say what their columns are and what a row means. Private to
// src/core/sources.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/issue.hpp"
#include "csv_records.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync::csv {

inline constexpr std::size_t k_absent = static_cast<std::size_t>(-1);

// APOGÉE's columns are short (LIB_ETP is 60 characters, codes fewer than 10): a field of
// kilobytes is a damaged line, and a value Moodle's cohort name (254 characters) or idnumber
// (100) could not hold would only fail the whole run at the database.
inline constexpr std::size_t k_max_field_bytes = 1024;

// One column the reader looks for in the header.
struct Column {
    const char* key;                    // its setting under the extract's columns section
    const std::string* configured_name; // the header's name for it
    bool required;                      // required even when configured empty
    std::size_t* index;                 // where it is found; k_absent when not
};

// How an extract is laid out, and what its settings are called in messages.
struct TableFormat {
    char delimiter = ';';
    char quote = '"';
    bool trailer = false;
    std::string columns_setting;  // "apogee.columns"
    std::string encoding_setting; // "apogee.encoding"
};

// A value quoted for a message, cut (on a character boundary) so that one absurd field does not
// flood the report.
std::string quoted(std::string_view value);

// A value of a left-out row that can still be trusted to name something: present, with no NUL
// byte or control character, no longer than any APOGÉE value.
bool readable(std::string_view value);

class TableReader {
public:
    TableReader(TableFormat format, const std::string& name, Issues& issues, int& data_lines);
    virtual ~TableReader() = default;

    // Reads the whole converted text: the header (its columns located), then each data record,
    // handed to `row` once it has the header's field count and no CSV defect.
    void read(std::string& text, std::span<const Column> columns);

protected:
    // One well-formed data record.
    virtual void row(const Record& record) = 0;
    // What a left-out record still names (its student, its étape or element).
    virtual DamagedRecord damaged_of(const Record& record) const = 0;

    std::string locator(int line) const;
    std::string column_name(std::size_t index) const;
    void bad_row(const Record& record, std::string message);
    // "column 'X' is empty" / "is N bytes long": the problems common to every extract's fields.
    void check_length(const Record& record, std::span<const std::size_t> indexes,
                      std::string& problems) const;
    static void add_problem(std::string& problems, std::string problem);
    // COD_ANU: four digits; 0, with a problem, otherwise.
    int read_year(const Record& record, std::size_t index, std::string& problems) const;

private:
    void error(std::string where, std::string message, IssueKind kind = IssueKind::header);
    bool locate_columns(const Record& header, std::span<const Column> columns);
    std::string header_list() const;
    std::string defect_message(const Record& record) const;
    void data_row(const Record& record);
    void last_row(const Record& last, bool ends_with_line_break);
    void check_trailer(const Record* last, int header_line);

    TableFormat m_format;
    const std::string& m_name;
    Issues& m_issues;
    int& m_data_lines;
    std::vector<std::string> m_header;
    std::size_t m_field_count = 0;
};

// The encoding warnings of an extract, after its row issues: bytes replaced, two encodings
// mixed, UTF-8 read as a single-byte encoding. Returns whether its labels are in doubt.
bool report_encoding(std::string_view bytes, const std::vector<std::size_t>& replaced_at, Encoding encoding,
                     const std::string& encoding_setting, const std::string& name, Issues& issues);

} // namespace cohort_sync::csv
