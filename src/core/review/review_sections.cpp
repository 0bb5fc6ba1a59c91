// The review page's other sections: what was held back, the courses, the students without an
// account, the issues.
#include "review_parts.hpp"

#include <algorithm>
#include <map>

namespace cohort_sync::review {
namespace {

// One thing the plan does not do, on doubt, and why.
struct HeldBack {
    std::string what;
    std::string why;
};

Word word_of(UnplacedReason reason) {
    switch (reason) {
    case UnplacedReason::no_account:
        return Word::reason_no_account;
    case UnplacedReason::deleted_account:
        return Word::reason_deleted_account;
    case UnplacedReason::other_key_only:
        return Word::reason_other_key_only;
    case UnplacedReason::several_accounts:
        return Word::reason_several_accounts;
    }
    return Word::reason_no_account;
}

Word word_of(UnenrolAction action) {
    switch (action) {
    case UnenrolAction::unenrol:
        return Word::action_unenrol;
    case UnenrolAction::keep:
        return Word::action_keep;
    case UnenrolAction::suspend:
        return Word::action_suspend;
    case UnenrolAction::suspend_no_roles:
        return Word::action_suspend_no_roles;
    }
    return Word::action_unenrol;
}

// "12 no Moodle account, 3 the Moodle account is deleted", in the page's language.
std::string unplaced_by_reason(const Words& words, const Plan& plan) {
    std::map<UnplacedReason, int> by_reason;
    for (const auto& unplaced : plan.unplaced) {
        ++by_reason[unplaced.reason];
    }
    std::string out;
    for (const auto& [reason, count] : by_reason) {
        out += (out.empty() ? "" : ", ") + words.count(count) + " " + std::string(words(word_of(reason)));
    }
    return out;
}

// Everything held back today, from the plan and the report. A future list of held-back changes in
// the plan becomes one more loop here.
std::vector<HeldBack> held_back_of(const Page& page) {
    const auto& words = page.words;
    const auto& report = page.report;
    std::vector<HeldBack> held;
    if (!report.forced) {
        for (const auto& verdict : report.verdicts) {
            if (verdict.tripped) {
                held.push_back({std::string(words(Word::held_whole_plan)),
                                words.format(Word::held_guard_tripped, verdict.guard, verdict.figures)});
            }
        }
    }
    if (!report.plan) {
        return held;
    }
    const auto& plan = *report.plan;
    for (const auto& issue : plan.issues) {
        if (issue.severity == Severity::error) {
            held.push_back({issue.locator, issue.message});
        }
    }
    const auto totals = plan.totals();
    if (totals.deferred > 0) {
        const auto cohorts =
            std::ranges::count_if(plan.cohorts, [](const CohortPlan& c) { return !c.deferred.empty(); });
        held.push_back({words.format(Word::held_deferred, words.count(totals.deferred), words.count(cohorts)),
                        std::string(words(Word::held_deferred_why))});
    }
    if (totals.held_back > 0 && !plan.holds.empty()) {
        const auto cohorts =
            std::ranges::count_if(plan.cohorts, [](const CohortPlan& c) { return !c.held_back.empty(); });
        const auto& first = plan.holds.front();
        held.push_back(
            {words.format(Word::held_doubt, words.count(totals.held_back), words.count(cohorts)),
             words.format(Word::held_doubt_why, words.count(static_cast<long long>(plan.holds.size())),
                          where_from(words, first.defect) + ", " + first.message)});
    }
    for (const auto& idnumber : plan.left_alone) {
        held.push_back({idnumber, std::string(words(Word::held_left_alone_why))});
    }
    if (!plan.unplaced.empty()) {
        held.push_back(
            {words.format(Word::held_unplaced, words.count(static_cast<long long>(plan.unplaced.size()))),
             words.format(Word::held_unplaced_why, unplaced_by_reason(words, plan))});
    }
    return held;
}

void write_header_row(Page& page, std::initializer_list<Word> columns) {
    page.out.raw("<thead><tr>");
    for (const auto column : columns) {
        page.out.element("th", page.words(column));
    }
    page.out.raw("</tr></thead><tbody>\n");
}

// "a, b and 3 more": the names a group change lists, and how many it does not.
std::string listed_names(const std::vector<std::string>& listed, int total) {
    std::string out;
    for (const auto& name : listed) {
        out += (out.empty() ? "" : ", ") + name;
    }
    if (total > static_cast<int>(listed.size())) {
        out += fmt::format(" (+{})", total - static_cast<int>(listed.size()));
    }
    return out;
}

// The course groups enrol_cohort fills ("Ajouter au groupe"): who joins and who leaves each.
void write_course_groups(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    const auto& impact = *page.report.impact;
    if (!impact.groups_previewed) {
        out.raw("<p class=\"notice\">").text(words(Word::groups_not_read)).raw("</p>\n");
        return;
    }
    std::size_t groups = 0;
    for (const auto& course : impact.courses) {
        groups += course.groups.size();
    }
    if (groups == 0) {
        return;
    }
    out.raw("<p id=\"groups-summary\">")
        .text(words.format(Word::groups_summary, words.count(impact.group_joins),
                           words.count(impact.group_leaves), words.count(static_cast<long long>(groups))))
        .raw("</p>\n");
    open_list(page, words(Word::groups_caption), groups, true);
    out.raw("<table class=\"sortable groups\">");
    write_header_row(page,
                     {Word::course_column, Word::group_column, Word::joining_column, Word::leaving_column});
    for (const auto& course : impact.courses) {
        for (const auto& group : course.groups) {
            // The names in the key too, so that searching for a student finds their groups.
            std::string names;
            for (const auto* side : {&group.students_joining, &group.students_leaving}) {
                for (const auto& name : *side) {
                    names += (names.empty() ? "" : " ") + name;
                }
            }
            out.raw("<tr")
                .attribute("data-k", search_key(course.shortname, group.name, names))
                .raw(">")
                .element("td", course.shortname)
                .element("td", group.name);
            for (const auto* side : {&group.students_joining, &group.students_leaving}) {
                const int count = side == &group.students_joining ? group.joining : group.leaving;
                out.raw("<td")
                    .attribute("data-v", count)
                    .raw("><span class=\"num\">")
                    .text(words.count(count))
                    .raw("</span>");
                if (count > 0) {
                    out.raw(" ").text(listed_names(*side, count));
                }
                out.raw("</td>");
            }
            out.raw("</tr>\n");
        }
    }
    out.raw("</tbody></table>\n");
    close_list(page);
}

} // namespace

// Not held back: under rule "both" the export decides the étapes (of students the directory
// knows), and under "union" either source does. A list for whoever checks the sources.
void write_disagreements(Page& page) {
    const auto& all = page.report.cross_check.all;
    open_list(page, page.words(Word::disagreements_caption), all.size(), false);
    page.out.raw("<table class=\"sortable disagreements\">");
    write_header_row(page, {Word::etape_column, Word::number_column, Word::login_column, Word::only_in_column,
                            Word::where_column});
    const auto shown = page.others.shown(all.size());
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& d = all[i];
        page.out.raw("<tr")
            .attribute("data-k", search_key(d.login, d.student_number, d.etape))
            .raw(">")
            .element("td", d.etape)
            .element("td", d.student_number)
            .element("td", d.login)
            .element("td", page.words(d.only_in == "export" ? Word::only_in_export : Word::only_in_directory))
            .element("td", d.locator)
            .raw("</tr>\n");
    }
    page.out.raw("</tbody></table>\n");
    write_left_out(page, all.size() - shown);
    close_list(page);
}

void write_held_back(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<section id=\"held-back\">\n<h2>").text(words(Word::held_back_heading)).raw("</h2>\n");
    const auto held = held_back_of(page);
    if (held.empty()) {
        out.raw("<p>").text(words(Word::held_back_none)).raw("</p>\n</section>\n");
        return;
    }
    out.raw("<p>").text(words(Word::held_back_intro)).raw("</p>\n<table class=\"held-back\">");
    write_header_row(page, {Word::what_column, Word::why_column});
    for (const auto& item : held) {
        out.raw("<tr>").element("td", item.what).element("td", item.why).raw("</tr>\n");
    }
    out.raw("</tbody></table>\n</section>\n");
}

void write_courses(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<section id=\"courses\">\n<h2>").text(words(Word::courses_heading)).raw("</h2>\n");
    if (!page.report.impact) {
        out.raw("<p>").text(words(Word::courses_unknown)).raw("</p>\n</section>\n");
        return;
    }
    const auto& impact = *page.report.impact;
    if (!impact.cohort_enrol_enabled) {
        out.raw("<p class=\"notice\">").text(words(Word::courses_disabled)).raw("</p>\n");
    }
    out.raw("<p>")
        .text(words.format(Word::courses_action, words(word_of(impact.unenrol_action))))
        .raw("</p>\n<p>")
        .text(words.format(impact.deletes_data() ? Word::courses_summary_removed
                                                 : Word::courses_summary_suspended,
                           words.count(impact.enrolments_added), words.count(impact.enrolments_removed),
                           words.count(static_cast<long long>(impact.courses.size()))))
        .raw("</p>\n");
    if (impact.deletes_data() && impact.graded_students_removed > 0) {
        out.raw("<p class=\"danger\" id=\"grades-warning\">")
            .text(words.format(Word::courses_grades_warning, words.count(impact.graded_students_removed)))
            .raw("</p>\n");
    }
    if (impact.courses.empty()) {
        out.raw("<p>").text(words(Word::courses_none)).raw("</p>\n</section>\n");
        return;
    }
    std::vector<Bar> bars;
    bars.reserve(impact.courses.size());
    for (const auto& course : impact.courses) {
        bars.push_back({course.shortname, course.enrolments_added, course.enrolments_removed});
    }
    write_bar_chart(page, words(Word::chart_courses), std::move(bars));
    open_list(page, words(Word::courses_caption), impact.courses.size(), true);
    out.raw("<table class=\"sortable courses\">");
    write_header_row(page, {Word::course_id_column, Word::course_column, Word::added_column,
                            impact.deletes_data() ? Word::removed_column : Word::suspended_column,
                            Word::graded_column});
    for (const auto& course : impact.courses) {
        const bool loses_grades = impact.deletes_data() && course.removed_with_grades > 0;
        out.raw(loses_grades ? "<tr class=\"danger\"" : "<tr")
            .attribute("data-k", search_key(course.shortname, std::to_string(course.course_id)))
            .raw("><td class=\"num\"")
            .attribute("data-v", course.course_id)
            .raw(">")
            .number(course.course_id)
            .raw("</td>")
            .element("td", course.shortname);
        for (const int figure :
             {course.enrolments_added, course.enrolments_removed, course.removed_with_grades}) {
            out.raw("<td class=\"num\"")
                .attribute("data-v", figure)
                .raw(">")
                .text(words.count(figure))
                .raw("</td>");
        }
        out.raw("</tr>\n");
    }
    out.raw("</tbody></table>\n");
    close_list(page);
    write_course_groups(page);
    out.raw("</section>\n");
}

void write_students(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<section id=\"students\">\n<h2>").text(words(Word::students_heading)).raw("</h2>\n");
    const Plan* plan = page.report.plan ? &*page.report.plan : nullptr;
    if (plan == nullptr || (plan->unplaced.empty() && plan->accounts.empty())) {
        out.raw("<p>").text(words(Word::students_none)).raw("</p>\n</section>\n");
        return;
    }
    if (!plan->unplaced.empty()) {
        open_list(page, words(Word::unplaced_caption), plan->unplaced.size(), false);
        out.raw("<table class=\"sortable unplaced\">");
        write_header_row(page,
                         {Word::etape_column, Word::number_column, Word::login_column, Word::reason_column});
        const auto shown = page.others.shown(plan->unplaced.size());
        for (std::size_t i = 0; i < shown; ++i) {
            const auto& u = plan->unplaced[i];
            out.raw("<tr")
                .attribute("data-k", search_key(u.login, u.student_number, u.etape))
                .raw(">")
                .element("td", u.etape)
                .element("td", u.student_number)
                .element("td", u.login)
                .element("td", words(word_of(u.reason)))
                .raw("</tr>\n");
        }
        out.raw("</tbody></table>\n");
        write_left_out(page, plan->unplaced.size() - shown);
        close_list(page);
    }
    if (!plan->accounts.empty()) {
        open_list(page, words(Word::accounts_caption), plan->accounts.size(), false);
        out.raw("<table class=\"sortable accounts\">");
        write_header_row(page, {Word::login_column, Word::number_column, Word::first_name_column,
                                Word::last_name_column, Word::auth_column});
        const auto shown = page.others.shown(plan->accounts.size());
        for (std::size_t i = 0; i < shown; ++i) {
            const auto& a = plan->accounts[i];
            out.raw("<tr")
                .attribute("data-k", search_key(a.username, a.idnumber))
                .raw(">")
                .element("td", a.username)
                .element("td", a.idnumber)
                .element("td", a.first_name)
                .element("td", a.last_name)
                .element("td", a.auth)
                .raw("</tr>\n");
        }
        out.raw("</tbody></table>\n");
        write_left_out(page, plan->accounts.size() - shown);
        close_list(page);
    }
    out.raw("</section>\n");
}

void write_issues(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<section id=\"issues\">\n<h2>").text(words(Word::issues_heading)).raw("</h2>\n");
    if (page.report.issues.empty()) {
        out.raw("<p>").text(words(Word::issues_none)).raw("</p>\n</section>\n");
        return;
    }
    std::vector<const Issue*> issues;
    issues.reserve(page.report.issues.size());
    for (const auto& issue : page.report.issues) {
        issues.push_back(&issue);
    }
    // std::, not std::ranges:: (clang 14 and libstdc++ 12: see review_page.cpp's guards).
    std::stable_partition(issues.begin(), issues.end(),
                          [](const Issue* issue) { return issue->severity == Severity::error; });
    open_list(page, words(Word::issues_caption), issues.size(), issues.front()->severity == Severity::error);
    out.raw("<table class=\"sortable issues\">");
    write_header_row(page, {Word::severity_column, Word::where_column, Word::what_column});
    const auto shown = page.others.shown(issues.size());
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& issue = *issues[i];
        const bool error = issue.severity == Severity::error;
        out.raw(error ? "<tr class=\"danger\">" : "<tr>")
            .element("td", words(error ? Word::severity_error : Word::severity_warning))
            .element("td", issue.locator)
            .element("td", issue.message)
            .raw("</tr>\n");
    }
    out.raw("</tbody></table>\n");
    write_left_out(page, issues.size() - shown);
    close_list(page);
    out.raw("</section>\n");
}

} // namespace cohort_sync::review
