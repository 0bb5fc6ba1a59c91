#include "html.hpp"

#include "cohort_sync/utf8.hpp"

#include <fmt/format.h>

namespace cohort_sync {

void append_html_escaped(std::string& out, std::string_view text) {
    // Bytes that need nothing are copied a run at a time: most values (logins, numbers) have none.
    std::size_t run = 0;
    std::size_t i = 0;
    const auto flush = [&] { out.append(text.data() + run, i - run); };
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::string_view replacement;
        std::size_t length = 1;
        switch (c) {
        case '&':
            replacement = "&amp;";
            break;
        case '<':
            replacement = "&lt;";
            break;
        case '>':
            replacement = "&gt;";
            break;
        case '"':
            replacement = "&quot;";
            break;
        case '\'':
            replacement = "&#39;";
            break;
        default:
            if (c >= 0x80) {
                const auto sequence = utf8_sequence_at(text, i);
                if (sequence.length > 0) {
                    i += sequence.length;
                    continue;
                }
                replacement = k_replacement_character_utf8;
                length = sequence.ill_formed;
            } else if (c < 0x20 && c != '\t' && c != '\n') {
                replacement = ""; // dropped: no control character has a place in the page
            } else {
                ++i;
                continue;
            }
        }
        flush();
        out += replacement;
        i += length;
        run = i;
    }
    flush();
}

std::string html_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_html_escaped(out, text);
    return out;
}

HtmlWriter::HtmlWriter(std::size_t capacity) {
    m_out.reserve(capacity);
}

HtmlWriter& HtmlWriter::number(long long value) {
    const fmt::format_int digits(value);
    m_out.append(digits.data(), digits.size());
    return *this;
}

HtmlWriter& HtmlWriter::element(std::string_view tag, std::string_view text) {
    m_out += '<';
    m_out += tag;
    m_out += '>';
    append_html_escaped(m_out, text);
    m_out += "</";
    m_out += tag;
    m_out += '>';
    return *this;
}

HtmlWriter& HtmlWriter::attribute(std::string_view name, std::string_view value) {
    m_out += ' ';
    m_out += name;
    m_out += "=\"";
    append_html_escaped(m_out, value);
    m_out += '"';
    return *this;
}

HtmlWriter& HtmlWriter::attribute(std::string_view name, long long value) {
    m_out += ' ';
    m_out += name;
    m_out += "=\"";
    number(value);
    m_out += '"';
    return *this;
}

} // namespace cohort_sync
