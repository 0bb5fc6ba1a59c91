#include "cohort_sync/impact.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cohort_sync {
namespace {

// "a, b, c" and, past the listed names, "and N more".
std::string names(const std::vector<std::string>& listed, int total) {
    std::string out = fmt::format("{}", fmt::join(listed, ", "));
    if (total > static_cast<int>(listed.size())) {
        out += fmt::format(" and {} more", total - static_cast<int>(listed.size()));
    }
    return out;
}

std::string render_group(const GroupChange& group) {
    std::string out = fmt::format("    group {} (id {}): {} joining, {} leaving", group.name, group.group_id,
                                  group.joining, group.leaving);
    if (group.joining > 0) {
        out += "; joining: " + names(group.students_joining, group.joining);
    }
    if (group.leaving > 0) {
        out += "; leaving: " + names(group.students_leaving, group.leaving);
    }
    return out + "\n";
}

} // namespace

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
    std::size_t groups = 0;
    for (const auto& course : impact.courses) {
        groups += course.groups.size();
    }
    if (groups > 0) {
        out += fmt::format("course groups (\"Ajouter au groupe\"): {} student(s) join and {} leave {} "
                           "group(s)\n",
                           impact.group_joins, impact.group_leaves, groups);
    }
    if (!impact.groups_previewed) {
        out += "  note: course groups were not previewed: cohort-sync's database role may not read "
               "mdl_groups and mdl_groups_members (docs/security.md)\n";
    }
    if (verbose) {
        for (const auto& course : impact.courses) {
            out += fmt::format("  course {:<6} {:<24} +{:<5} -{:<5} {} with grades\n", course.course_id,
                               course.shortname, course.enrolments_added, course.enrolments_removed,
                               course.removed_with_grades);
            for (const auto& group : course.groups) {
                out += render_group(group);
            }
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
