// cohort-sync's configuration as plain values. parse_config() fills these from one JSON file
// and validates everything at load, reporting every problem at once; the rest of the program
// never sees raw JSON. docs/configuration.md documents each key; the table that drives the
// parser (src/config/options.cpp) is the single place where a key, its type and default live.
//
// No secret lives here: the LDAP password is read from `ldap.password_file` or from the
// systemd credential `ldap.password_credential`, PostgreSQL uses libpq's own means
// (service file, passfile).
#pragma once

#include "cohort_sync/issue.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

struct LdapAttributes {
    std::string login = "uid";
    std::string student_number = "supannEtuId";
    std::string etapes = "supannEtuEtape";
    std::string first_name = "givenName";
    std::string last_name = "sn";
    std::string mail = "mail";
};

struct LdapConfig {
    std::vector<std::string> uris;   // tried in order (failover)
    bool starttls = true;            // for ldap:// URIs
    std::string ca_file;             // empty: the system's CA store
    bool verify_certificate = true;  // false only with a loud warning at every run
    std::string bind_dn;             // empty: anonymous bind
    std::string password_file;       // file holding the bind password
    std::string password_credential; // name under $CREDENTIALS_DIRECTORY
    std::string base_dn;
    std::string filter = "(eduPersonAffiliation=student)";
    bool paged_results = true; // RFC 2696; turning it off makes a size limit fatal
    int page_size = 500;
    int network_timeout_seconds = 10;
    int timeout_seconds = 120; // per operation (each page)
    LdapAttributes attributes;
    std::string institution_uai; // keep {UAI:<this>} étape values (and bare ones)
};

struct ExportColumns {
    std::string year = "COD_ANU";
    std::string student_number = "COD_ETU";
    std::string etape = "COD_ETP";
    std::string version = "COD_VRS_VET";
    std::string status = "ETA_IAE";
    std::string label = "LIB_ETP"; // empty: no label column
};

enum class Encoding { utf8, iso_8859_1, windows_1252 };

struct MonthDay {
    int month = 9;
    int day = 1;
    friend bool operator==(const MonthDay&, const MonthDay&) = default;
};

struct ExportConfig {
    std::string path; // empty: no export (rule "directory")
    char delimiter = ';';
    char quote = '"';
    Encoding encoding = Encoding::iso_8859_1;
    ExportColumns columns;
    std::vector<std::string> active_statuses = {"E"};
    int max_bad_rows = 10; // past this many bad rows the whole file is refused
    int max_size_mb = 200; // a larger file is not read: it bounds the run's memory
    double max_age_hours = 36;
    int min_rows = 1;
    bool trailer = false;                  // last line "<anything>;<row count>" must match
    MonthDay rollover = {9, 1};            // the active COD_ANU changes on this date
    std::optional<MonthDay> overlap_until; // last year's inscriptions still count until then
};

// APOGÉE's pedagogical extracts (docs/configuration.md, "pedagogy"): the pedagogical
// contracts (IND_CONTRAT_ELP: which elements a student follows) and the group assignments
// (IND_AFFECTE_GPE: which TD/TP group of an element). Read like the administrative export, with
// the same layout settings for both files; each is read only when a cohort kind needs it.
struct ContractColumns {
    std::string year = "COD_ANU";
    std::string student_number = "COD_ETU";
    std::string etape = "COD_ETP";
    std::string version = "COD_VRS_VET";
    std::string element = "COD_ELP";
    std::string label = "LIB_ELP";            // empty: no label column
    std::string nature = "COD_NEL";           // empty: no nature column
    std::string carried_over = "TEM_PRC_ICE"; // 'O': carried over from an earlier year
};

struct GroupColumns {
    std::string year = "COD_ANU";
    std::string student_number = "COD_ETU";
    std::string element = "COD_ELP";
    std::string group = "COD_EXT_GPE";
    std::string label = "LIB_GPE"; // empty: no label column
    std::string type = "COD_TGR";  // empty: no type column
};

struct PedagogyConfig {
    std::string contracts_path; // IND_CONTRAT_ELP's extract
    std::string groups_path;    // IND_AFFECTE_GPE's extract
    char delimiter = ';';
    char quote = '"';
    Encoding encoding = Encoding::iso_8859_1;
    ContractColumns contract_columns;
    GroupColumns group_columns;
    int max_bad_rows = 10;
    int max_size_mb = 400;
    double max_age_hours = 36;
    int min_rows = 1;
    bool trailer = false;
};

// The Pégase DRE (Données Répliquées en Établissement): the PostgreSQL database each Pégase
// university gets, rebuilt from zero every night. Read with one query, whose rows are
// administrative inscriptions (docs/configuration.md, "pegase").
struct PegaseConfig {
    std::string conninfo;   // libpq conninfo or "service=NAME"; empty: no Pégase source
    std::string query_file; // empty: the query shipped for the DRE
    std::vector<std::string> statuses = {"VALIDEE"}; // statut_inscription values that count
    int min_rows = 1;                                // fewer rows from the query: refused
    int max_bad_rows = 10; // rows with a NULL key: each holds its students; more: refused
    int max_age_days = 1;  // public.version's dump date at most this many days old
    int statement_timeout_seconds = 600;
    int retry_tries = 1;              // reads of a DRE that looks mid-rebuild before giving up
    int retry_interval_seconds = 300; // wait between two of them
};

enum class MembershipRule { both, exportonly, directory, union_ };

// The rule as membership.rule spells it ("both", "export", "directory", "union").
std::string_view to_string(MembershipRule rule);

struct MembershipConfig {
    MembershipRule rule = MembershipRule::both;
    std::string idnumber_template = "etape-{etape}";
    std::string name_template = "{etape}: {label}";
    std::string description_template = "Students enrolled in {etape} ({year}), maintained by cohort-sync.";
    std::vector<std::string> etape_patterns; // glob patterns ("DU*", "L?INF"); empty: every étape
};

// Cohorts per teaching element (off by default): the students following an element this year
// (a pedagogical contract row not carried over) whose administrative inscription in its étape
// is active, as the étape rule says.
struct ElementCohortsConfig {
    bool enabled = false;
    std::string idnumber_template = "element-{element}";
    std::string name_template = "{element}: {label}";
    std::string description_template = "Students following {element} ({year}), maintained by cohort-sync.";
    std::vector<std::string> element_patterns; // glob patterns of COD_ELP; empty: every element
    std::vector<std::string> natures;          // COD_NEL values kept; empty: every nature
    std::vector<std::string> etape_patterns;   // glob patterns of the contract's étape; empty: all
};

// Cohorts per TD/TP group of an element (off by default): members of the element's cohort
// assigned to the group this year. Needs the element cohorts.
struct GroupCohortsConfig {
    bool enabled = false;
    std::string idnumber_template = "group-{element}-{group}";
    std::string name_template = "{element} {group}: {label}";
    std::string description_template =
        "Students of group {group} of {element} ({year}), maintained by cohort-sync.";
    std::vector<std::string> types; // COD_TGR values kept; empty: every type
};

enum class MatchBy { username, idnumber };

struct MoodleConfig {
    std::string conninfo; // libpq conninfo or "service=NAME"; no password here
    std::string prefix = "mdl_";
    std::string schema = "public";
    std::string state_schema = "cohort_sync"; // run history and grace-period state
    MatchBy match_by = MatchBy::username;
    std::string component = "local_cohortsync"; // marks the cohorts cohort-sync manages
    std::int64_t context_id = 1;                // system context
    bool visible = true;
    int statement_timeout_seconds = 300;
    int lock_timeout_seconds = 30;
    bool empty_vanished_cohorts = false;          // empty a managed cohort whose étape has nobody left
    int grace_runs = 1;                           // remove a member after this many runs absent
    std::vector<std::string> post_commit_command; // argv, e.g. php enrol/cohort/cli/sync.php
    int post_commit_timeout_seconds = 1800;       // then its process group is ended
    std::string accept_untested_version;          // a Moodle release newer than the tested ones, e.g. "5.3"
};

// Creating the Moodle accounts of students who have none yet (off by default): the account is
// made the way an external-auth user's is, so the student then logs in through CAS/LDAP.
struct ProvisioningConfig {
    bool enabled = false;
    // Moodle auth plugin of the accounts created; no default, since the right one differs per site
    // and CAS left Moodle's core in 5.0: required when provisioning is enabled.
    std::string auth;
};

struct GuardConfig {
    int min_directory_entries = 1;
    int min_export_inscriptions = 1;
    int min_pegase_inscriptions = 1;
    double max_source_shrink_ratio = 0.10; // vs the last successful run, per source
    double max_etape_shrink_ratio = 0.50;  // per étape, for étapes at least min_cohort_size big
    int max_removals = 1000;               // absolute, per run
    double max_cohort_removal_ratio = 0.25;
    int min_cohort_size = 20;              // smaller cohorts are exempt from the ratio guards
    double max_total_removal_ratio = 0.05; // of all managed memberships
    int max_accounts_created = 200;        // provisioning: most accounts created in one run
    // Implausible input: a night that would create more cohorts than both of these (the first
    // run exempt), or put one student in more cohorts than this, is refused.
    int max_cohorts_created = 50;
    double max_cohorts_created_ratio = 0.10; // of the managed cohorts
    int max_cohorts_per_student = 12;
    int min_contract_rows = 1;              // pedagogical contracts that count, at least
    int min_group_rows = 1;                 // group assignments that count, at least
    double max_element_shrink_ratio = 0.50; // per element cohort, as max_etape_shrink_ratio
    double max_group_shrink_ratio = 0.50;   // per group cohort
    int max_elements_per_student = 40;
    int max_groups_per_student = 40;
};

struct ReportConfig {
    std::string directory = "/var/lib/cohort-sync";
    int keep = 60;
    std::string prometheus_textfile; // empty: none
    // Files that name students (reports, plan files, --output pages) are 0600; with a group, 0640
    // and that group's, so that its members (the schooling office's admins) can read them.
    std::string group;
    std::string site; // the metrics' site label; empty: the configuration file's name without .json
};

struct Config {
    std::string source_path; // the file it was read from, for messages
    LdapConfig ldap;
    ExportConfig apogee;
    PegaseConfig pegase;
    PedagogyConfig pedagogy;
    MembershipConfig membership;
    ElementCohortsConfig element_cohorts;
    GroupCohortsConfig group_cohorts;
    MoodleConfig moodle;
    ProvisioningConfig provisioning;
    GuardConfig guards;
    ReportConfig report;
};

struct ConfigResult {
    std::optional<Config> config; // set only when `problems` has no error
    Issues problems;              // locator = JSON path ("/ldap/pagesize")
};

// Parses and validates `json_text` (JSON with // and /* */ comments allowed). `source_path`
// only names the file in messages. Pure: reads no file and no environment.
ConfigResult parse_config(std::string_view json_text, const std::string& source_path);

// The configuration as JSON with every key and its effective value, for `--print-config`.
std::string print_config(const Config& config);

} // namespace cohort_sync
