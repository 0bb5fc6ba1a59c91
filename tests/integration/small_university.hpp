// The university of the fault and doubt tests: N students spread over three étapes, each in
// LDAP, in Moodle and in the export. Loading thousands of entries takes seconds, so the directory
// is shared by the tests of one binary (use_directory) rather than reset per test.
#pragma once

#include "e2e_support.hpp"
#include "servers.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace cohort_sync::e2e {

inline constexpr const char* k_uai = "{UAI:0751717J}";

inline const std::vector<std::pair<std::string, std::string>> k_etapes = {
    {"L1INFO", "Licence 1 Informatique"},
    {"L2MATH", "Licence 2 Mathématiques"},
    {"M1GEO", "Master 1 Géographie"}};
struct Student {
    std::string login;
    std::string number;
    std::string etape;
};

inline std::vector<Student> make_students(int count) {
    std::vector<Student> students;
    for (int i = 1; i <= count; ++i) {
        const std::string number = std::to_string(22700000 + i);
        students.push_back(
            {"etu" + number, number, k_etapes[static_cast<std::size_t>(i) % k_etapes.size()].first});
    }
    return students;
}

inline std::string label_of(const std::string& etape) {
    for (const auto& [code, label] : k_etapes) {
        if (code == etape) {
            return label;
        }
    }
    return etape;
}

inline std::vector<ExportRow> export_rows(const std::vector<Student>& students) {
    std::vector<ExportRow> rows;
    for (const auto& student : students) {
        rows.push_back({student.number, student.etape, label_of(student.etape)});
    }
    return rows;
}

inline cst::Rows expected_members(const std::vector<Student>& students) {
    cst::Rows rows;
    for (const auto& student : students) {
        rows.push_back({"etape-" + student.etape, student.login});
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

inline cst::Rows members() {
    return cst::servers().query(
        "SELECT c.idnumber, u.username FROM mdl_cohort_members m JOIN mdl_cohort c ON c.id = m.cohortid"
        " JOIN mdl_user u ON u.id = m.userid WHERE c.component = 'local_cohortsync'"
        " ORDER BY c.idnumber COLLATE \"C\", u.username COLLATE \"C\"");
}

// Moodle accounts for the students, in one statement (one connection per account, as
// add_moodle_users() does, takes seconds for thousands).
inline void add_accounts(const std::vector<Student>& students) {
    for (std::size_t first = 0; first < students.size(); first += 1000) {
        std::string values;
        for (std::size_t i = first; i < std::min(students.size(), first + 1000); ++i) {
            values += (values.empty() ? "" : ", ") + std::string("('cas', 1, 1, ") +
                      sql_literal(students[i].login) + ", " + sql_literal(students[i].number) +
                      ", 'Camille', 'Étudiant', " + sql_literal(students[i].login + "@univ-test.fr") +
                      ", 1700000000, 1700000000)";
        }
        cst::servers().psql(
            "INSERT INTO mdl_user (auth, confirmed, mnethostid, username, idnumber, firstname,"
            " lastname, email, timecreated, timemodified) VALUES " +
            values);
    }
}

// The students' directory entries, each with its étape under the institution's UAI.
inline std::string directory_ldif(const std::vector<Student>& students) {
    std::string ldif;
    for (const auto& student : students) {
        ldif += cst::make_student_ldif(student.login, student.number, {std::string(k_uai) + student.etape});
    }
    return ldif;
}

// The students LDAP holds now, shared by the tests of this binary: loading 3,000 entries takes
// seconds, so a test that needs the same directory as the previous one keeps it.
inline int g_directory_students = -1;

inline void use_directory(int count) {
    if (g_directory_students == count) {
        return;
    }
    cst::servers().reset_ldap_people();
    g_directory_students = -1;
    cst::servers().ldap_add_ldif(directory_ldif(make_students(count)));
    g_directory_students = count;
}

// A test that adds its own entries leaves the directory in an unknown state.
inline void forget_directory() {
    g_directory_students = -1;
}

// These students added to the directory, and to Moodle with an account each.
inline void add_students(const std::vector<Student>& students) {
    cst::servers().ldap_add_ldif(directory_ldif(students));
    forget_directory();
    add_accounts(students);
}

} // namespace cohort_sync::e2e
