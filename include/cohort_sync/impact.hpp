// What a plan will do to courses once Moodle's enrol_cohort task runs: the course enrolments it
// will add, remove or suspend, and how many of the students losing an enrolment have grades
// there. Removal under the default unenrol action deletes those grades with the last enrolment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cohort_sync {

// enrol_cohort/unenrolaction (lib/enrollib.php's ENROL_EXT_REMOVED_* constants).
enum class UnenrolAction { unenrol = 0, keep = 1, suspend = 2, suspend_no_roles = 3 };

const char* describe(UnenrolAction action);

struct CourseChange {
    std::int64_t course_id = 0;
    std::string shortname;
    int enrolments_added = 0;    // new or unsuspended
    int enrolments_removed = 0;  // removed, or suspended with a suspend action
    int removed_with_grades = 0; // of those, students with grades in the course
};

struct CourseImpact {
    UnenrolAction unenrol_action = UnenrolAction::unenrol;
    bool cohort_enrol_enabled = true; // 'cohort' in enrol_plugins_enabled
    int enrolments_added = 0;
    int enrolments_removed = 0;
    int graded_students_removed = 0;   // distinct students losing an enrolment where they have grades
    std::vector<CourseChange> courses; // sorted by course id

    bool deletes_data() const { return unenrol_action == UnenrolAction::unenrol; }
};

// "courses: +N enrolments, -M in K course(s)..." plus one line per course when `verbose`, and the
// warning when grades are at stake.
std::string render_impact(const CourseImpact& impact, bool verbose);

} // namespace cohort_sync
