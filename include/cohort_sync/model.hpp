// The values the pipeline passes along: what the sources say (desired state) and what Moodle
// holds (current state). Plain structs, no behaviour.
#pragma once

#include "cohort_sync/issue.hpp"
#include "cohort_sync/text_pool.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

// ---- Sources -------------------------------------------------------------------------------

// One LDAP entry selected by the configured filter, with the configured attributes mapped.
struct DirectoryEntry {
    std::string dn;
    std::string login; // as in LDAP; compared lower-cased
    std::string student_number;
    std::vector<std::string> etape_values; // raw supannEtuEtape values
    std::string first_name;
    std::string last_name;
    std::string mail;
};

struct DirectoryRead {
    std::vector<DirectoryEntry> entries;
    std::string uri; // the server that answered (redacted form)
    int pages = 0;
    Issues issues; // entries with no login, duplicates...
};

// One data row of the APOGÉE export (any status, any year: selection is the core's job).
struct Inscription {
    int year = 0;               // COD_ANU: first year of the academic year
    std::string student_number; // COD_ETU
    std::string etape;          // COD_ETP, trimmed
    std::string version;        // COD_VRS_VET, trimmed
    std::string status;         // ETA_IAE
    std::string label;          // LIB_ETP, UTF-8
    int line = 0;               // 1-based physical line in the file
};

struct ExportRead {
    std::string path;
    std::vector<Inscription> rows; // every well-formed row
    int data_lines = 0;            // data lines seen (good + bad)
    Issues issues;                 // bad rows: locator "file:line"
    // The text is not all in the configured encoding (mixed, or another one): labels may read
    // "Ã©" where "é" was meant, so they rename no cohort.
    bool labels_in_doubt = false;
};

// One data row of APOGÉE's pedagogical contracts extract (IND_CONTRAT_ELP): a student follows
// an element of an étape in a year. Any year, carried over or not: selection is the core's job.
struct ContractRow {
    int year = 0;                    // COD_ANU
    std::string_view student_number; // COD_ETU
    std::string_view etape;          // COD_ETP, trimmed, upper-cased
    std::string_view version;        // COD_VRS_VET, trimmed
    std::string_view element;        // COD_ELP, trimmed, upper-cased
    std::string_view label;          // LIB_ELP, UTF-8
    std::string_view nature;         // COD_NEL, trimmed, upper-cased
    bool carried_over = false;       // TEM_PRC_ICE = 'O': carried over ("capitalisé") from an earlier year
    int line = 0;
};

// One data row of the group assignments extract (IND_AFFECTE_GPE with GROUPE and GPE_OBJ): a
// student sits in a group of an element in a year.
struct GroupRow {
    int year = 0;                    // COD_ANU
    std::string_view student_number; // COD_ETU
    std::string_view element;        // COD_ELP, trimmed, upper-cased
    std::string_view group;          // COD_EXT_GPE, trimmed, upper-cased
    std::string_view label;          // LIB_GPE, UTF-8
    std::string_view type;           // COD_TGR, trimmed, upper-cased
    int line = 0;
};

// One pedagogical extract as read: the contracts or the group assignments (the other list is
// empty). The rows' texts are views into `texts`, which copies of the read share: whoever makes
// rows for it (a parser, a test) interns their texts there.
struct PedagogyRead {
    std::string path;
    std::shared_ptr<TextPool> texts = std::make_shared<TextPool>();
    std::vector<ContractRow> contracts;
    std::vector<GroupRow> groups;
    int data_lines = 0; // data lines seen (good + bad)
    Issues issues;      // bad rows: locator "file:line"
    bool labels_in_doubt = false;
};

// An étape reference as found in supannEtuEtape or built from the export.
struct EtapeRef {
    std::string code;    // upper-cased, trimmed: APOGÉE compares codes that way
    std::string version; // empty when unknown

    friend auto operator<=>(const EtapeRef&, const EtapeRef&) = default;
};

// ---- Desired state (the sources merged by the membership rule) ------------------------------

// Why a student is in a cohort: which source said so, and where. Kept as numbers and a DN rather
// than formatted text: a university has hundreds of thousands of them, and only `explain` and
// the report read them.
struct Reason {
    std::string source; // the source kind's name: "export", "pegase" or "directory"
    int line = 0;       // the export's line or the DRE query's row, for an inscription source
    std::string dn;     // the directory entry, for source "directory"

    friend auto operator<=>(const Reason&, const Reason&) = default;
};

// A student the sources place in at least one cohort. Held once in Desired::students, however
// many cohorts the student belongs to: a university has 2 to 3 memberships per student.
struct DesiredStudent {
    std::string student_number; // may be empty with rule "directory"
    std::string login;          // lower-cased; empty when not in LDAP
    std::string first_name;
    std::string last_name;
    std::string mail;
    std::string dn = {}; // the directory entry, when one of the student's reasons is it
};

// A member's reason as the desired state keeps it: with element and group cohorts a university
// has two million members, and only the plan's additions and `explain` read their reasons, so
// each is two numbers in one array rather than a Reason in a vector of its own.
struct MemberReason {
    int source = 0; // index in Desired::reason_sources
    int line = 0;   // the record's line or row; 0 for the directory, whose entry is the student's

    friend auto operator<=>(const MemberReason&, const MemberReason&) = default;
};

struct DesiredMember {
    int student = 0;                // index in Desired::students
    std::uint32_t first_reason = 0; // its reasons are Desired::reasons[first_reason, + reason_count)
    std::uint32_t reason_count = 0;
};

struct DesiredCohort {
    std::string kind = "etape"; // its CohortKind's name (cohort_kind.hpp)
    // The cohort's key in its kind: the étape code for an étape cohort (the field is named for
    // the first kind), the element code for an element's.
    std::string etape;
    std::string idnumber; // from membership.idnumber_template
    std::string name;     // from membership.name_template
    std::string description;
    std::string label;
    std::vector<DesiredMember> members; // sorted by student (so by student number, then login)
};

struct Disagreement {
    std::string student_number;
    std::string login;
    std::string etape;
    std::string only_in; // "export" or "directory"
    std::string locator;
};

struct CrossCheck {
    int students_compared = 0; // students both sources speak about
    int only_in_export = 0;
    int only_in_directory = 0;
    std::vector<Disagreement> examples; // a bounded sample for the log; all in the report
    std::vector<Disagreement> all;
};

// Counts that the guards compare from one run to the next.
struct SourceCounts {
    // Per source, under its kind's count key ("directory_entries", "export_inscriptions"): what
    // it gave after selection. Every registered source kind has its key, 0 when not read.
    std::map<std::string, int> records;
    int students = 0;                     // distinct students in the desired state
    std::map<std::string, int> per_etape; // desired members per étape code
    // Desired members per key of each other cohort kind ("element" -> "UE12" -> 31); empty when
    // only étape cohorts are made, so that such runs count as they always did.
    std::map<std::string, std::map<std::string, int>> per_kind = {};

    // The members per key of cohort kind `kind`.
    const std::map<std::string, int>& per_key(std::string_view kind) const {
        static const std::map<std::string, int> k_none;
        if (kind == "etape") {
            return per_etape;
        }
        const auto it = per_kind.find(std::string(kind));
        return it == per_kind.end() ? k_none : it->second;
    }

    int records_of(const std::string& count_key) const {
        const auto it = records.find(count_key);
        return it == records.end() ? 0 : it->second;
    }

    friend bool operator==(const SourceCounts&, const SourceCounts&) = default;
};

// A removal tonight's sources cannot be trusted to ask for: a record they left out (a bad export
// row, a directory entry that cannot be matched) may have named the student. What it holds is the
// first of: the student (by number or login), every member of the étape's cohorts, or, when the
// record names neither, every removal of the night. Additions go ahead.
struct Hold {
    std::string student_number;
    std::string login; // lower-cased
    std::string etape;
    Reason defect;            // where: the export's line, the directory entry's DN
    std::string message;      // the defect, as its issue says it
    std::string element = {}; // a pedagogical record's element: holds its element and group cohorts

    bool holds_everything() const {
        return student_number.empty() && login.empty() && etape.empty() && element.empty();
    }
};

// The name of the reasons the directory gives (Reason::source); their DN is the student's entry.
inline constexpr std::string_view k_directory_reason = "directory";

struct Desired {
    std::vector<DesiredStudent> students;    // sorted by student_number, then login
    std::vector<DesiredCohort> cohorts;      // sorted by idnumber
    std::vector<MemberReason> reasons;       // every member's, each member's together
    std::vector<std::string> reason_sources; // the source kinds' names the reasons refer to
    CrossCheck cross_check;
    SourceCounts counts;
    Issues issues;
    std::vector<Hold> holds; // in the sources' order
    // Per cohort kind, by index in students: how many of its cohorts each student is in, for the
    // implausible-input guard. The étape kind is always there.
    std::map<std::string, std::vector<int>> cohorts_per_student;
    // An inscription source's text is in doubt (mixed encodings, bytes replaced): its labels
    // rename no existing cohort. A new cohort still takes them, as it needs a name; the next
    // clean night renames it.
    bool labels_in_doubt = false;

    // A member's reasons, sorted, as the plan and `explain` show them.
    std::vector<Reason> reasons_of(const DesiredMember& member) const;
};

// ---- Current state (Moodle) ----------------------------------------------------------------

struct MoodleUser {
    std::int64_t id = 0;
    std::string username;
    std::string idnumber;
    bool suspended = false;
    bool deleted = false;
};

struct ManagedCohort {
    std::int64_t id = 0;
    std::string idnumber;
    std::string name;
    std::string description;
    std::int64_t context_id = 0;
    std::vector<std::int64_t> members; // user ids, sorted
    // The idnumber cohort-sync gave the cohort, as its own table (the state schema's `cohorts`)
    // records it: the cohort's key. It differs from `idnumber` when a site manager edited the
    // idnumber in Moodle; empty for a cohort not recorded yet (made before that table existed).
    std::optional<std::string> recorded_idnumber = std::nullopt;

    // The key the cohort answers to: the recorded one, else Moodle's idnumber.
    const std::string& key() const { return recorded_idnumber ? *recorded_idnumber : idnumber; }
    bool idnumber_edited() const { return recorded_idnumber && *recorded_idnumber != idnumber; }
};

// A cohort cohort-sync recorded as its own that is no longer among the managed cohorts: deleted
// in Moodle (or its component changed).
struct GoneCohort {
    std::int64_t id = 0;
    std::string idnumber; // the key cohort-sync had given it

    friend auto operator<=>(const GoneCohort&, const GoneCohort&) = default;
};

// A cohort that is not ours (manual or another plugin's) but whose idnumber we might want.
struct ForeignCohort {
    std::int64_t id = 0;
    std::string idnumber;
    std::string component; // empty: created by hand
};

// A member that was absent from the sources in earlier runs but not yet removed (grace).
struct PendingRemoval {
    std::int64_t cohort_id = 0;
    std::int64_t user_id = 0;
    int absent_runs = 0;

    friend auto operator<=>(const PendingRemoval&, const PendingRemoval&) = default;
};

struct Current {
    std::vector<MoodleUser> users;            // local users (mnethostid = site), deleted included
    std::vector<ManagedCohort> cohorts;       // component = our marker, sorted by idnumber
    std::vector<GoneCohort> gone;             // recorded but no longer managed, sorted by idnumber
    std::vector<ForeignCohort> foreign;       // not ours, with a non-empty idnumber
    std::vector<PendingRemoval> pending;      // grace-period state
    std::optional<SourceCounts> last_success; // counts of the last applied run
    std::int64_t mnet_localhost_id = 1;
    std::string moodle_release;            // mdl_config 'release', e.g. "4.5.6 (Build: 20250811)"
    std::string moodle_version;            // mdl_config 'version', e.g. "2024100706.00"
    std::vector<std::string> auth_plugins; // usable_auth_plugins(): what accounts may be created with
};

} // namespace cohort_sync
