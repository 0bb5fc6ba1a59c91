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
    for (int row = 0; row < settings.rows(); ++row) {
        if (settings.text(row, 0) == "mnet_localhost_id") {
            view.mnet_localhost_id = parse_id(settings.text(row, 1)).value_or(1);
        }
    }

    const auto& users_statement = statements[sql::Id::explain_users];
    const auto users =
        run(sql::Id::explain_users, {login, student_number, std::to_string(view.mnet_localhost_id)},
            "find the student's Moodle accounts");
    for (int row = 0; row < users.rows(); ++row) {
        view.accounts.push_back({number_at<std::int64_t>(users, row, 0, users_statement, "user.id"),
                                 std::string(users.text(row, 1)), std::string(users.text(row, 2)),
                                 std::string(users.text(row, 5)),
                                 number_at<int>(users, row, 3, users_statement, "user.suspended") != 0,
                                 number_at<int>(users, row, 4, users_statement, "user.deleted") != 0});
    }

    std::set<std::int64_t> cohort_ids;
    if (user_id != 0) {
        const auto& statement = statements[sql::Id::explain_memberships];
        const auto members =
            run(sql::Id::explain_memberships, {std::to_string(user_id)}, "read the student's cohorts");
        for (int row = 0; row < members.rows(); ++row) {
            view.memberships.push_back({number_at<std::int64_t>(members, row, 0, statement, "cohort.id"),
                                        std::string(members.text(row, 1)), std::string(members.text(row, 2)),
                                        std::string(members.text(row, 3)),
                                        number_at<long long>(members, row, 4, statement, "timeadded")});
            cohort_ids.insert(view.memberships.back().cohort_id);
        }
    }
    if (!idnumbers.empty()) {
        std::vector<std::string_view> names(idnumbers.begin(), idnumbers.end());
        const auto& statement = statements[sql::Id::explain_cohorts];
        const auto cohorts = run(sql::Id::explain_cohorts, {config.component, sql::text_array_literal(names)},
                                 "find the student's target cohorts");
        for (int row = 0; row < cohorts.rows(); ++row) {
            view.cohorts.push_back({number_at<std::int64_t>(cohorts, row, 0, statement, "cohort.id"),
                                    std::string(cohorts.text(row, 1)), std::string(cohorts.text(row, 2))});
            cohort_ids.insert(view.cohorts.back().id);
        }
    }
    if (!cohort_ids.empty() || user_id != 0) {
        const auto& statement = statements[sql::Id::explain_courses];
        const auto courses =
            run(sql::Id::explain_courses,
                {sql::int_array_literal({cohort_ids.begin(), cohort_ids.end()}), std::to_string(user_id)},
                "find the courses enrolling these cohorts");
        for (int row = 0; row < courses.rows(); ++row) {
            ExplainCourse course;
            course.cohort_id = number_at<std::int64_t>(courses, row, 0, statement, "enrol.customint1");
            course.course_id = number_at<std::int64_t>(courses, row, 1, statement, "enrol.courseid");
            course.shortname = courses.text(row, 2);
            course.instance_enabled = number_at<int>(courses, row, 3, statement, "enrol.status") == 0;
            if (!courses.is_null(row, 4)) {
                course.enrolment_status =
                    number_at<int>(courses, row, 4, statement, "user_enrolments.status");
            }
            course.has_grades = courses.text(row, 5) == "t";
            course.cohort_idnumber = courses.text(row, 6);
            view.courses.push_back(std::move(course));
        }
    }
    return view;
}

} // namespace cohort_sync
