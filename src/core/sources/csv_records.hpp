// RFC 4180 records out of the converted export text. Private to the export parsing: what the
// fields mean (columns, trailer) is export_parser.cpp's business.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync::csv {

// Spaces and tabs around a field (and a configured column name, so that both compare alike).
// Hand-rolled: find_first_not_of calls memchr once per character, which showed in profiles.
inline std::string_view trim_blanks(std::string_view text) {
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

    // The next record, or false at the end of the text. `record` is reused to keep its
    // vector's capacity.
    bool next(Record& record);

private:
    bool is_space(char c) const { return (c == ' ' || c == '\t') && c != m_delimiter; }
    bool skip_blank_lines();
    void note(Record& record, Defect defect, char c = 0);
    bool is_line_end(std::size_t p) const;
    std::size_t find_field_end(std::size_t p) const;
    std::string_view read_field(Record& record, std::size_t& end);
    std::string_view read_quoted(Record& record, std::size_t open, std::size_t& end);

    char* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
    int m_line = 1;
    char m_delimiter;
    char m_quote;
};

} // namespace cohort_sync::csv
