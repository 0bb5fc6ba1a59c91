// Small builders for the values the core takes, so that tests read as the situation they
// describe ("a student in L1INFO") rather than as struct plumbing.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"
#include "cohort_sync/plan.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace cohort_sync::testing {

inline DirectoryEntry student(std::string login, std::string number,
                              std::initializer_list<std::string> etapes = {}) {
    DirectoryEntry entry;
    entry.dn = "uid=" + login + ",ou=people,dc=univ-test,dc=fr";
    entry.login = std::move(login);
    entry.student_number = std::move(number);
    entry.etape_values = etapes;
    entry.first_name = "First";
    entry.last_name = "Last";
    return entry;
}

inline Inscription inscription(std::string number, std::string etape, int line, int year = 2026,
                               std::string status = "E", std::string label = "") {
    Inscription row;
    row.year = year;
    row.student_number = std::move(number);
    row.etape = std::move(etape);
    row.version = "1";
    row.status = std::move(status);
    row.label = std::move(label);
    row.line = line;
    return row;
}

inline Config test_config(MembershipRule rule = MembershipRule::both) {
    Config config;
    config.source_path = "test.json";
    config.membership.rule = rule;
    config.ldap.institution_uai = "0141408E";
    return config;
}

inline MoodleUser user(std::int64_t id, std::string username, std::string idnumber = "",
                       bool deleted = false) {
    return {id, std::move(username), std::move(idnumber), false, deleted};
}

// Gives a member of a desired state made by hand these reasons, as the merge keeps them: appended
// to Desired::reasons, a directory reason's DN as the student's.
inline void give_reasons(Desired& desired, DesiredMember& member, const std::vector<Reason>& why) {
    member.first_reason = static_cast<std::uint32_t>(desired.reasons.size());
    member.reason_count = static_cast<std::uint32_t>(why.size());
    for (const auto& reason : why) {
        auto source = std::find(desired.reason_sources.begin(), desired.reason_sources.end(), reason.source);
        if (source == desired.reason_sources.end()) {
            source = desired.reason_sources.insert(source, reason.source);
        }
        desired.reasons.push_back({static_cast<int>(source - desired.reason_sources.begin()), reason.line});
        if (reason.source == k_directory_reason) {
            desired.students.at(static_cast<std::size_t>(member.student)).dn = reason.dn;
        }
    }
}

// Element UE12's cohort in a plan, "Droit constitutionnel", adding `adds`.
inline CohortPlan element_ue12_plan(int desired_size, std::vector<PlannedMember> adds) {
    CohortPlan element;
    element.kind = "element";
    element.etape = "UE12";
    element.idnumber = "element-UE12";
    element.name = "UE12: Droit constitutionnel";
    element.desired_size = desired_size;
    element.adds = std::move(adds);
    return element;
}

} // namespace cohort_sync::testing
