// The review page's cohorts: a chart of the largest changes, then one collapsible entry per
// cohort that changes, with its students and why each one joins or leaves.
#include "cohort_sync/source.hpp"
#include "review_parts.hpp"

#include <algorithm>
#include <iterator>
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

// Students who leave a cohort and join another tonight, by Moodle user id: a change of étape,
// not a withdrawal or a new student, and a reviewer tells them apart at once. Built from this
// plan's adds and removals alone.
class EtapeChanges {
public:
    explicit EtapeChanges(const Plan& plan) {
        std::vector<std::int64_t> removed;
        std::vector<std::int64_t> added;
        for (const auto& cohort : plan.cohorts) {
            for (const auto& member : cohort.removes) {
                removed.push_back(member.user_id);
            }
            for (const auto& member : cohort.adds) {
                added.push_back(member.user_id);
            }
        }
        // Only those both removed and added: a first night adds a quarter of a million and
        // removes nobody.
        std::ranges::sort(removed);
        std::ranges::sort(added);
        std::vector<std::int64_t> moving;
        std::ranges::set_intersection(removed, added, std::back_inserter(moving));
        if (moving.empty()) {
            return;
        }
        const auto moves = [&](const PlannedMember& member) {
            return member.user_id != 0 && std::ranges::binary_search(moving, member.user_id);
        };
        for (const auto& cohort : plan.cohorts) {
            for (const auto& member : cohort.adds) {
                if (moves(member)) {
                    m_joins.emplace(member.user_id, &cohort);
                }
            }
            for (const auto& member : cohort.removes) {
                if (moves(member)) {
                    m_leaves.emplace(member.user_id, &cohort);
                }
            }
        }
    }

    // "etape-L2INFO, etape-L2MATH", or empty.
    std::string joined_by(std::int64_t user_id) const { return idnumbers(m_joins, user_id); }
    std::string left_by(std::int64_t user_id) const { return idnumbers(m_leaves, user_id); }

private:
    using ByUser = std::unordered_multimap<std::int64_t, const CohortPlan*>;

    static std::string idnumbers(const ByUser& by_user, std::int64_t user_id) {
        std::string out;
        const auto [first, last] = by_user.equal_range(user_id);
        for (auto it = first; it != last; ++it) {
            out += (out.empty() ? "" : ", ") + it->second->idnumber;
        }
        return out;
    }

    ByUser m_joins;
    ByUser m_leaves;
};

std::string why_added(const Words& words, const CohortPlan& cohort, const PlannedMember& member,
                      const EtapeChanges& changes) {
    std::string why;
    const auto add = [&why](const std::string& part) { why += why.empty() ? part : "; " + part; };
    if (member.user_id == 0) {
        add(std::string(words(Word::why_new_account)));
    }
    for (const auto& reason : member.reasons) {
        add(where_from(words, reason));
    }
    if (member.reasons.empty()) {
        add(words.format(Word::why_in_sources, cohort.etape));
    }
    if (const auto left = changes.left_by(member.user_id); !left.empty()) {
        add(words.format(Word::why_leaves_etape, left));
    }
    return why;
}

// What the report knows beyond "gone" or "in the sources": a source that still has a removed
// student (the cross-check), a cohort the student joins or leaves instead (this plan).
struct WhyContext {
    const Disagreements& disagreements;
    const EtapeChanges& changes;
};

std::string why_removed(const Words& words, const CohortPlan& cohort, const PlannedMember& member,
                        const WhyContext& context) {
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
    if (const auto joined = context.changes.joined_by(member.user_id); !joined.empty()) {
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

// The word for a cohort kind ("etape", "element", "group"); its name for a kind the page does not
// know yet.
std::string kind_word(const Words& words, const std::string& kind) {
    if (kind == "element") {
        return std::string(words(Word::kind_element));
    }
    if (kind == "group") {
        return std::string(words(Word::kind_group));
    }
    return kind == "etape" ? std::string(words(Word::kind_etape)) : kind;
}

// `kinds`: whether each cohort says its kind (the site has element or group cohorts).
void write_cohort(Page& page, const CohortPlan& cohort, const WhyContext& context, bool kinds) {
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
    // With element or group cohorts on the site, each cohort says its kind.
    if (kinds) {
        out.raw(" <span class=\"badge kind\">").text(kind_word(words, cohort.kind)).raw("</span>");
    }
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
    if (cohort.restore_idnumber_from) {
        out.raw("<p class=\"rename\">")
            .text(words.format(Word::idnumber_restored, *cohort.restore_idnumber_from))
            .raw("</p>\n");
    }
    if (cohort.recreates) {
        out.raw("<p class=\"rename\">").text(words.format(Word::recreated, *cohort.recreates)).raw("</p>\n");
    }
    write_members(page, Word::members_removed, "removes", cohort.removes,
                  [&](const PlannedMember& member) { return why_removed(words, cohort, member, context); });
    write_members(page, Word::members_added, "adds", cohort.adds, [&](const PlannedMember& member) {
        return why_added(words, cohort, member, context.changes);
    });
    write_members(page, Word::members_deferred, "deferred", cohort.deferred,
                  [&](const PlannedMember&) { return std::string(words(Word::why_deferred)); });
    write_members(page, Word::members_held, "held", cohort.held_back, [&](const PlannedMember& member) {
        std::string defects;
        for (const auto& reason : member.reasons) {
            defects += (defects.empty() ? "" : "; ") + where_from(words, reason);
        }
        return words.format(Word::why_held, defects);
    });
    out.raw("</details>\n");
}

} // namespace

std::string where_from(const Words& words, const Reason& reason) {
    if (!reason.dn.empty()) {
        return words.format(Word::why_directory, reason.dn);
    }
    // Each source kind says how it names its records: a reason from a contracts file is not an
    // export line. A name no kind has (a report from another version) is shown as it is.
    const auto kinds = source_kinds();
    const auto kind = std::ranges::find(kinds, reason.source, &SourceKind::name);
    if (kind == kinds.end()) {
        return words.format(Word::why_source_line, reason.source, words.count(reason.line));
    }
    return words.format((*kind)->numbers_rows() ? Word::why_source_row : Word::why_source_line,
                        (*kind)->display_name(), words.count(reason.line));
}

void write_cohorts(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<section id=\"cohorts\">\n<h2>").text(words(Word::cohorts_heading)).raw("</h2>\n");
    std::vector<const CohortPlan*> listed;
    if (page.report.plan) {
        for (const auto& cohort : page.report.plan->cohorts) {
            if (cohort.reported()) {
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

    const auto by_kind = page.report.plan->changes_by_kind();
    if (!by_kind.empty()) {
        // The kinds whose cohorts change, as in the text plan.
        out.raw("<p id=\"cohorts-by-kind\">");
        bool first = true;
        for (const auto& kind : by_kind) {
            if (kind.cohorts_changed == 0) {
                continue;
            }
            out.text(first ? "" : "; ")
                .text(words.format(Word::cohorts_by_kind, kind_word(words, std::string(kind.kind)),
                                   words.count(kind.adds), words.count(kind.removes),
                                   words.count(kind.cohorts_changed)));
            first = false;
        }
        out.raw("</p>\n");
    }

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
    const EtapeChanges changes(*page.report.plan);
    const WhyContext context{disagreements, changes};
    for (const auto* cohort : listed) {
        write_cohort(page, *cohort, context, !by_kind.empty());
    }
    out.raw("</div>\n</section>\n");
}

} // namespace cohort_sync::review
