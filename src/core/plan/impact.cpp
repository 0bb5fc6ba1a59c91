#include "cohort_sync/impact.hpp"

#include <fmt/format.h>

namespace cohort_sync {

const char* describe(UnenrolAction action) {
    switch (action) {
    case UnenrolAction::unenrol:
        return "unenrol (grades are deleted with a student's last enrolment in a course)";
    case UnenrolAction::keep:
        return "keep (which enrol_cohort's sync treats as suspend and remove the roles)";
    case UnenrolAction::suspend:
        return "suspend the enrolment, keep the roles";
    case UnenrolAction::suspend_no_roles:
        return "suspend the enrolment and remove the roles";
    }
    return "unknown";
}

std::string render_impact(const CourseImpact& impact, bool verbose) {
    const char* removed = impact.deletes_data() ? "removed" : "suspended";
    std::string out =
        fmt::format("courses: {} enrolment(s) added, {} {} in {} course(s); enrol_cohort's unenrol "
                    "action: {}\n",
                    impact.enrolments_added, impact.enrolments_removed, removed, impact.courses.size(),
                    describe(impact.unenrol_action));
    if (!impact.cohort_enrol_enabled) {
        out += "  note: the 'cohort' enrolment plugin is disabled in Moodle: no course follows cohorts until "
               "it is "
               "enabled\n";
    }
    if (verbose) {
        for (const auto& course : impact.courses) {
            out += fmt::format("  course {:<6} {:<24} +{:<5} -{:<5} {} with grades\n", course.course_id,
                               course.shortname, course.enrolments_added, course.enrolments_removed,
                               course.removed_with_grades);
        }
    }
    if (impact.deletes_data() && impact.enrolments_removed > 0) {
        out += fmt::format(
            "WARNING: {} student(s) to be removed have grades in the affected courses, and the unenrol "
            "action deletes them with a student's last enrolment in a course; set enrol_cohort's "
            "'External unenrol action' to suspend if that is not wanted\n",
            impact.graded_students_removed);
    }
    return out;
}

} // namespace cohort_sync
