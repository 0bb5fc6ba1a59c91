// The pieces every section of the review page uses: charts, collapsible lists, search keys.
#include "cohort_sync/text.hpp"
#include "review_parts.hpp"

#include <fmt/format.h>

namespace cohort_sync::review {

namespace {

// A chart of more bars than this is no longer read at a glance; the lists have the rest.
constexpr std::size_t k_chart_bars = 12;

std::string width(long long part, long long whole) {
    return fmt::format("width:{:.1f}%", whole > 0 ? 100.0 * static_cast<double>(part) / whole : 0.0);
}

} // namespace

void write_bar_chart(Page& page, std::string_view title, std::vector<Bar> bars) {
    std::erase_if(bars, [](const Bar& bar) { return bar.added + bar.removed == 0; });
    if (bars.empty()) {
        return;
    }
    std::ranges::sort(bars, [](const Bar& a, const Bar& b) {
        const auto a_total = a.added + a.removed;
        const auto b_total = b.added + b.removed;
        return a_total != b_total ? a_total > b_total : a.label < b.label;
    });
    if (bars.size() > k_chart_bars) {
        bars.resize(k_chart_bars);
    }
    const auto largest = bars.front().added + bars.front().removed;
    auto& out = page.out;
    out.raw("<figure class=\"chart\"><figcaption>").text(title).raw("</figcaption>\n");
    for (const auto& bar : bars) {
        out.raw("<div class=\"bar-row\"><span class=\"bar-label\">")
            .text(bar.label)
            .raw("</span><span class=\"bar-track\"><i class=\"bar-add\" style=\"")
            .raw(width(bar.added, largest))
            .raw("\"></i><i class=\"bar-remove\" style=\"")
            .raw(width(bar.removed, largest))
            .raw("\"></i></span><span class=\"bar-figures\"><span class=\"plus\">+")
            .text(page.words.count(bar.added))
            .raw("</span> <span class=\"minus\">\u2212")
            .text(page.words.count(bar.removed))
            .raw("</span></span></div>\n");
    }
    out.raw("</figure>\n");
}

void write_left_out(Page& page, std::size_t left_out) {
    if (left_out > 0) {
        page.out.raw("<p class=\"left-out\">")
            .text(
                page.words.format(Word::more_not_listed, page.words.count(static_cast<long long>(left_out))))
            .raw("</p>\n");
    }
}

void open_list(Page& page, std::string_view caption, std::size_t count, bool open) {
    page.out.raw(open ? "<details class=\"list\" open><summary>" : "<details class=\"list\"><summary>")
        .text(caption)
        .raw(" <span class=\"count\">(")
        .text(page.words.count(static_cast<long long>(count)))
        .raw(")</span></summary>\n");
}

void close_list(Page& page) {
    page.out.raw("</details>\n");
}

std::string search_key(std::string_view login, std::string_view number, std::string_view more) {
    std::string key = to_lower_ascii(login);
    key += ' ';
    key += to_lower_ascii(number);
    if (!more.empty()) {
        key += ' ';
        key += to_lower_ascii(more);
    }
    return key;
}

} // namespace cohort_sync::review
