// The APOGÉE-specific part of reading the export: columns found by name in the header, each row
// checked field by field, the trailer, and the issues for all of it. The bytes' encoding is
// text_encoding.cpp's job, the CSV syntax csv_records.cpp's.
#include "cohort_sync/export_parser.hpp"

#include "cohort_sync/etape.hpp"
#include "cohort_sync/text.hpp"
#include "cohort_sync/utf8.hpp"
#include "csv_records.hpp"
#include "text_encoding.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <utility>
#include <vector>

namespace cohort_sync {
namespace {

// ---- Text helpers --------------------------------------------------------------------------

// A value quoted for a message, cut (on a character boundary) so that one absurd field does not
// flood the report.
std::string quoted(std::string_view value) {
    constexpr std::size_t k_max = 40;
    if (value.size() <= k_max) {
        return fmt::format("'{}'", value);
    }
    return fmt::format("'{}…'", truncate_utf8_bytes(value, k_max));
}

std::string describe_delimiter(char delimiter) {
    return delimiter == '\t' ? std::string("tab") : fmt::format("'{}'", delimiter);
}

std::optional<long long> parse_count(std::string_view text) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0) {
        return std::nullopt;
    }
    return value;
}

// memchr is vectorised where std::count over chars is not (g++ 12, -O2).
std::size_t count_lines(std::string_view text) {
    std::size_t lines = 1;
    const char* p = text.data();
    const char* const end = p + text.size();
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) !=
           nullptr) {
        ++lines;
        ++p;
    }
    return lines;
}

// ---- The export ----------------------------------------------------------------------------

constexpr std::size_t k_absent = static_cast<std::size_t>(-1);

// APOGÉE's columns are short (LIB_ETP is 60 characters, codes fewer than 10): a field of
// kilobytes is a damaged line, and a value Moodle's cohort name (254 characters) or idnumber
// (100) could not hold would only fail the whole run at the database.
constexpr std::size_t k_max_field_bytes = 1024;

struct ColumnSpec {
    const char* key; // configuration key under apogee.columns
    const std::string* configured_name;
    bool required; // required even when configured empty
    std::size_t* index;
};

class ExportParser {
public:
    ExportParser(const ExportConfig& config, const std::string& name, ExportRead& result)
        : m_config(config)
        , m_name(name)
        , m_result(result) {}

    void run(std::string& text) {
        csv::RecordReader reader(text, m_config.delimiter, m_config.quote);
        csv::Record header;
        if (!reader.next(header)) {
            error(fmt::format("{}:1", m_name),
                  fmt::format("'{}' has no header line: it is empty or holds only blank lines", m_name));
            return;
        }
        if (!locate_columns(header)) {
            return;
        }
        // One row per line is the common case; over-reserving a little is cheaper than regrowing.
        m_result.rows.reserve(count_lines(text));

        const bool ends_with_line_break = ends_with_break(text);
        csv::Record current;
        csv::Record pending;
        bool has_pending = false;
        // The last record is read apart (the trailer, or where a cut file ends), and is known
        // only at the end: hold one back.
        while (reader.next(current)) {
            if (has_pending) {
                data_row(pending);
            }
            std::swap(pending, current);
            has_pending = true;
        }
        if (m_config.trailer) {
            check_trailer(has_pending ? &pending : nullptr, header.line);
        } else if (has_pending) {
            last_row(pending, ends_with_line_break);
        }
    }

private:
    std::string locator(int line) const { return fmt::format("{}:{}", m_name, line); }

    void error(std::string where, std::string message, IssueKind kind = IssueKind::header) {
        m_result.issues.push_back(Issue{Severity::error, std::move(where), std::move(message), kind});
    }

    void bad_row(const csv::Record& record, std::string message) {
        m_result.issues.push_back(Issue{Severity::warning, locator(record.line), std::move(message),
                                        IssueKind::bad_row, damaged_of(record)});
    }

    // A value of a left-out row that can still be trusted to name something: present, with no
    // NUL byte or control character, no longer than any APOGÉE value.
    static bool readable(std::string_view value) {
        return !value.empty() && value.size() <= k_max_field_bytes &&
               std::ranges::none_of(value, [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    }

    // What a row left out still says about whom it concerns. The columns before a stray
    // delimiter are where the header says; after it they may be shifted, so a value is taken
    // from its column whatever the field count: holding back a wrong student only delays a
    // removal, missing the right one would make it.
    DamagedRecord damaged_of(const csv::Record& record) const {
        DamagedRecord damaged;
        damaged.line = record.line;
        const auto& fields = record.fields;
        if (m_student < fields.size() && readable(fields[m_student])) {
            damaged.student_number = fields[m_student];
        }
        if (m_etape < fields.size() && readable(fields[m_etape])) {
            damaged.etape = normalise_etape_code(fields[m_etape]);
        }
        return damaged;
    }

    std::string column_name(std::size_t index) const {
        if (index < m_header.size() && !m_header[index].empty()) {
            return fmt::format("column '{}'", m_header[index]);
        }
        return fmt::format("field {}", index + 1);
    }

    std::string header_list() const {
        std::string list;
        for (const auto& name : m_header) {
            if (!list.empty()) {
                list += ", ";
            }
            list += name.empty() ? std::string("(empty)") : name;
        }
        constexpr std::size_t k_max = 300;
        if (list.size() > k_max) {
            list.resize(truncate_utf8_bytes(list, k_max).size());
            list += "…";
        }
        return list;
    }

    bool locate_columns(const csv::Record& header) {
        const std::string where = locator(header.line);
        if (header.defect != csv::Defect::none) {
            error(where,
                  fmt::format("the header of '{}' is not valid CSV: {}", m_name, defect_message(header)));
            return false;
        }
        m_header.assign(header.fields.begin(), header.fields.end());
        const std::array<ColumnSpec, 6> specs = {{
            {"year", &m_config.columns.year, true, &m_year},
            {"student_number", &m_config.columns.student_number, true, &m_student},
            {"etape", &m_config.columns.etape, true, &m_etape},
            {"version", &m_config.columns.version, false, &m_version},
            {"status", &m_config.columns.status, true, &m_status},
            {"label", &m_config.columns.label, false, &m_label},
        }};
        bool ok = true;
        for (const auto& spec : specs) {
            *spec.index = k_absent;
            const std::string_view wanted = csv::trim_blanks(*spec.configured_name);
            if (wanted.empty()) {
                if (spec.required) {
                    error(where,
                          fmt::format("apogee.columns.{} is empty, but the export must have that column",
                                      spec.key));
                    ok = false;
                }
                continue;
            }
            for (std::size_t i = 0; i < m_header.size(); ++i) {
                if (!iequals_ascii(m_header[i], wanted)) {
                    continue;
                }
                if (*spec.index != k_absent) {
                    error(where, fmt::format("column '{}' (apogee.columns.{}) appears twice in the header of "
                                             "'{}', as fields {} and {}: which one to read is ambiguous",
                                             wanted, spec.key, m_name, *spec.index + 1, i + 1));
                    ok = false;
                    break;
                }
                *spec.index = i;
            }
            if (*spec.index == k_absent) {
                std::string message =
                    fmt::format("column '{}' (apogee.columns.{}) is not in the header of '{}', which has: {}",
                                wanted, spec.key, m_name, header_list());
                if (m_header.size() == 1) {
                    message += fmt::format(" (one field only: is the delimiter {} right?)",
                                           describe_delimiter(m_config.delimiter));
                }
                error(where, std::move(message));
                ok = false;
            }
        }
        m_field_count = m_header.size();
        return ok;
    }

    std::string defect_message(const csv::Record& record) const {
        const std::string column = column_name(record.defect_field);
        switch (record.defect) {
        case csv::Defect::nul_byte:
            return fmt::format("{} contains a NUL byte", column);
        case csv::Defect::text_after_quote:
            if (static_cast<unsigned char>(record.defect_char) >= 0x80) {
                return fmt::format("{} has text after its closing quote", column);
            }
            return fmt::format("{} has {} after its closing quote", column,
                               quoted(std::string_view(&record.defect_char, 1)));
        case csv::Defect::unterminated_quote:
            return fmt::format("{} opens a quote that is not closed before the end of the file", column);
        case csv::Defect::none:
            break;
        }
        return {};
    }

    void data_row(const csv::Record& record) {
        ++m_result.data_lines;
        if (record.defect == csv::Defect::unterminated_quote) {
            // An open quote swallows every line after it. If real rows were swallowed the file
            // cannot be read whole, which must stop the run rather than look like students leaving.
            const std::string_view field = record.fields.back();
            const auto newline = field.find('\n');
            if (newline != std::string_view::npos &&
                field.find_first_not_of(" \t\r\n", newline) != std::string_view::npos) {
                const auto swallowed = std::count(field.begin(), field.end(), '\n');
                error(
                    locator(record.line),
                    fmt::format("{}: the {} lines after this one are inside the quoted value, so the rest of "
                                "the file cannot be read",
                                defect_message(record), swallowed),
                    IssueKind::truncated);
                return;
            }
        }
        if (record.defect != csv::Defect::none) {
            bad_row(record, defect_message(record));
            return;
        }
        const auto& fields = record.fields;
        if (fields.size() != m_field_count) {
            bad_row(record, fmt::format("the line has {} field{} where the header has {} "
                                        "(delimiter {})",
                                        fields.size(), fields.size() == 1 ? "" : "s", m_field_count,
                                        describe_delimiter(m_config.delimiter)));
            return;
        }

        std::string problems;
        const auto add = [&problems](std::string problem) {
            if (!problems.empty()) {
                problems += "; ";
            }
            problems += problem;
        };
        const std::string_view year_text = fields[m_year];
        int year = 0;
        if (year_text.size() == 4 &&
            std::ranges::all_of(year_text, [](char c) { return c >= '0' && c <= '9'; })) {
            std::from_chars(year_text.data(), year_text.data() + 4, year);
        } else if (year_text.empty()) {
            add(fmt::format("{} is empty", column_name(m_year)));
        } else {
            add(fmt::format("{} is not a 4-digit year: {}", column_name(m_year), quoted(year_text)));
        }
        const std::string_view student = fields[m_student];
        if (student.empty()) {
            add(fmt::format("{} is empty", column_name(m_student)));
        }
        std::string etape = normalise_etape_code(fields[m_etape]);
        if (etape.empty()) {
            add(fmt::format("{} is empty", column_name(m_etape)));
        }
        for (const std::size_t index : {m_student, m_etape, m_version, m_status, m_label}) {
            if (index != k_absent && fields[index].size() > k_max_field_bytes) {
                add(fmt::format("{} is {} bytes long, more than any APOGÉE value ({} at most): the line is "
                                "damaged",
                                column_name(index), fields[index].size(), k_max_field_bytes));
            }
        }
        if (!problems.empty()) {
            bad_row(record, std::move(problems));
            return;
        }

        Inscription& row = m_result.rows.emplace_back();
        row.year = year;
        row.student_number = student;
        row.etape = std::move(etape);
        if (m_version != k_absent) {
            row.version = fields[m_version];
        }
        row.status = to_upper_ascii(fields[m_status]);
        if (m_label != k_absent) {
            row.label = fields[m_label];
        }
        row.line = record.line;
    }

    // Blanks after the last line break are not a line.
    static bool ends_with_break(std::string_view text) {
        const auto last = text.find_last_not_of(" \t\r");
        return last == std::string_view::npos || text[last] == '\n';
    }

    // Without a trailer, a file cut by a failed copy or a full disk shows only at its end: the
    // last line has fewer fields than the header, or no line break where every other line has
    // one. Read as data, that line's student would leave their cohorts; the file is refused.
    void last_row(const csv::Record& last, bool ends_with_line_break) {
        const bool cut_short = last.defect == csv::Defect::none && last.fields.size() < m_field_count;
        if (!cut_short && ends_with_line_break) {
            data_row(last);
            return;
        }
        ++m_result.data_lines;
        error(locator(last.line),
              cut_short ? fmt::format("the last line of '{}' has {} of the header's {} fields: the file "
                                      "ends in the middle of a line, so it is truncated",
                                      m_name, last.fields.size(), m_field_count)
                        : fmt::format("the last line of '{}' has no line break where every other line has "
                                      "one: the file may end in the middle of a line, so it is taken as "
                                      "truncated",
                                      m_name),
              IssueKind::truncated);
    }

    void check_trailer(const csv::Record* last, int header_line) {
        if (last == nullptr) {
            error(locator(header_line),
                  fmt::format("'{}' ends after its header: the trailer line with the row "
                              "count is missing, so the file may be truncated",
                              m_name),
                  IssueKind::truncated);
            return;
        }
        const std::string_view count_text = last->fields.back();
        const auto count = last->defect == csv::Defect::none ? parse_count(count_text) : std::nullopt;
        if (!count) {
            error(locator(last->line),
                  fmt::format(
                      "the last line of '{}' is not a trailer (its last field {} is not a row count): the "
                      "file may be truncated",
                      m_name, quoted(count_text)),
                  IssueKind::truncated);
            // Still read it as data, so that the rows and their issues are complete.
            data_row(*last);
            return;
        }
        if (*count != m_result.data_lines) {
            error(locator(last->line),
                  fmt::format("trailer says {} rows, file has {}", *count, m_result.data_lines),
                  IssueKind::trailer);
        }
    }

    const ExportConfig& m_config;
    const std::string& m_name;
    ExportRead& m_result;
    std::vector<std::string> m_header;
    std::size_t m_field_count = 0;
    std::size_t m_year = k_absent;
    std::size_t m_student = k_absent;
    std::size_t m_etape = k_absent;
    std::size_t m_version = k_absent;
    std::size_t m_status = k_absent;
    std::size_t m_label = k_absent;
};

// "3, 17, 20 and 4 more": the first line numbers of a census, and the count of the others.
std::string line_list(const std::vector<int>& lines, int count) {
    std::string out;
    for (const int line : lines) {
        out += (out.empty() ? "" : ", ") + std::to_string(line);
    }
    const int others = count - static_cast<int>(lines.size());
    return others > 0 ? fmt::format("{} and {} more", out, others) : out;
}

// Where conversion replaced bytes: one issue for the file, located at the first such line, so a
// misconfigured encoding shows once rather than on every accented label.
void report_replacements(std::string_view bytes, const std::vector<std::size_t>& replaced_at,
                         Encoding encoding, const std::string& name, Issues& issues) {
    if (replaced_at.empty()) {
        return;
    }
    int line = 1;
    int first_line = 0;
    int lines = 0;
    int last_counted = 0;
    std::size_t scanned = 0;
    for (const std::size_t offset : replaced_at) {
        line += static_cast<int>(std::count(bytes.begin() + static_cast<std::ptrdiff_t>(scanned),
                                            bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
        scanned = offset;
        if (first_line == 0) {
            first_line = line;
        }
        if (line != last_counted) {
            ++lines;
            last_counted = line;
        }
    }
    const Encoding effective = has_utf8_bom(bytes) ? Encoding::utf8 : encoding;
    issues.push_back(Issue{
        Severity::warning, fmt::format("{}:{}", name, first_line),
        fmt::format("{} byte sequence{} on {} line{} (the first here) {} not valid {} and became "
                    "U+FFFD: is apogee.encoding right?",
                    replaced_at.size(), replaced_at.size() == 1 ? "" : "s", lines, lines == 1 ? "" : "s",
                    replaced_at.size() == 1 ? "is" : "are", encoding_name(effective)),
        IssueKind::encoding});
}

} // namespace

std::string to_utf8(std::string_view bytes, Encoding encoding) {
    return convert_to_utf8(bytes, encoding, nullptr);
}

ExportRead parse_export(std::string_view bytes, const ExportConfig& config, const std::string& name) {
    ExportRead result;
    result.path = name;
    std::vector<std::size_t> replaced_at;
    std::string text = convert_to_utf8(bytes, config.encoding, &replaced_at);

    ExportParser parser(config, name, result);
    parser.run(text);

    // Encoding warnings come after the row issues, so that the first issues are the bad rows.
    report_replacements(bytes, replaced_at, config.encoding, name, result.issues);
    const auto census = census_lines(bytes);
    if (census.mixed()) {
        result.issues.push_back(Issue{
            Severity::warning, fmt::format("{}:{}", name, census.utf8_lines.front()),
            fmt::format("'{}' mixes two encodings: {} line(s) read as UTF-8 (lines {}) and {} as a "
                        "single-byte encoding such as ISO-8859-1 (lines {}): part of the file was re-saved "
                        "by another tool, so its labels are in doubt and rename no cohort; HINT: have the "
                        "extraction write the whole file in apogee.encoding",
                        name, census.utf8_count, line_list(census.utf8_lines, census.utf8_count),
                        census.single_byte_count,
                        line_list(census.single_byte_lines, census.single_byte_count)),
            IssueKind::encoding});
    } else if (config.encoding != Encoding::utf8 && !has_utf8_bom(bytes) && census.utf8_count > 0) {
        result.issues.push_back(
            Issue{Severity::warning, name,
                  fmt::format("'{}' is configured as {} but reads as UTF-8: accented labels "
                              "would show as 'Ã©', so they rename no cohort; set apogee.encoding to utf8 if "
                              "the export is UTF-8",
                              name, encoding_name(config.encoding)),
                  IssueKind::encoding});
    }
    result.labels_in_doubt = std::ranges::any_of(
        result.issues, [](const Issue& issue) { return issue.kind == IssueKind::encoding; });
    return result;
}

} // namespace cohort_sync
