// The review page's cohorts: a chart of the largest changes, then one collapsible entry per
// cohort that changes, with its students and why each one joins or leaves.
#include "review_parts.hpp"

#include <algorithm>
#include <unordered_map>

namespace cohort_sync::review {
namespace {

// Why a removed student leaves, when the cross-check knows more than "gone": under rule "both",
// one source still has them (a withdrawal recorded in APOGÉE but not yet in the directory, or the
// reverse). Keyed by étape and student number, or login for a member without an idnumber.
class Disagreements {
public:
    explicit Disagreements(const CrossCheck& check) {
        m_by_key.reserve(2 * check.all.size());
        for (const auto& disagreement : check.all) {
            if (!disagreement.student_number.empty()) {
                m_by_key.emplace(key(disagreement.etape, disagreement.student_number), &disagreement);
            }
            if (!disagreement.login.empty()) {
                m_by_key.emplace(key(disagreement.etape, disagreement.login), &disagreement);
            }
        }
    }

    const Disagreement* find(const std::string& etape, const PlannedMember& member) const {
        for (const std::string* id : {&member.student_number, &member.username}) {
            if (id->empty()) {
                continue;
            }
            if (const auto it = m_by_key.find(key(etape, *id)); it != m_by_key.end()) {
                return it->second;
            }
        }
        return nullptr;
    }

private:
    static std::string key(const std::string& etape, const std::string& id) { return etape + '\n' + id; }

    std::unordered_map<std::string, const Disagreement*> m_by_key;
};

// The cohorts each student joins tonight, by Moodle user id: a removal that goes with an addition
// elsewhere is a change of étape, not a withdrawal, and a reviewer tells them apart at once.
class Joins {
public:
    // Only the adds of students removed somewhere: a first night adds a quarter of a million and
    // removes nobody.
    explicit Joins(const Plan& plan) {
        std::vector<std::int64_t> removed;
        for (const auto& cohort : plan.cohorts) {
            for (const auto& member : cohort.removes) {
                removed.push_back(member.user_id);
            }
        }
        if (removed.empty()) {
            return;
        }
        std::ranges::sort(removed);
        for (const auto& cohort : plan.cohorts) {
            for (const auto& member : cohort.adds) {
                if (member.user_id != 0 && std::ranges::binary_search(removed, member.user_id)) {
                    m_by_user.emplace(member.user_id, &cohort);
                }
            }
        }
    }

    // "etape-L2INFO, etape-L2MATH", or empty.
    std::string cohorts_of(std::int64_t user_id) const {
        std::string joined;
        const auto [first, last] = m_by_user.equal_range(user_id);
        for (auto it = first; it != last; ++it) {
            joined += (joined.empty() ? "" : ", ") + it->second->idnumber;
        }
        return joined;
    }

private:
    std::unordered_multimap<std::int64_t, const CohortPlan*> m_by_user;
};

std::string why_added(const Words& words, const CohortPlan& cohort, const PlannedMember& member) {
    std::string why;
    const auto add = [&why](const std::string& part) { why += why.empty() ? part : "; " + part; };
    if (member.user_id == 0) {
        add(std::string(words(Word::why_new_account)));
    }
    for (const auto& reason : member.reasons) {
        add(reason.source == "export" ? words.format(Word::why_export_line, words.count(reason.line))
                                      : words.format(Word::why_directory, reason.dn));
    }
    if (member.reasons.empty()) {
        add(words.format(Word::why_in_sources, cohort.etape));
    }
    return why;
}

// What the report knows of a removal beyond "gone": a source that still has the student there
// (the cross-check), a cohort the student joins instead (this plan's adds).
struct RemovalContext {
    const Disagreements& disagreements;
    const Joins& joins;
};

std::string why_removed(const Words& words, const CohortPlan& cohort, const PlannedMember& member,
                        const RemovalContext& context) {
    std::string why;
    if (cohort.etape.empty()) {
        why = words(Word::why_gone_vanished);
    } else if (const auto* disagreement = context.disagreements.find(cohort.etape, member)) {
        why = words.format(disagreement->only_in == "directory" ? Word::why_only_directory
                                                                : Word::why_only_export,
                           disagreement->locator);
    } else {
        why = words.format(Word::why_gone, cohort.etape);
    }
    if (const auto joined = context.joins.cohorts_of(member.user_id); !joined.empty()) {
        why += "; " + words.format(Word::why_changes_etape, joined);
    }
    return why;
}

template <typename Why>
void write_members(Page& page, Word caption, std::string_view kind, const std::vector<PlannedMember>& members,
                   const Why& why) {
    if (members.empty()) {
        return;
    }
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<table class=\"members sortable ")
        .raw(kind)
        .raw("\"><caption>")
        .text(words.format(caption, words.count(static_cast<long long>(members.size()))))
        .raw("</caption><thead><tr><th>")
        .text(words(Word::login_column))
        .raw("</th><th>")
        .text(words(Word::number_column))
        .raw("</th><th>")
        .text(words(Word::why_column))
        .raw("</th></tr></thead><tbody>\n");
    const auto shown = page.members.shown(members.size());
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& member = members[i];
        const auto login = member.username.empty() ? "#" + std::to_string(member.user_id) : member.username;
        out.raw("<tr")
            .attribute("data-k", search_key(login, member.student_number))
            .raw(">")
            .element("td", login)
            .element("td", member.student_number)
            .element("td", why(member))
            .raw("</tr>\n");
    }
    out.raw("</tbody></table>\n");
    write_left_out(page, members.size() - shown);
}

int size_after(const CohortPlan& cohort) {
    return cohort.current_size + static_cast<int>(cohort.adds.size()) -
           static_cast<int>(cohort.removes.size());
}

void write_cohort(Page& page, const CohortPlan& cohort, const RemovalContext& context) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<details class=\"cohort\"")
        .attribute("data-removes", static_cast<long long>(cohort.removes.size()))
        .attribute("data-adds", static_cast<long long>(cohort.adds.size()))
        .attribute("data-size", size_after(cohort))
        .attribute("data-name", cohort.idnumber)
        .attribute("data-k", search_key(cohort.idnumber, cohort.etape))
        .raw("><summary><span class=\"cid\">")
        .text(cohort.idnumber)
        .raw("</span> <span class=\"cname\">")
        .text(cohort.name)
        .raw("</span>");
    if (cohort.etape.empty()) {
        out.raw(" <span class=\"note\">").text(words(Word::vanished_etape)).raw("</span>");
    }
    if (cohort.creates()) {
        out.raw(" <span class=\"badge\">").text(words(Word::badge_new)).raw("</span>");
    }
    out.raw(" <span class=\"plus\">+")
        .text(words.count(static_cast<long long>(cohort.adds.size())))
        .raw("</span> <span class=\"minus\">\u2212")
        .text(words.count(static_cast<long long>(cohort.removes.size())))
        .raw("</span> <span class=\"sizes\">")
        .text(words.format(Word::cohort_sizes, words.count(cohort.current_size),
                           words.count(size_after(cohort))))
        .raw("</span></summary>\n");
    if (cohort.rename_from) {
        out.raw("<p class=\"rename\">")
            .text(words.format(Word::renamed_from, *cohort.rename_from))
            .raw("</p>\n");
    }
    write_members(page, Word::members_removed, "removes", cohort.removes,
                  [&](const PlannedMember& member) { return why_removed(words, cohort, member, context); });
    write_members(page, Word::members_added, "adds", cohort.adds,
                  [&](const PlannedMember& member) { return why_added(words, cohort, member); });
    write_members(page, Word::members_deferred, "deferred", cohort.deferred,
                  [&](const PlannedMember&) { return std::string(words(Word::why_deferred)); });
    out.raw("</details>\n");
}

} // namespace

void write_cohorts(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<section id=\"cohorts\">\n<h2>").text(words(Word::cohorts_heading)).raw("</h2>\n");
    std::vector<const CohortPlan*> listed;
    if (page.report.plan) {
        for (const auto& cohort : page.report.plan->cohorts) {
            if (cohort.changes() || !cohort.deferred.empty()) {
                listed.push_back(&cohort);
            }
        }
    }
    if (listed.empty()) {
        out.raw("<p>").text(words(Word::cohorts_none)).raw("</p>\n</section>\n");
        return;
    }
    std::vector<Bar> bars;
    bars.reserve(listed.size());
    for (const auto* cohort : listed) {
        bars.push_back({cohort->idnumber, static_cast<long long>(cohort->adds.size()),
                        static_cast<long long>(cohort->removes.size())});
    }
    write_bar_chart(page, words(Word::chart_cohorts), std::move(bars));

    // Removals first: they are what the reviewers are asked to approve.
    std::ranges::stable_sort(listed, [](const CohortPlan* a, const CohortPlan* b) {
        return a->removes.size() != b->removes.size() ? a->removes.size() > b->removes.size()
                                                      : a->adds.size() > b->adds.size();
    });
    out.raw("<p>")
        .text(words.format(Word::cohorts_intro, words.count(static_cast<long long>(listed.size()))))
        .raw("</p>\n<p class=\"sort\">")
        .text(words(Word::sort_by));
    const std::pair<const char*, Word> keys[] = {{"removes", Word::sort_removes},
                                                 {"adds", Word::sort_adds},
                                                 {"size", Word::sort_size},
                                                 {"name", Word::sort_name}};
    for (const auto& [key, label] : keys) {
        out.raw(" <button type=\"button\" data-sort=\"")
            .raw(key)
            .raw("\">")
            .text(words(label))
            .raw("</button>");
    }
    out.raw("</p>\n<div id=\"cohort-list\">\n");
    const Disagreements disagreements(page.report.cross_check);
    const Joins joins(*page.report.plan);
    const RemovalContext context{disagreements, joins};
    for (const auto* cohort : listed) {
        write_cohort(page, *cohort, context);
    }
    out.raw("</div>\n</section>\n");
}

} // namespace cohort_sync::review
