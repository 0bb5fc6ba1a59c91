#include "cohort_sync/export_parser.hpp"

#include "cohort_sync/etape.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <utility>
#include <vector>

namespace cohort_sync {
namespace {

// ---- Encodings -----------------------------------------------------------------------------

constexpr char32_t k_replacement = 0xFFFD;

// Windows-1252 0x80..0x9F. The five bytes the code page leaves undefined become U+FFFD.
constexpr std::array<char16_t, 32> k_cp1252_80_9f = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, // 88-8F
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178, // 98-9F
};

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool has_utf8_bom(std::string_view bytes) {
    return bytes.size() >= 3 && bytes[0] == '\xEF' && bytes[1] == '\xBB' && bytes[2] == '\xBF';
}

// Length of the well-formed UTF-8 sequence starting at p[0], or 0 when it is ill-formed; then
// `bad` is the length of its maximal subpart, which becomes one U+FFFD (Unicode 15 §3.9, the
// practice WHATWG's decoder follows). Overlongs, surrogates and code points past U+10FFFF are
// ill-formed. A subpart never swallows an ASCII byte, so line breaks survive bad input.
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t available, std::size_t& bad) {
    const unsigned lead = p[0];
    if (lead < 0x80) {
        return 1;
    }
    std::size_t trailing = 0;
    unsigned low = 0x80;
    unsigned high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        trailing = 1;
    } else if (lead == 0xE0) {
        trailing = 2;
        low = 0xA0;
    } else if (lead >= 0xE1 && lead <= 0xEF) {
        trailing = 2;
        if (lead == 0xED) {
            high = 0x9F;
        }
    } else if (lead == 0xF0) {
        trailing = 3;
        low = 0x90;
    } else if (lead >= 0xF1 && lead <= 0xF3) {
        trailing = 3;
    } else if (lead == 0xF4) {
        trailing = 3;
        high = 0x8F;
    } else {
        bad = 1;
        return 0;
    }
    for (std::size_t k = 1; k <= trailing; ++k) {
        if (k >= available || p[k] < low || p[k] > high) {
            bad = k;
            return 0;
        }
        low = 0x80;
        high = 0xBF;
    }
    return trailing + 1;
}

// The end of the run of ASCII bytes starting at `i`, eight bytes at a time: most of an export
// is ASCII, and this loop is most of the conversion's time.
std::size_t skip_ascii(const unsigned char* data, std::size_t i, std::size_t size) {
    constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;
    while (i + 8 <= size) {
        std::uint64_t word = 0;
        std::memcpy(&word, data + i, sizeof word);
        if ((word & k_high_bits) != 0) {
            break;
        }
        i += 8;
    }
    while (i < size && data[i] < 0x80) {
        ++i;
    }
    return i;
}

// The conversion behind to_utf8(); `replaced_at` (when given) receives the input offset of each
// byte sequence that became U+FFFD, so that parse_export can say on which lines.
std::string convert_to_utf8(std::string_view bytes, Encoding encoding,
                            std::vector<std::size_t>* replaced_at) {
    std::size_t i = 0;
    // A leading EF BB BF means UTF-8 whatever the configuration says: in ISO-8859-1 or
    // Windows-1252 it would read "ï»¿", which no APOGÉE export starts with, while tools that
    // re-save an export (Excel, Notepad) add exactly this BOM when they write UTF-8. Trusting the
    // configuration here would put "ï»¿" into the first column name and break the header.
    if (has_utf8_bom(bytes)) {
        encoding = Encoding::utf8;
        i = 3;
    }
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t size = bytes.size();
    std::string out;
    // Accented letters take two bytes in UTF-8; an eighth more is plenty for French labels.
    out.reserve(size - i + (encoding == Encoding::utf8 ? 0 : size / 8));
    while (i < size) {
        std::size_t ascii_end = skip_ascii(data, i, size);
        out.append(bytes.data() + i, ascii_end - i);
        i = ascii_end;
        if (i == size) {
            break;
        }
        const unsigned char byte = data[i];
        switch (encoding) {
        case Encoding::iso_8859_1:
            append_utf8(out, byte);
            ++i;
            break;
        case Encoding::windows_1252: {
            const char32_t cp = byte < 0xA0 ? k_cp1252_80_9f[byte - 0x80] : char32_t{byte};
            if (cp == k_replacement && replaced_at) {
                replaced_at->push_back(i);
            }
            append_utf8(out, cp);
            ++i;
            break;
        }
        case Encoding::utf8: {
            std::size_t bad = 0;
            const std::size_t length = utf8_sequence_length(data + i, size - i, bad);
            if (length > 0) {
                out.append(bytes.data() + i, length);
                i += length;
            } else {
                append_utf8(out, k_replacement);
                if (replaced_at) {
                    replaced_at->push_back(i);
                }
                i += bad;
            }
            break;
        }
        }
    }
    return out;
}

// True when `bytes` hold at least one multi-byte UTF-8 sequence and no ill-formed one: a file
// configured as ISO-8859-1 or Windows-1252 that passes this is almost surely UTF-8 ("é" in
// Latin-1 would have to be followed by two continuation bytes to pass).
bool looks_like_utf8(std::string_view bytes) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    bool multibyte = false;
    std::size_t i = 0;
    while (i < bytes.size()) {
        if (data[i] < 0x80) {
            ++i;
            continue;
        }
        std::size_t bad = 0;
        const std::size_t length = utf8_sequence_length(data + i, bytes.size() - i, bad);
        if (length == 0) {
            return false;
        }
        multibyte = true;
        i += length;
    }
    return multibyte;
}

const char* encoding_name(Encoding encoding) {
    switch (encoding) {
    case Encoding::utf8:
        return "UTF-8";
    case Encoding::iso_8859_1:
        return "ISO-8859-1";
    case Encoding::windows_1252:
        return "Windows-1252";
    }
    return "?";
}

// ---- Text helpers --------------------------------------------------------------------------

// Hand-rolled: find_first_not_of calls memchr once per character, which showed in profiles.
std::string_view trim_blanks(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) {
        ++begin;
    }
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) {
        --end;
    }
    return text.substr(begin, end - begin);
}

char ascii_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) { return ascii_upper(x) == ascii_upper(y); });
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = ascii_upper(c);
    }
    return out;
}

// A value quoted for a message, cut (on a character boundary) so that one absurd field does not
// flood the report.
std::string quoted(std::string_view value) {
    constexpr std::size_t k_max = 40;
    if (value.size() <= k_max) {
        return fmt::format("'{}'", value);
    }
    std::size_t cut = k_max;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return fmt::format("'{}…'", value.substr(0, cut));
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

// ---- RFC 4180 records ----------------------------------------------------------------------

enum class Defect { none, nul_byte, text_after_quote, unterminated_quote };

struct Record {
    std::vector<std::string_view> fields; // trimmed, unescaped, pointing into the text
    int line = 0;                         // physical line where the record starts
    Defect defect = Defect::none;         // the first CSV-level defect met
    std::size_t defect_field = 0;
    char defect_char = 0;
};

// Splits the converted text into records. Quoted fields are unescaped in place (the result is
// never longer than the source), so fields are views into the one buffer: no allocation per
// field. Blank lines are skipped; a CR before LF is part of the line break, also inside quotes,
// so that CRLF and LF files give the same values.
class RecordReader {
public:
    RecordReader(std::string& text, char delimiter, char quote)
        : m_data(text.data())
        , m_size(text.size())
        , m_delimiter(delimiter)
        , m_quote(quote) {}

    bool next(Record& record) {
        if (!skip_blank_lines()) {
            return false;
        }
        record.fields.clear();
        record.line = m_line;
        record.defect = Defect::none;
        for (;;) {
            std::size_t end = 0;
            const std::string_view field = read_field(record, end);
            record.fields.push_back(trim_blanks(field));
            if (end < m_size && m_data[end] == m_delimiter) {
                m_pos = end + 1;
                continue;
            }
            if (end < m_size && m_data[end] == '\r') {
                ++end;
            }
            if (end < m_size && m_data[end] == '\n') {
                ++end;
                ++m_line;
            }
            m_pos = end;
            return true;
        }
    }

private:
    bool is_space(char c) const { return (c == ' ' || c == '\t') && c != m_delimiter; }

    bool skip_blank_lines() {
        for (;;) {
            std::size_t p = m_pos;
            while (p < m_size && (is_space(m_data[p]) || m_data[p] == '\r')) {
                ++p;
            }
            if (p == m_size) {
                m_pos = m_size;
                return false;
            }
            if (m_data[p] != '\n') {
                return true;
            }
            m_pos = p + 1;
            ++m_line;
        }
    }

    void note(Record& record, Defect defect, char c = 0) {
        if (record.defect == Defect::none) {
            record.defect = defect;
            record.defect_field = record.fields.size();
            record.defect_char = c;
        }
    }

    bool is_line_end(std::size_t p) const {
        return p == m_size || m_data[p] == '\n' ||
               (m_data[p] == '\r' && (p + 1 == m_size || m_data[p + 1] == '\n'));
    }

    // Reads the field at m_pos; `end` receives the position of what ends it (delimiter, line
    // break or the end of the text).
    std::string_view read_field(Record& record, std::size_t& end) {
        std::size_t start = m_pos;
        while (start < m_size && is_space(m_data[start])) {
            ++start;
        }
        if (start < m_size && m_data[start] == m_quote) {
            return read_quoted(record, start, end);
        }
        std::size_t p = m_pos;
        while (p < m_size) {
            const char c = m_data[p];
            if (c == m_delimiter || c == '\n') {
                break;
            }
            if (c == '\0') {
                note(record, Defect::nul_byte);
            }
            ++p;
        }
        end = p;
        std::size_t stop = p;
        if (stop > m_pos && m_data[stop - 1] == '\r') {
            --stop;
        }
        return {m_data + m_pos, stop - m_pos};
    }

    std::string_view read_quoted(Record& record, std::size_t open, std::size_t& end) {
        std::size_t write = open;
        std::size_t p = open + 1;
        bool closed = false;
        while (p < m_size) {
            const char c = m_data[p];
            if (c == m_quote) {
                if (p + 1 < m_size && m_data[p + 1] == m_quote) {
                    m_data[write++] = c;
                    p += 2;
                    continue;
                }
                closed = true;
                ++p;
                break;
            }
            if (c == '\r' && p + 1 < m_size && m_data[p + 1] == '\n') {
                ++p;
                continue;
            }
            if (c == '\n') {
                ++m_line;
            } else if (c == '\0') {
                note(record, Defect::nul_byte);
            }
            m_data[write++] = c;
            ++p;
        }
        const std::string_view field{m_data + open, write - open};
        if (!closed) {
            note(record, Defect::unterminated_quote);
            end = m_size;
            return field;
        }
        while (p < m_size && is_space(m_data[p])) {
            ++p;
        }
        if (p < m_size && m_data[p] != m_delimiter && !is_line_end(p)) {
            // `"Master "Droit""` and the like: not CSV. Resynchronise on the next delimiter so
            // that the following rows still parse; this row is reported as bad.
            note(record, Defect::text_after_quote, m_data[p]);
            while (p < m_size && m_data[p] != m_delimiter && m_data[p] != '\n') {
                ++p;
            }
        }
        end = p;
        return field;
    }

    char* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
    int m_line = 1;
    char m_delimiter;
    char m_quote;
};

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
        RecordReader reader(text, m_config.delimiter, m_config.quote);
        Record header;
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

        Record current;
        Record pending;
        bool has_pending = false;
        while (reader.next(current)) {
            if (!m_config.trailer) {
                data_row(current);
                continue;
            }
            // The trailer is the last record, which is known only at the end: hold one back.
            if (has_pending) {
                data_row(pending);
            }
            std::swap(pending, current);
            has_pending = true;
        }
        if (m_config.trailer) {
            check_trailer(has_pending ? &pending : nullptr, header.line);
        }
    }

private:
    std::string locator(int line) const { return fmt::format("{}:{}", m_name, line); }

    void error(std::string where, std::string message) {
        m_result.issues.push_back(Issue{Severity::error, std::move(where), std::move(message)});
    }

    void warning(std::string where, std::string message) {
        m_result.issues.push_back(Issue{Severity::warning, std::move(where), std::move(message)});
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
            std::size_t cut = k_max;
            while (cut > 0 && (static_cast<unsigned char>(list[cut]) & 0xC0) == 0x80) {
                --cut;
            }
            list.resize(cut);
            list += "…";
        }
        return list;
    }

    bool locate_columns(const Record& header) {
        const std::string where = locator(header.line);
        if (header.defect != Defect::none) {
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
            const std::string_view wanted = trim_blanks(*spec.configured_name);
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
                if (!iequals(m_header[i], wanted)) {
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

    std::string defect_message(const Record& record) const {
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

    void data_row(const Record& record) {
        ++m_result.data_lines;
        if (record.defect == Defect::unterminated_quote) {
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
                                defect_message(record), swallowed));
                return;
            }
        }
        if (record.defect != Defect::none) {
            warning(locator(record.line), defect_message(record));
            return;
        }
        const auto& fields = record.fields;
        if (fields.size() != m_field_count) {
            warning(locator(record.line), fmt::format("the line has {} field{} where the header has {} "
                                                      "(delimiter {})",
                                                      fields.size(), fields.size() == 1 ? "" : "s",
                                                      m_field_count, describe_delimiter(m_config.delimiter)));
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
            warning(locator(record.line), std::move(problems));
            return;
        }

        Inscription& row = m_result.rows.emplace_back();
        row.year = year;
        row.student_number = student;
        row.etape = std::move(etape);
        if (m_version != k_absent) {
            row.version = fields[m_version];
        }
        row.status = upper(fields[m_status]);
        if (m_label != k_absent) {
            row.label = fields[m_label];
        }
        row.line = record.line;
    }

    void check_trailer(const Record* last, int header_line) {
        if (last == nullptr) {
            error(locator(header_line),
                  fmt::format("'{}' ends after its header: the trailer line with the row "
                              "count is missing, so the file may be truncated",
                              m_name));
            return;
        }
        const std::string_view count_text = last->fields.back();
        const auto count = last->defect == Defect::none ? parse_count(count_text) : std::nullopt;
        if (!count) {
            error(locator(last->line),
                  fmt::format(
                      "the last line of '{}' is not a trailer (its last field {} is not a row count): the "
                      "file may be truncated",
                      m_name, quoted(count_text)));
            // Still read it as data, so that the rows and their issues are complete.
            data_row(*last);
            return;
        }
        if (*count != m_result.data_lines) {
            error(locator(last->line),
                  fmt::format("trailer says {} rows, file has {}", *count, m_result.data_lines));
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
                    replaced_at.size() == 1 ? "is" : "are", encoding_name(effective))});
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
    if (config.encoding != Encoding::utf8 && !has_utf8_bom(bytes) && looks_like_utf8(bytes)) {
        result.issues.push_back(
            Issue{Severity::warning, name,
                  fmt::format("'{}' is configured as {} but reads as UTF-8: accented labels "
                              "will show as 'Ã©'; set apogee.encoding to utf8 if the export "
                              "is UTF-8",
                              name, encoding_name(config.encoding))});
    }
    return result;
}

} // namespace cohort_sync
