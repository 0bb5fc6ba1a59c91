// The synthetic university as state: who is enrolled where, who is in LDAP and how their
// entry spells étapes, who has a Moodle account. The writers turn it into files; the churn
// turns night K into night K+1.
#pragma once

#include "catalogue.hpp"
#include "options.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cohort_sync::generator {

// How a student's entry spells supannEtuEtape values.
enum class EtapeForm : std::uint8_t {
    uai,          // {UAI:0141408E}L1INFO, the SupAnn recommendation
    bare,         // L1INFO, from directories fed before the UAI prefix existed
    code_version, // L1INFO-101, code and version
};

enum class Account : std::uint8_t {
    none,
    active,
    deleted_kept,           // deleted=1, username and idnumber left as they were
    deleted_renamed,        // deleted=1, renamed the way Moodle's delete_user() does it
    deleted_renamed_active, // the renamed deleted account, and a newer active one
};

// One inscription (IAE) of a student to an étape, and how the export shows it.
struct Enrolment {
    std::uint32_t etape = 0;
    std::uint8_t version = 0;    // index in the étape's versions
    std::int8_t year_offset = 0; // 0: --year; -1: the year before
    char status = 'E';           // ETA_IAE: E enrolled, A cancelled, R terminated
    char first_occurrence = 0;   // 0: one row; else the status of a NUM_OCC_IAE 1 row before it
    bool duplicated = false;     // its last row is written twice
    bool padded = false;         // COD_ETP padded with trailing blanks
    bool removed = false;        // dropped from the export by the churn (erased at night's end)
};

struct Student {
    std::uint32_t number = 0; // COD_ETU, supannEtuId, Moodle idnumber: 8 digits
    std::uint16_t given = 0;  // index in given_names()
    std::uint16_t family = 0; // index in family_names()
    std::string login;        // uid and Moodle username
    std::string mail;
    bool in_directory = true; // false: only the export knows this student
    EtapeForm form = EtapeForm::uai;
    std::int32_t directory_only_etape = -1; // an étape LDAP lists and the export does not
    std::int32_t foreign_etape = -1;        // a code LDAP lists under another institution's UAI
    Account account = Account::none;
    std::int64_t account_created = 0;
    std::int64_t account_modified = 0;
    std::int64_t account_deleted = 0;
    std::vector<Enrolment> enrolments;
};

struct Staff {
    std::uint16_t given = 0;
    std::uint16_t family = 0;
    std::string login;
    std::string mail;
    bool faculty = false; // teaching staff: eduPersonAffiliation faculty
    std::uint32_t employee_number = 0;
    bool has_account = false;
};

struct University {
    explicit University(const Options& options);

    Catalogue catalogue;
    std::vector<Student> students; // sorted by number
    std::vector<Staff> staff;
    std::uint32_t next_number = 0;
    std::unordered_set<std::string> logins;
    std::unordered_map<std::string, int> mail_names;
    std::string mail_domain;     // from the base DN's dc= parts
    std::int64_t year_start = 0; // 1 September of --year, Unix seconds (UTC)
};

// The university of night 0.
University generate_university(const Options& options);

// One night of churn: about 2% of the active students withdraw, change étape or arrive. The
// night's draws come from its own stream (seed, night), so the nights before it do not shift
// them: night K is night K-1 plus a churn of its own.
void apply_night(University& university, const Options& options, int night);

// Étapes (indices) the student is actively enrolled in for --year: the export shows an 'E'
// row for them, and LDAP lists them. Sorted, unique.
std::vector<std::uint32_t> active_etapes(const Student& student);

} // namespace cohort_sync::generator
