#include "cohort_sync/json_writer.hpp"

#include "cohort_sync/utf8.hpp"

#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace cohort_sync {
namespace {

void append_escape(std::string& out, unsigned char c) {
    switch (c) {
    case '"':
        out += "\\\"";
        break;
    case '\\':
        out += "\\\\";
        break;
    case '\b':
        out += "\\b";
        break;
    case '\f':
        out += "\\f";
        break;
    case '\n':
        out += "\\n";
        break;
    case '\r':
        out += "\\r";
        break;
    case '\t':
        out += "\\t";
        break;
    default: {
        constexpr std::string_view digits = "0123456789abcdef";
        out += "\\u00";
        out += digits[c >> 4];
        out += digits[c & 0xF];
    }
    }
}

[[noreturn]] void misuse(const char* what) {
    throw std::logic_error(fmt::format("JsonWriter misused: {}", what));
}

} // namespace

void append_json_string(std::string& out, std::string_view text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    out += '"';
    // Bytes that need no escape are copied a run at a time: the common string has none.
    std::size_t run = 0;
    std::size_t i = 0;
    while (i < size) {
        const unsigned char c = bytes[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            if (const std::size_t length = utf8_sequence_at(text, i).length; length > 0) {
                i += length;
                continue;
            }
            out.append(text.data() + run, i - run);
            out += k_replacement_character_utf8;
        } else {
            out.append(text.data() + run, i - run);
            append_escape(out, c);
        }
        run = ++i;
    }
    out.append(text.data() + run, size - run);
    out += '"';
}

JsonWriter::JsonWriter(std::size_t capacity) {
    m_out.reserve(capacity);
    m_stack.reserve(8);
}

// What goes before an element of an array or a key of an object: the comma after the previous
// one, then a space (one-line layout) or a new line and the indentation.
void JsonWriter::separate(Frame& frame) {
    if (frame.inline_layout) {
        if (!frame.empty) {
            m_out += ", ";
        }
    } else {
        if (!frame.empty) {
            m_out += ',';
        }
        m_out += '\n';
        m_out.append(2 * m_stack.size(), ' ');
    }
    frame.empty = false;
}

// Checks that a value may come here, and separates it from the previous one.
void JsonWriter::before_value() {
    if (m_stack.empty()) {
        if (m_done) {
            misuse("a second value after the top-level one");
        }
        return;
    }
    Frame& frame = m_stack.back();
    if (frame.object) {
        if (!m_key_written) {
            misuse("a value in an object without its key");
        }
        m_key_written = false;
        return;
    }
    separate(frame);
}

JsonWriter& JsonWriter::key(std::string_view name) {
    if (m_stack.empty() || !m_stack.back().object) {
        misuse("a key outside an object");
    }
    if (m_key_written) {
        misuse("a key right after another key");
    }
    separate(m_stack.back());
    append_json_string(m_out, name);
    m_out += ": ";
    m_key_written = true;
    return *this;
}

void JsonWriter::begin(bool object, Layout layout) {
    before_value();
    // Inside a one-line container everything stays on that line.
    const bool inline_layout = layout == Layout::line || (!m_stack.empty() && m_stack.back().inline_layout);
    m_stack.push_back({object, inline_layout, true});
    m_out += object ? '{' : '[';
}

void JsonWriter::end(bool object) {
    if (m_stack.empty() || m_stack.back().object != object) {
        misuse(object ? "end_object() without its begin_object()" : "end_array() without its begin_array()");
    }
    if (m_key_written) {
        misuse("an object ended after a key without its value");
    }
    const Frame frame = m_stack.back();
    m_stack.pop_back();
    if (!frame.empty && !frame.inline_layout) {
        m_out += '\n';
        m_out.append(2 * m_stack.size(), ' ');
    }
    m_out += object ? '}' : ']';
    m_done = m_stack.empty();
}

JsonWriter& JsonWriter::begin_object(Layout layout) {
    begin(true, layout);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    end(true);
    return *this;
}

JsonWriter& JsonWriter::begin_array(Layout layout) {
    begin(false, layout);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    end(false);
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    before_value();
    append_json_string(m_out, text);
    m_done = m_stack.empty();
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    before_value();
    m_out += flag ? "true" : "false";
    m_done = m_stack.empty();
    return *this;
}

JsonWriter& JsonWriter::value(double number) {
    if (!std::isfinite(number)) {
        return null();
    }
    before_value();
    char buffer[32];
    const auto* end = fmt::format_to(buffer, "{}", number);
    const std::string_view digits(buffer, static_cast<std::size_t>(end - buffer));
    m_out += digits;
    // "2" would read back as an integer: keep the type a reader sees.
    if (digits.find_first_of(".e") == std::string_view::npos) {
        m_out += ".0";
    }
    m_done = m_stack.empty();
    return *this;
}

JsonWriter& JsonWriter::integer(long long number) {
    before_value();
    const fmt::format_int digits(number);
    m_out.append(digits.data(), digits.size());
    m_done = m_stack.empty();
    return *this;
}

JsonWriter& JsonWriter::unsigned_integer(unsigned long long number) {
    before_value();
    const fmt::format_int digits(number);
    m_out.append(digits.data(), digits.size());
    m_done = m_stack.empty();
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    m_out += "null";
    m_done = m_stack.empty();
    return *this;
}

const std::string& JsonWriter::text() const& {
    if (!m_done) {
        misuse("the text taken before its top-level value is complete");
    }
    return m_out;
}

std::string JsonWriter::take() && {
    if (!m_done) {
        misuse("the text taken before its top-level value is complete");
    }
    return std::move(m_out);
}

} // namespace cohort_sync
