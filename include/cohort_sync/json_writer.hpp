// A streaming JSON writer: appends text to a string as it is told, without building a tree. The
// run report of a first sync at a large university holds about 240,000 planned members; as an
// nlohmann::json tree (a std::map per member) it cost 0.4 s to build, dump and free, a seventh of
// the whole run (docs/performance.md). Written straight out, it costs a few milliseconds.
//
// The text is indented by two spaces, one value or key per line, except in a container begun
// with Layout::line, which stays on one line with all it holds:
//
//   {
//     "adds": [
//       {"user_id": 12, "username": "jdupont", "idnumber": "21900123"}
//     ],
//     "left_alone": []
//   }
//
// A misuse (a key outside an object, a value where a key is due, an end that does not match its
// begin, a second top-level value, the text taken while a container is open) throws
// std::logic_error: it is a bug in the caller, and silently writing broken JSON would hide it.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cohort_sync {

class JsonWriter {
public:
    enum class Layout {
        block, // one element per line, indented
        line,  // the whole container on one line: {"a": 1, "b": [2, 3]}
    };

    // `capacity`: the expected size of the text, reserved up front so that a large document is
    // not copied each time the string grows.
    explicit JsonWriter(std::size_t capacity = 0);

    JsonWriter& begin_object(Layout layout = Layout::block);
    JsonWriter& end_object();
    JsonWriter& begin_array(Layout layout = Layout::block);
    JsonWriter& end_array();

    // The name of the next member of the current object; a value or a container must follow.
    JsonWriter& key(std::string_view name);

    // Strings must be UTF-8; an ill-formed byte is written as U+FFFD, so the text is always valid
    // JSON (and PostgreSQL's jsonb accepts it).
    JsonWriter& value(std::string_view text);
    // Without this overload a string literal would convert to bool rather than to string_view.
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(bool flag);
    // Shortest form that reads back as the same double, with ".0" when it would otherwise look
    // like an integer (as nlohmann::json writes it); NaN and infinities, which JSON cannot
    // represent, are written as null.
    JsonWriter& value(double number);
    template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>) JsonWriter& value(T number) {
        if constexpr (std::is_signed_v<T>) {
            return integer(static_cast<long long>(number));
        } else {
            return unsigned_integer(static_cast<unsigned long long>(number));
        }
    }
    JsonWriter& null();

    // key(name).value(v): most members are written so.
    template <typename T> JsonWriter& field(std::string_view name, const T& v) { return key(name).value(v); }

    // True once one complete top-level value has been written.
    bool complete() const { return m_done; }

    // The text; throws std::logic_error unless complete().
    const std::string& text() const&;
    std::string take() &&;

private:
    struct Frame {
        bool object = false;
        bool inline_layout = false;
        bool empty = true;
    };

    JsonWriter& integer(long long number);
    JsonWriter& unsigned_integer(unsigned long long number);
    void separate(Frame& frame);
    void before_value();
    void begin(bool object, Layout layout);
    void end(bool object);

    std::string m_out;
    std::vector<Frame> m_stack;
    bool m_key_written = false; // in an object, a key waits for its value
    bool m_done = false;
};

// `text` as a JSON string, quotes included, appended to `out`.
void append_json_string(std::string& out, std::string_view text);

} // namespace cohort_sync
