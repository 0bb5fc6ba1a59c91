// Every word of the review page, in English and French. Private to src/core.
//
// One table rather than two files of strings, so that a sentence and its translation are read
// (and changed) together, and a word missing in one language does not build.
#pragma once

#include "cohort_sync/review_page.hpp"

#include <fmt/format.h>
#include <string>
#include <string_view>

namespace cohort_sync {

enum class Word {
    page_title,
    heading,
    run_of,
    origin_dry_run,
    origin_plan_file,
    origin_run,
    verdict_refused,
    verdict_forced,
    verdict_accepted,
    verdict_no_plan,
    tile_added,
    tile_removed,
    tile_created,
    tile_renamed,
    tile_deferred,
    tile_held,
    tile_accounts,
    tile_enrolments_removed,
    tile_enrolments_suspended,
    tile_graded,
    lists_cut,
    js_off,
    nav_run,
    nav_guards,
    nav_held_back,
    nav_cohorts,
    nav_courses,
    nav_students,
    nav_issues,
    run_heading,
    site_configuration,
    site_tables,
    site_component,
    site_rule,
    site_plan_file,
    run_id,
    run_started,
    run_outcome,
    run_forced,
    yes,
    no,
    sources_caption,
    source_column,
    now_column,
    last_column,
    change_column,
    source_directory,
    source_export,
    source_students,
    source_pages,
    unknown,
    no_previous_run,
    cross_check,
    guards_heading,
    guards_caption,
    guard_column,
    verdict_column,
    figures_column,
    hint_column,
    guard_tripped,
    guard_ok,
    guards_none,
    guard_directory_empty,
    guard_directory_min_size,
    guard_directory_shrink,
    guard_export_empty,
    guard_export_min_size,
    guard_export_shrink,
    guard_etape_shrink,
    guard_max_removals,
    guard_max_cohort_removal_ratio,
    guard_max_total_removal_ratio,
    guard_max_accounts_created,
    guard_provisioning_auth,
    figures_in_english,
    held_back_heading,
    held_back_intro,
    held_back_none,
    what_column,
    why_column,
    held_whole_plan,
    held_guard_tripped,
    held_deferred,
    held_deferred_why,
    held_doubt,
    held_doubt_why,
    held_left_alone_why,
    held_unplaced,
    held_unplaced_why,
    disagreements_caption,
    only_in_column,
    only_in_export,
    only_in_directory,
    cohorts_heading,
    cohorts_intro,
    cohorts_none,
    chart_cohorts,
    search_label,
    search_placeholder,
    search_matches,
    sort_by,
    sort_removes,
    sort_adds,
    sort_size,
    sort_name,
    badge_new,
    renamed_from,
    idnumber_restored,
    recreated,
    cohort_sizes,
    vanished_etape,
    members_removed,
    members_added,
    members_deferred,
    members_held,
    login_column,
    number_column,
    more_not_listed,
    why_export_line,
    why_pegase_row,
    why_directory,
    why_new_account,
    why_in_sources,
    why_gone,
    why_changes_etape,
    why_leaves_etape,
    why_gone_vanished,
    why_only_directory,
    why_only_export,
    why_deferred,
    why_held,
    courses_heading,
    courses_unknown,
    courses_disabled,
    courses_summary_removed,
    courses_summary_suspended,
    courses_grades_warning,
    courses_action,
    action_unenrol,
    action_keep,
    action_suspend,
    action_suspend_no_roles,
    chart_courses,
    courses_caption,
    course_id_column,
    course_column,
    added_column,
    removed_column,
    suspended_column,
    graded_column,
    courses_none,
    students_heading,
    unplaced_caption,
    etape_column,
    reason_column,
    reason_no_account,
    reason_deleted_account,
    reason_other_key_only,
    reason_several_accounts,
    accounts_caption,
    first_name_column,
    last_name_column,
    auth_column,
    students_none,
    issues_heading,
    issues_caption,
    issues_none,
    severity_column,
    where_column,
    severity_error,
    severity_warning,
    footer,
    count_ // the number of words; not a word
};

class Words {
public:
    explicit Words(Language language)
        : m_language(language) {}

    Language language() const { return m_language; }

    std::string_view operator()(Word word) const;

    // The word's {} filled in order, as fmt does.
    template <typename... Args> std::string format(Word word, const Args&... args) const {
        return fmt::format(fmt::runtime((*this)(word)), args...);
    }

    // 239,607 or 239 607 (a narrow no-break space, as French typography writes it).
    std::string count(long long value) const;
    // "2.7 %" or "2,7 %".
    std::string percent(double ratio) const;
    // "2026-11-29 02:35 UTC" in both languages: ISO dates read the same.
    std::string utc_time(long long unix_seconds) const;

private:
    Language m_language;
};

} // namespace cohort_sync
