// Parsing the configuration text as JSON, and saying where and why it is not JSON without quoting
// the text around the error.
#include "json_syntax.hpp"

#include "cohort_sync/utf8.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <vector>

namespace cohort_sync::config_detail {
namespace {

// nlohmann keeps the last of two equal keys without a word; in a configuration file that means
// a setting silently ignored, so the parser's callback reports it.
class DuplicateKeys {
public:
    explicit DuplicateKeys(Problems& problems)
        : m_problems(problems) {}

    bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
        switch (event) {
        case Json::parse_event_t::object_start:
        case Json::parse_event_t::array_start:
            m_frames.push_back({path_of_next_value(), event == Json::parse_event_t::array_start, {}, {}, 0});
            break;
        case Json::parse_event_t::key: {
            Frame& frame = m_frames.back();
            frame.key = parsed.get<std::string>();
            if (!frame.keys.insert(frame.key).second) {
                m_problems.error(
                    child_path(frame.path, frame.key),
                    fmt::format("duplicate key '{}': only its last value would be used", frame.key));
            }
            break;
        }
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            m_frames.pop_back();
            next_element();
            break;
        case Json::parse_event_t::value:
            next_element();
            break;
        }
        return true;
    }

private:
    struct Frame {
        std::string path;
        bool array = false;
        std::set<std::string> keys;
        std::string key;
        std::size_t index = 0;
    };

    std::string path_of_next_value() const {
        if (m_frames.empty()) {
            return "";
        }
        const Frame& parent = m_frames.back();
        return parent.array ? fmt::format("{}/{}", parent.path, parent.index)
                            : child_path(parent.path, parent.key);
    }

    void next_element() {
        if (!m_frames.empty() && m_frames.back().array) {
            ++m_frames.back().index;
        }
    }

    Problems& m_problems;
    std::vector<Frame> m_frames;
};

struct TextPosition {
    std::size_t line = 1;
    std::size_t column = 1;
};

// nlohmann reports the byte count read when it failed; editors count lines and characters.
TextPosition position_of(std::string_view text, std::size_t bytes_read) {
    const std::size_t offset = std::min(bytes_read == 0 ? 0 : bytes_read - 1, text.size());
    TextPosition position;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++position.line;
            position.column = 1;
        } else if (!is_utf8_continuation(text[i])) {
            ++position.column;
        }
    }
    return position;
}

// The parser's own words without its "last read: '...'" excerpt, which could hold a secret.
std::string syntax_reason(const std::string& what) {
    auto begin = what.find("syntax error");
    if (begin == std::string::npos) {
        begin = what.find(": ");
        begin = begin == std::string::npos ? 0 : begin + 2;
    }
    std::string reason = what.substr(begin);
    const auto last_read = reason.find("; last read:");
    if (last_read != std::string::npos) {
        const auto expected = reason.find("; expected", last_read);
        reason = reason.substr(0, last_read) + (expected == std::string::npos ? "" : reason.substr(expected));
    }
    return reason;
}

} // namespace

std::variant<Json, Issue> parse_json(std::string_view text, const std::string& source_path,
                                     Problems& problems) {
    try {
        return Json::parse(text.begin(), text.end(), DuplicateKeys(problems),
                           /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const Json::parse_error& error) {
        const TextPosition position = position_of(text, error.byte);
        return Issue{Severity::error, fmt::format("{}:{}:{}", source_path, position.line, position.column),
                     fmt::format("unable to parse '{}' as JSON at line {}, column {}: {}", source_path,
                                 position.line, position.column, syntax_reason(error.what()))};
    } catch (const Json::out_of_range& error) {
        // A number no double can hold ("1e309"): nlohmann reports it without a position, and an
        // escaped exception would abort the program.
        std::string reason = error.what();
        if (const auto tag_end = reason.find("] "); tag_end != std::string::npos) {
            reason.erase(0, tag_end + 2);
        }
        return Issue{Severity::error, source_path,
                     fmt::format("unable to parse '{}' as JSON: {}", source_path, reason)};
    }
}

} // namespace cohort_sync::config_detail
