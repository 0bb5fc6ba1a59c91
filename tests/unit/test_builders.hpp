// Small builders for the values the core takes, so that tests read as the situation they
// describe ("a student in L1INFO") rather than as struct plumbing.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"

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

} // namespace cohort_sync::testing
