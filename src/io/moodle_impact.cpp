// The course-impact preview: what enrol_cohort's next sync will do with the plan's changes,
// read from mdl_enrol, mdl_user_enrolments, the gradebook and the course groups inside the run's
// transaction.
#include "cohort_sync/io/moodle_db.hpp"
#include "moodle_session.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

namespace cohort_sync {

using namespace pgio;

namespace {

// "12,-1,40", the ids impact_groups lists, as numbers.
std::vector<std::int64_t> ids_in(std::string_view text) {
    std::vector<std::int64_t> ids;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = text.substr(0, comma);
        std::int64_t id = 0;
        std::from_chars(item.data(), item.data() + item.size(), id);
        ids.push_back(id);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return ids;
}

// The usernames of the ids, sorted.
std::vector<std::string> usernames_of(const std::vector<std::int64_t>& ids,
                                      const std::map<std::int64_t, std::string>& username_of) {
    std::vector<std::string> names;
    names.reserve(ids.size());
    for (const auto id : ids) {
        const auto found = username_of.find(id);
        names.push_back(found != username_of.end() ? found->second : "#" + std::to_string(id));
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

CourseImpact MoodleSession::course_impact(const Plan& plan) {
    auto& impl = *m_impl;
    CourseImpact impact;

    const auto& settings_statement = impl.statement(sql::Id::impact_settings);
    const auto settings =
        impl.run(sql::Id::impact_settings, {}, PGRES_TUPLES_OK, "read enrol_cohort's settings");
    // A site that never saved the setting uses enrol_cohort's default, unenrol.
    const int s_action = settings.column("unenrolaction");
    const int s_enrol_plugins = settings.column("enrol_plugins");
    impact.groups_previewed = settings.text(0, settings.column("groups_readable")) == std::string_view("t");
    int action = 0;
    if (!settings.is_null(0, s_action)) {
        action = number_at<int>(settings, 0, s_action, settings_statement,
                                "config_plugins.value of unenrolaction");
    }
    impact.unenrol_action =
        action >= 0 && action <= 3 ? static_cast<UnenrolAction>(action) : UnenrolAction::unenrol;
    const std::string enabled(settings.text(0, s_enrol_plugins));
    impact.cohort_enrol_enabled =
        settings.is_null(0, s_enrol_plugins) || (',' + enabled + ',').find(",cohort,") != std::string::npos;

    // Only existing cohorts can have course instances: a cohort being created has none yet.
    std::size_t adds = 0;
    std::size_t removes = 0;
    for (const auto& cohort : plan.cohorts) {
        if (cohort.cohort_id) {
            adds += cohort.adds.size();
            removes += cohort.removes.size();
        }
    }
    if (adds == 0 && removes == 0) {
        return impact;
    }
    // An account provisioning creates in this run has no id yet: it gets a negative one of its own,
    // the same in every cohort it joins, so that the group preview can tell such accounts apart.
    std::map<std::string_view, std::int64_t> new_account_id;
    const auto id_of = [&](const PlannedMember& member) {
        if (member.user_id != 0) {
            return member.user_id;
        }
        return new_account_id
            .try_emplace(member.username, -static_cast<std::int64_t>(new_account_id.size()) - 1)
            .first->second;
    };
    impl.run(sql::Id::create_impact_tables, {}, PGRES_COMMAND_OK, "prepare the course-impact preview");
    const auto send = [&](sql::Id id, const char* what, auto members_of) {
        impl.copy(id, fmt::format("send the {} for the course-impact preview", what), [&](CopyIn& copy_in) {
            for (const auto& cohort : plan.cohorts) {
                if (cohort.cohort_id) {
                    for (const auto& member : members_of(cohort)) {
                        copy_in.row(*cohort.cohort_id, id_of(member));
                    }
                }
            }
        });
    };
    send(
        sql::Id::copy_impact_adds, "additions", [](const CohortPlan& c) -> const auto& { return c.adds; });
    send(
        sql::Id::copy_impact_removes, "removals",
        [](const CohortPlan& c) -> const auto& { return c.removes; });

    std::map<std::int64_t, CourseChange> courses;
    const auto& adds_statement = impl.statement(sql::Id::impact_adds);
    const auto added = impl.run(sql::Id::impact_adds, {}, PGRES_TUPLES_OK, "preview the enrolments to add");
    const int a_course = added.column("courseid");
    const int a_shortname = added.column("shortname");
    const int a_enrolments = added.column("enrolments");
    for (int row = 0; row < added.rows(); ++row) {
        const auto course_id =
            number_at<std::int64_t>(added, row, a_course, adds_statement, "enrol.courseid");
        auto& course = courses[course_id];
        course.course_id = course_id;
        course.shortname = added.text(row, a_shortname);
        course.enrolments_added = number_at<int>(added, row, a_enrolments, adds_statement, "count");
        impact.enrolments_added += course.enrolments_added;
    }
    const auto& removes_statement = impl.statement(sql::Id::impact_removes);
    const auto removed = impl.run(sql::Id::impact_removes, {std::to_string(action)}, PGRES_TUPLES_OK,
                                  "preview the enrolments to remove");
    const int r_course = removed.column("courseid");
    const int r_shortname = removed.column("shortname");
    const int r_enrolments = removed.column("enrolments");
    const int r_graded = removed.column("graded_losing");
    for (int row = 0; row < removed.rows(); ++row) {
        const auto course_id =
            number_at<std::int64_t>(removed, row, r_course, removes_statement, "enrol.courseid");
        auto& course = courses[course_id];
        course.course_id = course_id;
        course.shortname = removed.text(row, r_shortname);
        course.enrolments_removed = number_at<int>(removed, row, r_enrolments, removes_statement, "count");
        course.removed_with_grades = number_at<int>(removed, row, r_graded, removes_statement, "count");
        impact.enrolments_removed += course.enrolments_removed;
    }
    const auto& graded_statement = impl.statement(sql::Id::impact_graded_students);
    const auto graded = impl.run(sql::Id::impact_graded_students, {std::to_string(action)}, PGRES_TUPLES_OK,
                                 "count the students with grades among the removals");
    impact.graded_students_removed =
        number_at<int>(graded, 0, graded.column("students"), graded_statement, "count");
    if (impact.groups_previewed) {
        const auto& groups_statement = impl.statement(sql::Id::impact_groups);
        const auto moves = impl.run(sql::Id::impact_groups,
                                    {std::to_string(action), std::to_string(k_group_students_listed)},
                                    PGRES_TUPLES_OK, "preview the course groups students join and leave");
        const int g_course = moves.column("courseid");
        const int g_shortname = moves.column("shortname");
        const int g_group = moves.column("groupid");
        const int g_name = moves.column("groupname");
        const int g_joining = moves.column("joining");
        const int g_leaving = moves.column("leaving");
        const int g_joining_ids = moves.column("joining_ids");
        const int g_leaving_ids = moves.column("leaving_ids");
        // The few students each group lists (k_group_students_listed a way at most), then their
        // names, looked up once for all of them rather than kept for every member sent.
        std::vector<std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>> listed;
        std::map<std::int64_t, std::string> username_of;
        for (int row = 0; row < moves.rows(); ++row) {
            auto& [joining, leaving] = listed.emplace_back(ids_in(moves.text(row, g_joining_ids)),
                                                           ids_in(moves.text(row, g_leaving_ids)));
            for (const auto id : joining) {
                username_of.emplace(id, std::string());
            }
            for (const auto id : leaving) {
                username_of.emplace(id, std::string());
            }
        }
        for (const auto& [username, id] : new_account_id) {
            if (const auto wanted = username_of.find(id); wanted != username_of.end()) {
                wanted->second = username;
            }
        }
        if (!username_of.empty()) {
            for (const auto& cohort : plan.cohorts) {
                for (const auto* members : {&cohort.adds, &cohort.removes}) {
                    for (const auto& member : *members) {
                        if (const auto wanted = username_of.find(member.user_id);
                            member.user_id != 0 && wanted != username_of.end()) {
                            wanted->second = member.username;
                        }
                    }
                }
            }
        }
        for (int row = 0; row < moves.rows(); ++row) {
            const auto course_id =
                number_at<std::int64_t>(moves, row, g_course, groups_statement, "enrol.courseid");
            auto& course = courses[course_id];
            course.course_id = course_id;
            course.shortname = moves.text(row, g_shortname);
            GroupChange group;
            group.group_id = number_at<std::int64_t>(moves, row, g_group, groups_statement, "groups.id");
            group.name = moves.text(row, g_name);
            group.joining = number_at<int>(moves, row, g_joining, groups_statement, "count");
            group.leaving = number_at<int>(moves, row, g_leaving, groups_statement, "count");
            const auto& [joining, leaving] = listed[static_cast<std::size_t>(row)];
            group.students_joining = usernames_of(joining, username_of);
            group.students_leaving = usernames_of(leaving, username_of);
            impact.group_joins += group.joining;
            impact.group_leaves += group.leaving;
            course.groups.push_back(std::move(group));
        }
    }
    for (auto& [id, course] : courses) {
        impact.courses.push_back(std::move(course));
    }
    return impact;
}

} // namespace cohort_sync
