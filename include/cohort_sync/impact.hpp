// What a plan will do to courses once Moodle's enrol_cohort task runs: the course enrolments it
// will add, remove or suspend, and how many of the students losing an enrolment have grades
// there. Removal under the default unenrol action deletes those grades with the last enrolment.
// Also which students join or leave a course group, for instances with "Ajouter au groupe"
// (mdl_enrol.customint2): enrol_cohort puts its members in that group and, when it unenrols
// them, takes them out of it; a suspended enrolment keeps its group membership.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cohort_sync {

// enrol_cohort/unenrolaction (lib/enrollib.php's ENROL_EXT_REMOVED_* constants).
enum class UnenrolAction { unenrol = 0, keep = 1, suspend = 2, suspend_no_roles = 3 };

const char* describe(UnenrolAction action);

// How many names a group change lists per direction; the counts are always complete.
inline constexpr std::size_t k_group_students_listed = 20;

// One course group filled by cohort enrolment instances: the students the next cohort sync
// puts in it and takes out of it.
struct GroupChange {
    std::int64_t group_id = 0;
    std::string name;
    int joining = 0;
    int leaving = 0;
    std::vector<std::string> students_joining; // usernames, sorted, at most k_group_students_listed
    std::vector<std::string> students_leaving; // likewise

    friend bool operator==(const GroupChange&, const GroupChange&) = default;
};

struct CourseChange {
    std::int64_t course_id = 0;
    std::string shortname;
    int enrolments_added = 0;        // new or unsuspended
    int enrolments_removed = 0;      // removed, or suspended with a suspend action
    int removed_with_grades = 0;     // of those, students with grades in the course
    std::vector<GroupChange> groups; // sorted by group name, then id
};

struct CourseImpact {
    UnenrolAction unenrol_action = UnenrolAction::unenrol;
    bool cohort_enrol_enabled = true; // 'cohort' in enrol_plugins_enabled
    bool groups_previewed = true;     // false: no SELECT on mdl_groups / mdl_groups_members
    int enrolments_added = 0;
    int enrolments_removed = 0;
    int graded_students_removed = 0; // distinct students losing an enrolment where they have grades
    int group_joins = 0;             // (student, course group) pairs, over every course
    int group_leaves = 0;
    std::vector<CourseChange> courses; // sorted by course id

    bool deletes_data() const { return unenrol_action == UnenrolAction::unenrol; }
};

// "courses: +N enrolments, -M in K course(s)..." plus one line per course when `verbose`, and the
// warning when grades are at stake.
std::string render_impact(const CourseImpact& impact, bool verbose);

} // namespace cohort_sync
