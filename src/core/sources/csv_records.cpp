#include "csv_records.hpp"

#include "byte_scan.hpp"

#include <cstdint>

namespace cohort_sync::csv {

bool RecordReader::next(Record& record) {
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

bool RecordReader::skip_blank_lines() {
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

void RecordReader::note(Record& record, Defect defect, char c) {
    if (record.defect == Defect::none) {
        record.defect = defect;
        record.defect_field = record.fields.size();
        record.defect_char = c;
    }
}

bool RecordReader::is_line_end(std::size_t p) const {
    return p == m_size || m_data[p] == '\n' ||
           (m_data[p] == '\r' && (p + 1 == m_size || m_data[p + 1] == '\n'));
}

// The first delimiter, line feed or NUL byte from `p`, or the end of the text. A word at a time:
// read a byte at a time, fields were a third of a pedagogical parse's instructions.
inline std::size_t RecordReader::find_field_end(std::size_t p) const {
    // Copies: the reader writes through char pointers, which could alias its members.
    const char* const data = m_data;
    const std::size_t size = m_size;
    const char delimiter = m_delimiter;
    const std::uint64_t delimiters = byte_scan::repeated(delimiter);
    const std::uint64_t line_feeds = byte_scan::repeated('\n');
    for (; p + 8 <= size; p += 8) {
        const std::uint64_t word = byte_scan::load(data + p);
        const std::uint64_t found = byte_scan::zero_bytes(word ^ delimiters) |
                                    byte_scan::zero_bytes(word ^ line_feeds) | byte_scan::zero_bytes(word);
        if (found != 0) {
            return p + byte_scan::first_flagged(found);
        }
    }
    while (p < size && data[p] != delimiter && data[p] != '\n' && data[p] != '\0') {
        ++p;
    }
    return p;
}

// Reads the field at m_pos; `end` receives the position of what ends it (delimiter, line
// break or the end of the text). Inline, as it was while the reader lived in export_parser.cpp:
// a call per field made the whole parse 2% slower (callgrind, 240,000 rows).
inline std::string_view RecordReader::read_field(Record& record, std::size_t& end) {
    std::size_t start = m_pos;
    while (start < m_size && is_space(m_data[start])) {
        ++start;
    }
    if (start < m_size && m_data[start] == m_quote) {
        return read_quoted(record, start, end);
    }
    std::size_t p = find_field_end(m_pos);
    while (p < m_size && m_data[p] == '\0' && m_delimiter != '\0') {
        note(record, Defect::nul_byte);
        p = find_field_end(p + 1);
    }
    end = p;
    std::size_t stop = p;
    if (stop > m_pos && m_data[stop - 1] == '\r') {
        --stop;
    }
    return {m_data + m_pos, stop - m_pos};
}

std::string_view RecordReader::read_quoted(Record& record, std::size_t open, std::size_t& end) {
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

} // namespace cohort_sync::csv
