// Writes the university's files: people.ldif, apogee.csv, the pedagogical extracts
// (apogee-contracts.csv, apogee-groups.csv), moodle-users.copy (and its column list) and summary.json. Each
// file is written under a temporary name and renamed when complete, so a script never reads half a file.
#pragma once

#include "options.hpp"
#include "pedagogy.hpp"
#include "university.hpp"

#include <cstdint>
#include <filesystem>

namespace cohort_sync::generator {

struct DirectoryCounts {
    std::int64_t entries = 0;          // every entry in people.ldif
    std::int64_t student_entries = 0;  // eduPersonAffiliation: student
    std::int64_t alum_entries = 0;     // former students (withdrew): supannEtuId, no student
    std::int64_t staff_entries = 0;    // staff and faculty: no supannEtuId
    std::int64_t students_missing = 0; // students with an active inscription and no entry
    std::int64_t etape_values = 0;     // supannEtuEtape values written
    std::int64_t bare_code_entries = 0;
    std::int64_t code_version_entries = 0;
    std::int64_t foreign_etape_values = 0;  // {UAI:<another>}..., to be ignored
    std::int64_t directory_only_values = 0; // étapes the export does not have for the student
    std::int64_t base64_values = 0;
};

struct ExportCounts {
    std::int64_t rows = 0;
    std::int64_t active_inscriptions = 0; // distinct (COD_ETU, COD_ETP), COD_ANU = year, ETA_IAE E
    std::int64_t students_active = 0;     // students with one of those at least
    std::int64_t etapes_active = 0;       // étapes with one of those at least
    std::int64_t cancelled_rows = 0;      // ETA_IAE A or R, this year
    std::int64_t previous_year_rows = 0;
    std::int64_t duplicate_rows = 0;         // exact copies of the row before
    std::int64_t second_occurrence_rows = 0; // NUM_OCC_IAE 2 rows
    std::int64_t padded_codes = 0;
    std::int64_t quoted_labels = 0;
};

struct MoodleCounts {
    std::int64_t rows = 0;
    std::int64_t student_accounts = 0; // deleted = 0, idnumber = student number
    std::int64_t deleted_accounts = 0;
    std::int64_t deleted_renamed = 0; // of which renamed as Moodle does (no idnumber)
    std::int64_t staff_accounts = 0;  // deleted = 0, empty idnumber
};

// (student number, étape code) pairs, the unit cohort membership is made of.
struct PairCounts {
    std::int64_t export_active = 0;
    std::int64_t export_active_with_student_entry = 0; // rule "both": the student is in LDAP
    std::int64_t directory = 0;                        // accepted supannEtuEtape values
    std::int64_t union_ = 0;                           // export_active or directory
    std::int64_t only_in_export = 0;                   // cross-check, students in both sources
    std::int64_t only_in_directory = 0;
};

struct Summary {
    DirectoryCounts directory;
    ExportCounts apogee;
    PedagogyCounts pedagogy;
    MoodleCounts moodle;
    PairCounts pairs;
};

// Writes every file into `folder` (created when missing). Throws std::runtime_error naming
// the file and the cause when one cannot be written.
Summary write_university(const University& university, const Options& options,
                         const std::filesystem::path& folder);

// The column list of moodle-users.copy, as written to moodle-users.columns.
inline constexpr const char* k_moodle_columns = "auth, confirmed, mnethostid, username, idnumber, firstname, "
                                                "lastname, email, timecreated, timemodified, deleted";

} // namespace cohort_sync::generator
