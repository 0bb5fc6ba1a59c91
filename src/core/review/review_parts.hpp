// The review page's sections, each written by one function over the same Page. Private to
// src/core; review_page.cpp puts them together.
#pragma once

#include "cohort_sync/review_page.hpp"
#include "html.hpp"
#include "review_words.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace cohort_sync::review {

// How many lines a list shows: all of them, or its first few and the count of the others.
class ListLimit {
public:
    static ListLimit none() { return ListLimit(static_cast<std::size_t>(-1)); }
    explicit ListLimit(std::size_t per_list)
        : m_per_list(per_list) {}

    std::size_t shown(std::size_t size) const { return std::min(size, m_per_list); }
    bool cuts_lists() const { return m_per_list != static_cast<std::size_t>(-1); }
    std::size_t per_list() const { return m_per_list; }

private:
    std::size_t m_per_list;
};

// Everything a section needs: where to write, in which language, from which report, and how
// much of each list. The cohorts' students are what the reviewers approve: they have the page's
// budget of lines to themselves (k_review_line_budget), and are cut only when a plan exceeds it
// alone. The other lists (students without an account, issues...) each show a tenth of it.
struct Page {
    HtmlWriter& out;
    const Words& words;
    const RunReport& report;
    const ReviewSite& site;
    ListLimit members; // each cohort's removed, added and deferred students
    ListLimit others;  // every other list of students or issues
};

// One bar of a chart: what, and how many added and removed.
struct Bar {
    std::string label;
    long long added = 0;
    long long removed = 0;
};

// The charts: a few CSS bars, scaled to the largest, most changed first.
void write_bar_chart(Page& page, std::string_view title, std::vector<Bar> bars);

// "… and N more, not listed" under a list that was cut.
void write_left_out(Page& page, std::size_t left_out);

// A <details> that opens on a section-wide list, with its count in the summary.
void open_list(Page& page, std::string_view caption, std::size_t count, bool open);
void close_list(Page& page);

// The search key of a student's line: what the search box compares with (lower-cased).
std::string search_key(std::string_view login, std::string_view number, std::string_view more = {});

// "export, line 14", "directory: uid=…": where a member's reason (or a hold's defect) points.
std::string where_from(const Words& words, const Reason& reason);

void write_disagreements(Page& page); // the cross-check's (student, étape) pairs
void write_held_back(Page& page);
void write_cohorts(Page& page);
void write_courses(Page& page);
void write_students(Page& page);
void write_issues(Page& page);

} // namespace cohort_sync::review
