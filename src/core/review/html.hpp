// HTML text for the review page: escaping, and a small writer that keeps every value escaped.
// Private to src/core.
#pragma once

#include <string>
#include <string_view>

namespace cohort_sync {

// Appends `text` with & < > " ' as character references, so that a value (a cohort name, an LDAP
// DN, an issue's message) can never open a tag or leave an attribute. Ill-formed UTF-8 becomes
// U+FFFD and control characters other than tab and line feed are dropped: the page must be valid
// UTF-8 whatever the sources held.
void append_html_escaped(std::string& out, std::string_view text);

std::string html_escaped(std::string_view text);

// Builds the page's text. Markup goes in through raw(), which takes only the program's own
// literals; everything from the sources goes through text() or attribute(), which escape it.
class HtmlWriter {
public:
    explicit HtmlWriter(std::size_t capacity);

    // Markup written by the program itself, never data.
    HtmlWriter& raw(std::string_view markup) {
        m_out += markup;
        return *this;
    }
    HtmlWriter& text(std::string_view text) {
        append_html_escaped(m_out, text);
        return *this;
    }
    HtmlWriter& number(long long value);

    // <tag> and </tag> around escaped text, for the common one-cell case.
    HtmlWriter& element(std::string_view tag, std::string_view text);

    //  name="value", value escaped; written inside an opening tag.
    HtmlWriter& attribute(std::string_view name, std::string_view value);
    HtmlWriter& attribute(std::string_view name, long long value);

    std::string take() && { return std::move(m_out); }

private:
    std::string m_out;
};

} // namespace cohort_sync
