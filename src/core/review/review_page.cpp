// The review page as a whole: its head, the verdict at a glance, the run and its guards; then
// the sections of review_*.cpp, the style and the script of review_assets.cpp.
#include "cohort_sync/review_page.hpp"

#include "cohort_sync/source.hpp"
#include "cohort_sync/text.hpp"
#include "review_assets.hpp"
#include "review_parts.hpp"

#include <algorithm>
#include <optional>

namespace cohort_sync {

using namespace review;

namespace {

bool starts_with_fr(std::string_view locale) {
    return locale.size() >= 2 && to_lower_ascii(locale.substr(0, 2)) == "fr";
}

int tripped_count(const RunReport& report) {
    return static_cast<int>(std::ranges::count_if(report.verdicts, &GuardVerdict::tripped));
}

// The cohorts' student lists: whole when they fit the budget together, else each cut to the same
// first few (see k_review_line_budget).
ListLimit member_limit(const RunReport& report, const ReviewOptions& options) {
    if (options.full || !report.plan) {
        return ListLimit::none();
    }
    std::size_t lines = 0;
    std::size_t lists = 0;
    for (const auto& cohort : report.plan->cohorts) {
        for (const auto size :
             {cohort.adds.size(), cohort.removes.size(), cohort.deferred.size(), cohort.held_back.size()}) {
            lines += size;
            lists += size > 0 ? 1 : 0;
        }
    }
    const auto budget = static_cast<std::size_t>(std::max(options.line_budget, 1));
    if (lines <= budget) {
        return ListLimit::none();
    }
    // A few lines of each list still show what kind of change it is.
    constexpr std::size_t k_fewest = 3;
    return ListLimit(std::max(k_fewest, budget / lists));
}

ListLimit other_limit(const ReviewOptions& options) {
    return options.full ? ListLimit::none()
                        : ListLimit(static_cast<std::size_t>(std::max(options.line_budget / 10, 1)));
}

std::size_t listed_lines(const RunReport& report, const ListLimit& limit) {
    std::size_t shown = 0;
    if (report.plan) {
        for (const auto& cohort : report.plan->cohorts) {
            shown += limit.shown(cohort.adds.size()) + limit.shown(cohort.removes.size()) +
                     limit.shown(cohort.deferred.size()) + limit.shown(cohort.held_back.size());
        }
    }
    return shown;
}

std::size_t member_lines(const RunReport& report) {
    std::size_t lines = 0;
    if (report.plan) {
        for (const auto& cohort : report.plan->cohorts) {
            lines +=
                cohort.adds.size() + cohort.removes.size() + cohort.deferred.size() + cohort.held_back.size();
        }
    }
    return lines;
}

void write_head(Page& page) {
    auto& out = page.out;
    out.raw("<!DOCTYPE html>\n<html lang=\"")
        .raw(page.words.language() == Language::fr ? "fr" : "en")
        .raw("\">\n<head>\n<meta charset=\"utf-8\">\n")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        // Nothing may leave the page: no request, whatever a value held (it is escaped anyway).
        .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n")
        .raw("<meta name=\"referrer\" content=\"no-referrer\">\n")
        .raw("<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>")
        .text(page.words.format(Word::page_title, page.report.run_id))
        .raw("</title>\n<style>")
        .raw(k_review_style)
        .raw("</style>\n</head>\n");
}

void write_tile(Page& page, std::string_view kind, std::string_view figure, Word label) {
    page.out.raw("<div class=\"tile ")
        .raw(kind)
        .raw("\"><b>")
        .text(figure)
        .raw("</b> ")
        .text(page.words(label))
        .raw("</div>");
}

void write_verdict(Page& page) {
    const auto& report = page.report;
    const int tripped = tripped_count(report);
    if (!report.plan) {
        page.out.raw("<p class=\"verdict refused\">").text(page.words(Word::verdict_no_plan));
        if (!report.error.empty()) {
            page.out.raw(" ").text(report.error);
        }
        page.out.raw("</p>\n");
    } else if (tripped > 0 && !report.forced) {
        page.out.raw("<p class=\"verdict refused\" id=\"verdict\">")
            .text(page.words.format(Word::verdict_refused, tripped))
            .raw("</p>\n");
    } else if (tripped > 0) {
        page.out.raw("<p class=\"verdict forced\" id=\"verdict\">")
            .text(page.words.format(Word::verdict_forced, tripped))
            .raw("</p>\n");
    } else {
        page.out.raw("<p class=\"verdict ok\" id=\"verdict\">")
            .text(page.words(Word::verdict_accepted))
            .raw("</p>\n");
    }
}

// At a glance: the verdict and the figures that matter to whoever approves removals.
void write_glance(Page& page) {
    const auto& words = page.words;
    const auto& report = page.report;
    page.out.raw("<body data-review-ready=\"no\">\n<header>\n<h1>")
        .text(words(Word::heading))
        .raw("</h1>\n<p class=\"subtitle\">")
        .text(words.format(Word::run_of,
                           page.site.configuration.empty() ? page.site.tables : page.site.configuration,
                           report.run_id, words.utc_time(report.started_at)))
        .raw("</p>\n<p class=\"origin\">");
    if (!page.site.plan_file.empty()) {
        page.out.text(words.format(Word::origin_plan_file, page.site.plan_file, page.site.plan_file));
    } else if (report.dry_run) {
        page.out.text(words(Word::origin_dry_run));
    } else {
        page.out.text(words.format(Word::origin_run, report.outcome));
    }
    page.out.raw("</p>\n");
    write_verdict(page);
    if (report.plan) {
        const auto totals = report.plan->totals();
        page.out.raw("<div class=\"tiles\">");
        write_tile(page, "add", "+" + words.count(totals.adds), Word::tile_added);
        write_tile(page, "remove", "\u2212" + words.count(totals.removes), Word::tile_removed);
        write_tile(page, "neutral", words.count(totals.creates), Word::tile_created);
        write_tile(page, "neutral", words.count(totals.renames), Word::tile_renamed);
        if (totals.deferred > 0) {
            write_tile(page, "neutral", words.count(totals.deferred), Word::tile_deferred);
        }
        if (totals.held_back > 0) {
            write_tile(page, "neutral", words.count(totals.held_back), Word::tile_held);
        }
        if (totals.accounts > 0) {
            write_tile(page, "neutral", words.count(totals.accounts), Word::tile_accounts);
        }
        if (report.impact) {
            write_tile(page, "remove", words.count(report.impact->enrolments_removed),
                       report.impact->deletes_data() ? Word::tile_enrolments_removed
                                                     : Word::tile_enrolments_suspended);
            write_tile(page, report.impact->graded_students_removed > 0 ? "danger" : "neutral",
                       words.count(report.impact->graded_students_removed), Word::tile_graded);
        }
        page.out.raw("</div>\n");
    }
    if (page.members.cuts_lists()) {
        page.out.raw("<p class=\"notice\" id=\"lists-cut\">")
            .text(words.format(Word::lists_cut, words.count(static_cast<long long>(page.members.per_list())),
                               words.count(static_cast<long long>(listed_lines(report, page.members))),
                               words.count(static_cast<long long>(member_lines(report)))))
            .raw("</p>\n");
    }
    page.out.raw("<noscript><p class=\"notice\">")
        .text(words(Word::js_off))
        .raw("</p></noscript>\n<div id=\"js-errors\" hidden></div>\n</header>\n<nav>");
    const std::pair<const char*, Word> links[] = {
        {"run", Word::nav_run},         {"guards", Word::nav_guards},   {"held-back", Word::nav_held_back},
        {"cohorts", Word::nav_cohorts}, {"courses", Word::nav_courses}, {"students", Word::nav_students},
        {"issues", Word::nav_issues}};
    for (const auto& [anchor, label] : links) {
        page.out.raw("<a href=\"#").raw(anchor).raw("\">").text(words(label)).raw("</a>");
    }
    // Disabled until the script runs: without it there is nothing to search with.
    page.out.raw("<label>")
        .text(words(Word::search_label))
        .raw(" <input type=\"search\" id=\"search\" disabled autocomplete=\"off\"")
        .attribute("placeholder", words(Word::search_placeholder))
        .raw("></label><span id=\"search-count\" aria-live=\"polite\"")
        .attribute("data-template", words(Word::search_matches))
        .raw("></span></nav>\n<main>\n");
}

void write_fact(Page& page, Word label, std::string_view value) {
    if (!value.empty()) {
        page.out.raw("<dt>").text(page.words(label)).raw("</dt><dd>").text(value).raw("</dd>");
    }
}

// "−2.7 %" against the last successful run, or nothing to compare with.
std::string change(const Words& words, int now, std::optional<int> last) {
    if (!last) {
        return std::string(words(Word::no_previous_run));
    }
    if (*last == 0) {
        return "";
    }
    const double ratio = static_cast<double>(now - *last) / *last;
    return (now < *last ? "\u2212" : "+") + words.percent(ratio);
}

void write_source_row(Page& page, const std::string& label, int now, std::optional<int> last) {
    auto& out = page.out;
    const bool shrank = last && now < *last;
    out.raw("<tr><td>").text(label).raw("</td><td class=\"num\" data-v=\"").number(now).raw("\">");
    out.text(page.words.count(now)).raw("</td><td class=\"num\">");
    out.text(last ? page.words.count(*last) : std::string(page.words(Word::unknown)));
    out.raw(shrank ? "</td><td class=\"num minus\">" : "</td><td class=\"num\">")
        .text(change(page.words, now, last))
        .raw("</td></tr>\n");
}

void write_run(Page& page) {
    const auto& words = page.words;
    const auto& report = page.report;
    const auto& site = page.site;
    page.out.raw("<section id=\"run\">\n<h2>")
        .text(words(Word::run_heading))
        .raw("</h2>\n<dl class=\"facts\">");
    write_fact(page, Word::site_configuration, site.configuration);
    write_fact(page, Word::site_tables, site.tables);
    write_fact(page, Word::site_component, site.component);
    write_fact(page, Word::site_rule, site.rule);
    write_fact(page, Word::site_plan_file, site.plan_file);
    write_fact(page, Word::run_id, report.run_id);
    write_fact(page, Word::run_started, words.utc_time(report.started_at));
    write_fact(page, Word::run_outcome, report.outcome);
    write_fact(page, Word::run_forced, words(report.forced ? Word::yes : Word::no));
    page.out.raw("</dl>\n");

    const auto& last = report.last_success;
    const auto previous = [&](std::string_view count_key) {
        return last ? std::optional<int>(last->records_of(std::string(count_key))) : std::nullopt;
    };
    page.out.raw("<table class=\"sources\"><caption>")
        .text(words(Word::sources_caption))
        .raw("</caption>\n<thead><tr><th>")
        .text(words(Word::source_column))
        .raw("</th><th>")
        .text(words(Word::now_column))
        .raw("</th><th>")
        .text(words(Word::last_column))
        .raw("</th><th>")
        .text(words(Word::change_column))
        .raw("</th></tr></thead>\n<tbody>\n");
    for (const auto* kind : source_kinds()) {
        const auto count = report.counts.records_of(std::string(kind->count_key()));
        const auto origin = site.sources.find(kind->name());
        if (count == 0 && origin == site.sources.end()) {
            continue;
        }
        const auto label =
            kind->family() == SourceFamily::directory ? Word::source_directory : Word::source_export;
        write_source_row(page, words.format(label, origin == site.sources.end() ? "" : origin->second), count,
                         previous(kind->count_key()));
    }
    write_source_row(page, std::string(words(Word::source_students)), report.counts.students,
                     last ? std::optional<int>(last->students) : std::nullopt);
    page.out.raw("</tbody></table>\n");
    if (report.directory_pages > 0) {
        page.out.raw("<p>")
            .text(words(Word::source_pages))
            .raw(": ")
            .text(words.count(report.directory_pages))
            .raw("</p>\n");
    }
    const auto& check = report.cross_check;
    if (check.students_compared > 0) {
        page.out.raw("<p>")
            .text(words.format(Word::cross_check, words.count(check.students_compared),
                               words.count(check.only_in_export), words.count(check.only_in_directory)))
            .raw("</p>\n");
    }
    if (!check.all.empty()) {
        write_disagreements(page);
    }
    page.out.raw("</section>\n");
}

// What a guard checks, in words a reviewer outside IT reads; its stable name stays beside it for
// whoever looks it up in docs/operations.md.
std::optional<Word> description_of(std::string_view guard) {
    static constexpr std::pair<std::string_view, Word> k_guards[] = {
        {"directory_empty", Word::guard_directory_empty},
        {"directory_min_size", Word::guard_directory_min_size},
        {"directory_shrink", Word::guard_directory_shrink},
        {"export_empty", Word::guard_export_empty},
        {"export_min_size", Word::guard_export_min_size},
        {"export_shrink", Word::guard_export_shrink},
        {"etape_shrink", Word::guard_etape_shrink},
        {"max_removals", Word::guard_max_removals},
        {"max_cohort_removal_ratio", Word::guard_max_cohort_removal_ratio},
        {"max_total_removal_ratio", Word::guard_max_total_removal_ratio},
        {"max_accounts_created", Word::guard_max_accounts_created},
        {"provisioning_auth", Word::guard_provisioning_auth}};
    for (const auto& [name, word] : k_guards) {
        if (name == guard) {
            return word;
        }
    }
    return std::nullopt;
}

void write_guards(Page& page) {
    const auto& words = page.words;
    auto& out = page.out;
    out.raw("<section id=\"guards\">\n<h2>").text(words(Word::guards_heading)).raw("</h2>\n");
    if (page.report.verdicts.empty()) {
        out.raw("<p>").text(words(Word::guards_none)).raw("</p>\n</section>\n");
        return;
    }
    auto verdicts = page.report.verdicts;
    // std::, not std::ranges::: clang 14 (the fuzz build) cannot instantiate the subrange that
    // libstdc++ 12's std::ranges::stable_partition returns.
    std::stable_partition(verdicts.begin(), verdicts.end(), [](const GuardVerdict& v) { return v.tripped; });
    // Folded when every guard accepts: the verdict at the top says so, and the cohorts come sooner.
    open_list(page, words(Word::guards_caption), verdicts.size(), verdicts.front().tripped);
    out.raw("<table class=\"sortable guards\"><thead><tr><th>")
        .text(words(Word::guard_column))
        .raw("</th><th>")
        .text(words(Word::verdict_column))
        .raw("</th><th>")
        .text(words(Word::figures_column))
        .raw("</th><th>")
        .text(words(Word::hint_column))
        .raw("</th></tr></thead>\n<tbody>\n");
    for (const auto& verdict : verdicts) {
        out.raw(verdict.tripped ? "<tr class=\"tripped\"><td>" : "<tr><td>");
        if (const auto description = description_of(verdict.guard)) {
            out.text(words(*description)).raw("<br><span class=\"note\">").text(verdict.guard).raw("</span>");
        } else {
            out.text(verdict.guard);
        }
        out.raw("</td><td>")
            .text(words(verdict.tripped ? Word::guard_tripped : Word::guard_ok))
            .raw("</td>")
            .element("td", verdict.figures)
            .element("td", verdict.hint)
            .raw("</tr>\n");
    }
    out.raw("</tbody></table>\n");
    if (page.words.language() != Language::en) {
        out.raw("<p class=\"note\">").text(words(Word::figures_in_english)).raw("</p>\n");
    }
    close_list(page);
    out.raw("</section>\n");
}

void write_footer(Page& page) {
    page.out.raw("</main>\n<footer><p>")
        .text(page.words(Word::footer))
        .raw("</p></footer>\n<script>")
        .raw(k_review_script)
        .raw("</script>\n</body>\n</html>\n");
}

// About 200 bytes per listed line and a few kilobytes per cohort: the page is written once, into
// a string reserved up front.
std::size_t expected_size(const RunReport& report, const ListLimit& limit) {
    std::size_t size = 64 * 1024;
    if (report.plan) {
        size += 1024 * report.plan->cohorts.size() + 200 * listed_lines(report, limit);
    }
    return size;
}

} // namespace

Language language_from_locale(std::string_view lc_all, std::string_view lc_messages, std::string_view lang) {
    for (const auto locale : {lc_all, lc_messages, lang}) {
        if (!locale.empty()) {
            return starts_with_fr(locale) ? Language::fr : Language::en;
        }
    }
    return Language::en;
}

ReviewSite review_site(const Config& config) {
    ReviewSite site;
    site.configuration = config.source_path;
    site.tables = config.moodle.schema + "." + config.moodle.prefix;
    site.component = config.moodle.component;
    site.rule = std::string(to_string(config.membership.rule));
    for (const auto* kind : needed_source_kinds(config)) {
        site.sources.emplace(kind->name(), kind->origin(config));
    }
    return site;
}

std::string render_review_page(const RunReport& report, const ReviewSite& site,
                               const ReviewOptions& options) {
    const Words words(options.language);
    const auto members = member_limit(report, options);
    HtmlWriter out(expected_size(report, members));
    Page page{out, words, report, site, members, other_limit(options)};
    write_head(page);
    write_glance(page);
    write_run(page);
    write_guards(page);
    write_held_back(page);
    write_cohorts(page);
    write_courses(page);
    write_students(page);
    write_issues(page);
    write_footer(page);
    return std::move(out).take();
}

ReviewSite review_site(const PlanFile& file, std::string path) {
    ReviewSite site;
    site.tables = file.schema + "." + file.prefix;
    site.component = file.component;
    site.plan_file = std::move(path);
    return site;
}

RunReport report_of_plan_file(PlanFile file) {
    RunReport report;
    report.run_id = std::move(file.run_id);
    report.outcome = "dry-run";
    report.dry_run = true;
    report.forced = file.forced;
    report.started_at = file.created_at;
    report.finished_at = file.created_at;
    report.counts = std::move(file.counts);
    report.issues = file.plan.issues;
    report.plan = std::move(file.plan);
    report.verdicts = std::move(file.verdicts);
    return report;
}

} // namespace cohort_sync
