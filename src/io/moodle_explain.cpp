#include "cohort_sync/io/moodle_explain.hpp"

#include "pg_connection.hpp"

#include <algorithm>
#include <set>

namespace cohort_sync {

using namespace pgio;

MoodleView explain_in_moodle(const MoodleConfig& config, const std::string& login,
                             const std::string& student_number, const std::vector<std::string>& idnumbers,
                             std::int64_t user_id) {
    const sql::Statements statements(config);
    const auto connection = connect(config);
    const auto run = [&](sql::Id id, const Parameters& parameters, const char* attempt) {
        return execute(connection.get(), statements[id], parameters, PGRES_TUPLES_OK, attempt, config);
    };
    MoodleView view;

    const auto settings = run(sql::Id::load_config, {}, "read Moodle's site settings");
    const int c_name = settings.column("name");
    const int c_value = settings.column("value");
    for (int row = 0; row < settings.rows(); ++row) {
        if (settings.text(row, c_name) == "mnet_localhost_id") {
            view.mnet_localhost_id = parse_id(settings.text(row, c_value)).value_or(1);
        }
    }

    const auto& users_statement = statements[sql::Id::explain_users];
    const auto users =
        run(sql::Id::explain_users, {login, student_number, std::to_string(view.mnet_localhost_id)},
            "find the student's Moodle accounts");
    const int u_id = users.column("id");
    const int u_username = users.column("username");
    const int u_idnumber = users.column("idnumber");
    const int u_auth = users.column("auth");
    const int u_suspended = users.column("suspended");
    const int u_deleted = users.column("deleted");
    for (int row = 0; row < users.rows(); ++row) {
        view.accounts.push_back(
            {number_at<std::int64_t>(users, row, u_id, users_statement, "user.id"),
             std::string(users.text(row, u_username)), std::string(users.text(row, u_idnumber)),
             std::string(users.text(row, u_auth)),
             number_at<int>(users, row, u_suspended, users_statement, "user.suspended") != 0,
             number_at<int>(users, row, u_deleted, users_statement, "user.deleted") != 0});
    }

    std::set<std::int64_t> cohort_ids;
    if (user_id != 0) {
        const auto& statement = statements[sql::Id::explain_memberships];
        const auto members =
            run(sql::Id::explain_memberships, {std::to_string(user_id)}, "read the student's cohorts");
        const int m_id = members.column("id");
        const int m_idnumber = members.column("idnumber");
        const int m_name = members.column("name");
        const int m_component = members.column("component");
        const int m_timeadded = members.column("timeadded");
        for (int row = 0; row < members.rows(); ++row) {
            view.memberships.push_back(
                {number_at<std::int64_t>(members, row, m_id, statement, "cohort.id"),
                 std::string(members.text(row, m_idnumber)), std::string(members.text(row, m_name)),
                 std::string(members.text(row, m_component)),
                 number_at<long long>(members, row, m_timeadded, statement, "timeadded")});
            cohort_ids.insert(view.memberships.back().cohort_id);
        }
    }
    if (!idnumbers.empty()) {
        std::vector<std::string_view> names(idnumbers.begin(), idnumbers.end());
        const auto& statement = statements[sql::Id::explain_cohorts];
        const auto cohorts = run(sql::Id::explain_cohorts, {config.component, sql::text_array_literal(names)},
                                 "find the student's target cohorts");
        const int k_id = cohorts.column("id");
        const int k_idnumber = cohorts.column("idnumber");
        const int k_name = cohorts.column("name");
        for (int row = 0; row < cohorts.rows(); ++row) {
            view.cohorts.push_back({number_at<std::int64_t>(cohorts, row, k_id, statement, "cohort.id"),
                                    std::string(cohorts.text(row, k_idnumber)),
                                    std::string(cohorts.text(row, k_name))});
            cohort_ids.insert(view.cohorts.back().id);
        }
    }
    if (!cohort_ids.empty() || user_id != 0) {
        const auto& statement = statements[sql::Id::explain_courses];
        const auto courses =
            run(sql::Id::explain_courses,
                {sql::int_array_literal({cohort_ids.begin(), cohort_ids.end()}), std::to_string(user_id)},
                "find the courses enrolling these cohorts");
        const int c_cohort = courses.column("cohortid");
        const int c_course = courses.column("courseid");
        const int c_shortname = courses.column("shortname");
        const int c_instance = courses.column("instance_status");
        const int c_enrolment = courses.column("enrolment_status");
        const int c_grades = courses.column("has_grades");
        const int c_cohort_idnumber = courses.column("cohort_idnumber");
        for (int row = 0; row < courses.rows(); ++row) {
            ExplainCourse course;
            course.cohort_id = number_at<std::int64_t>(courses, row, c_cohort, statement, "enrol.customint1");
            course.course_id = number_at<std::int64_t>(courses, row, c_course, statement, "enrol.courseid");
            course.shortname = courses.text(row, c_shortname);
            course.instance_enabled =
                number_at<int>(courses, row, c_instance, statement, "enrol.status") == 0;
            if (!courses.is_null(row, c_enrolment)) {
                course.enrolment_status =
                    number_at<int>(courses, row, c_enrolment, statement, "user_enrolments.status");
            }
            course.has_grades = courses.text(row, c_grades) == "t";
            course.cohort_idnumber = courses.text(row, c_cohort_idnumber);
            view.courses.push_back(std::move(course));
        }
    }
    return view;
}

} // namespace cohort_sync
