#include "csv_table.hpp"

#include "cohort_sync/text.hpp"
#include "cohort_sync/utf8.hpp"
#include "text_encoding.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <utility>

namespace cohort_sync::csv {
namespace {

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

// Blanks after the last line break are not a line.
bool ends_with_break(std::string_view text) {
    const auto last = text.find_last_not_of(" \t\r");
    return last == std::string_view::npos || text[last] == '\n';
}

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
                         Encoding encoding, const std::string& setting, const std::string& name,
                         Issues& issues) {
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
                    "U+FFFD: is {} right?",
                    replaced_at.size(), replaced_at.size() == 1 ? "" : "s", lines, lines == 1 ? "" : "s",
                    replaced_at.size() == 1 ? "is" : "are", encoding_name(effective), setting),
        IssueKind::encoding});
}

} // namespace

std::string quoted(std::string_view value) {
    constexpr std::size_t k_max = 40;
    if (value.size() <= k_max) {
        return fmt::format("'{}'", value);
    }
    return fmt::format("'{}…'", truncate_utf8_bytes(value, k_max));
}

bool readable(std::string_view value) {
    return !value.empty() && value.size() <= k_max_field_bytes &&
           std::ranges::none_of(value, [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

TableReader::TableReader(TableFormat format, const std::string& name, Issues& issues, int& data_lines)
    : m_format(std::move(format))
    , m_name(name)
    , m_issues(issues)
    , m_data_lines(data_lines) {}

void TableReader::read(std::string& text, std::span<const Column> columns) {
    RecordReader reader(text, m_format.delimiter, m_format.quote);
    Record header;
    if (!reader.next(header)) {
        error(fmt::format("{}:1", m_name),
              fmt::format("'{}' has no header line: it is empty or holds only blank lines", m_name));
        return;
    }
    if (!locate_columns(header, columns)) {
        return;
    }
    const bool ends_with_line_break = ends_with_break(text);
    Record current;
    Record pending;
    bool has_pending = false;
    // The last record is read apart (the trailer, or where a cut file ends), and is known only at
    // the end: hold one back.
    while (reader.next(current)) {
        if (has_pending) {
            data_row(pending);
        }
        std::swap(pending, current);
        has_pending = true;
    }
    if (m_format.trailer) {
        check_trailer(has_pending ? &pending : nullptr, header.line);
    } else if (has_pending) {
        last_row(pending, ends_with_line_break);
    }
}

std::string TableReader::locator(int line) const {
    return fmt::format("{}:{}", m_name, line);
}

void TableReader::error(std::string where, std::string message, IssueKind kind) {
    m_issues.push_back(Issue{Severity::error, std::move(where), std::move(message), kind});
}

void TableReader::bad_row(const Record& record, std::string message) {
    m_issues.push_back(Issue{Severity::warning, locator(record.line), std::move(message), IssueKind::bad_row,
                             damaged_of(record)});
}

void TableReader::add_problem(std::string& problems, std::string problem) {
    if (!problems.empty()) {
        problems += "; ";
    }
    problems += problem;
}

void TableReader::check_length(const Record& record, std::span<const std::size_t> indexes,
                               std::string& problems) const {
    for (const std::size_t index : indexes) {
        if (index != k_absent && record.fields[index].size() > k_max_field_bytes) {
            add_problem(
                problems,
                fmt::format("{} is {} bytes long, more than any APOGÉE value ({} at most): the line is "
                            "damaged",
                            column_name(index), record.fields[index].size(), k_max_field_bytes));
        }
    }
}

int TableReader::read_year(const Record& record, std::size_t index, std::string& problems) const {
    const std::string_view year_text = record.fields[index];
    int year = 0;
    if (year_text.size() == 4 &&
        std::ranges::all_of(year_text, [](char c) { return c >= '0' && c <= '9'; })) {
        std::from_chars(year_text.data(), year_text.data() + 4, year);
    } else if (year_text.empty()) {
        add_problem(problems, fmt::format("{} is empty", column_name(index)));
    } else {
        add_problem(problems,
                    fmt::format("{} is not a 4-digit year: {}", column_name(index), quoted(year_text)));
    }
    return year;
}

std::string TableReader::column_name(std::size_t index) const {
    if (index < m_header.size() && !m_header[index].empty()) {
        return fmt::format("column '{}'", m_header[index]);
    }
    return fmt::format("field {}", index + 1);
}

std::string TableReader::header_list() const {
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

bool TableReader::locate_columns(const Record& header, std::span<const Column> columns) {
    const std::string where = locator(header.line);
    if (header.defect != Defect::none) {
        error(where, fmt::format("the header of '{}' is not valid CSV: {}", m_name, defect_message(header)));
        return false;
    }
    m_header.assign(header.fields.begin(), header.fields.end());
    const auto& setting = m_format.columns_setting;
    bool ok = true;
    for (const auto& spec : columns) {
        *spec.index = k_absent;
        const std::string_view wanted = trim_blanks(*spec.configured_name);
        if (wanted.empty()) {
            if (spec.required) {
                error(where,
                      fmt::format("{}.{} is empty, but the file must have that column", setting, spec.key));
                ok = false;
            }
            continue;
        }
        for (std::size_t i = 0; i < m_header.size(); ++i) {
            if (!iequals_ascii(m_header[i], wanted)) {
                continue;
            }
            if (*spec.index != k_absent) {
                error(where, fmt::format("column '{}' ({}.{}) appears twice in the header of '{}', as fields "
                                         "{} and {}: which one to read is ambiguous",
                                         wanted, setting, spec.key, m_name, *spec.index + 1, i + 1));
                ok = false;
                break;
            }
            *spec.index = i;
        }
        if (*spec.index == k_absent) {
            std::string message =
                fmt::format("column '{}' ({}.{}) is not in the header of '{}', which has: {}", wanted,
                            setting, spec.key, m_name, header_list());
            if (m_header.size() == 1) {
                message += fmt::format(" (one field only: is the delimiter {} right?)",
                                       describe_delimiter(m_format.delimiter));
            }
            error(where, std::move(message));
            ok = false;
        }
    }
    m_field_count = m_header.size();
    return ok;
}

std::string TableReader::defect_message(const Record& record) const {
    const std::string column = column_name(record.defect_field);
    switch (record.defect) {
    case Defect::nul_byte:
        return fmt::format("{} contains a NUL byte", column);
    case Defect::text_after_quote:
        if (static_cast<unsigned char>(record.defect_char) >= 0x80) {
            return fmt::format("{} has text after its closing quote", column);
        }
        return fmt::format("{} has {} after its closing quote", column,
                           quoted(std::string_view(&record.defect_char, 1)));
    case Defect::unterminated_quote:
        return fmt::format("{} opens a quote that is not closed before the end of the file", column);
    case Defect::none:
        break;
    }
    return {};
}

void TableReader::data_row(const Record& record) {
    ++m_data_lines;
    if (record.defect == Defect::unterminated_quote) {
        // An open quote swallows every line after it. If real rows were swallowed the file cannot
        // be read whole, which must stop the run rather than look like students leaving.
        const std::string_view field = record.fields.back();
        const auto newline = field.find('\n');
        if (newline != std::string_view::npos &&
            field.find_first_not_of(" \t\r\n", newline) != std::string_view::npos) {
            const auto swallowed = std::count(field.begin(), field.end(), '\n');
            error(locator(record.line),
                  fmt::format("{}: the {} lines after this one are inside the quoted value, so the rest of "
                              "the file cannot be read",
                              defect_message(record), swallowed),
                  IssueKind::truncated);
            return;
        }
    }
    if (record.defect != Defect::none) {
        bad_row(record, defect_message(record));
        return;
    }
    const auto& fields = record.fields;
    if (fields.size() != m_field_count) {
        bad_row(record, fmt::format("the line has {} field{} where the header has {} (delimiter {})",
                                    fields.size(), fields.size() == 1 ? "" : "s", m_field_count,
                                    describe_delimiter(m_format.delimiter)));
        return;
    }
    row(record);
}

// Without a trailer, a file cut by a failed copy or a full disk shows only at its end: the last
// line has fewer fields than the header, or no line break where every other line has one. Read
// as data, that line's student would leave their cohorts; the file is refused.
void TableReader::last_row(const Record& last, bool ends_with_line_break) {
    const bool cut_short = last.defect == Defect::none && last.fields.size() < m_field_count;
    if (!cut_short && ends_with_line_break) {
        data_row(last);
        return;
    }
    ++m_data_lines;
    error(locator(last.line),
          cut_short ? fmt::format("the last line of '{}' has {} of the header's {} fields: the file ends in "
                                  "the middle of a line, so it is truncated",
                                  m_name, last.fields.size(), m_field_count)
                    : fmt::format("the last line of '{}' has no line break where every other line has one: "
                                  "the file may end in the middle of a line, so it is taken as truncated",
                                  m_name),
          IssueKind::truncated);
}

void TableReader::check_trailer(const Record* last, int header_line) {
    if (last == nullptr) {
        error(
            locator(header_line),
            fmt::format("'{}' ends after its header: the trailer line with the row count is missing, so the "
                        "file may be truncated",
                        m_name),
            IssueKind::truncated);
        return;
    }
    const std::string_view count_text = last->fields.back();
    const auto count = last->defect == Defect::none ? parse_count(count_text) : std::nullopt;
    if (!count) {
        error(
            locator(last->line),
            fmt::format("the last line of '{}' is not a trailer (its last field {} is not a row count): the "
                        "file may be truncated",
                        m_name, quoted(count_text)),
            IssueKind::truncated);
        // Still read it as data, so that the rows and their issues are complete.
        data_row(*last);
        return;
    }
    if (*count != m_data_lines) {
        error(locator(last->line), fmt::format("trailer says {} rows, file has {}", *count, m_data_lines),
              IssueKind::trailer);
    }
}

bool report_encoding(std::string_view bytes, const std::vector<std::size_t>& replaced_at, Encoding encoding,
                     const std::string& setting, const std::string& name, Issues& issues) {
    report_replacements(bytes, replaced_at, encoding, setting, name, issues);
    const auto census = census_lines(bytes);
    if (census.mixed()) {
        issues.push_back(Issue{
            Severity::warning, fmt::format("{}:{}", name, census.utf8_lines.front()),
            fmt::format("'{}' mixes two encodings: {} line(s) read as UTF-8 (lines {}) and {} as a "
                        "single-byte encoding such as ISO-8859-1 (lines {}): part of the file was re-saved "
                        "by another tool, so its labels are in doubt and rename no cohort; HINT: have the "
                        "extraction write the whole file in {}",
                        name, census.utf8_count, line_list(census.utf8_lines, census.utf8_count),
                        census.single_byte_count,
                        line_list(census.single_byte_lines, census.single_byte_count), setting),
            IssueKind::encoding});
    } else if (encoding != Encoding::utf8 && !has_utf8_bom(bytes) && census.utf8_count > 0) {
        issues.push_back(
            Issue{Severity::warning, name,
                  fmt::format("'{}' is configured as {} but reads as UTF-8: accented labels would show as "
                              "'Ã©', so they rename no cohort; set {} to utf8 if the export is UTF-8",
                              name, encoding_name(encoding), setting),
                  IssueKind::encoding});
    }
    return std::ranges::any_of(issues, [](const Issue& issue) { return issue.kind == IssueKind::encoding; });
}

} // namespace cohort_sync::csv
