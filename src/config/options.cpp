// The configuration file: one table (options()) names every key with its type, default,
// requirement, documentation and the Config member it sets. Parsing, unknown-key detection,
// "did you mean" suggestions and print_config() are all driven by that table, so a new key
// is one new row.
#include "options.hpp"

#include "checks.hpp"
#include "codecs.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

namespace cohort_sync::config_detail {
namespace {

// The member of Config that a chain of pointers to members designates, e.g.
// member_of<&Config::ldap, &LdapConfig::page_size>(config) is config.ldap.page_size.
template <auto... Members, class C> auto& member_of(C& config) {
    return (config.*....*Members);
}

template <auto... Members>
using MemberType = std::remove_cvref_t<decltype(member_of<Members...>(std::declval<Config&>()))>;

template <auto... Members>
Option option(std::string_view path, Need need, std::string_view doc,
              Check<MemberType<Members...>> check = {}) {
    using T = MemberType<Members...>;
    Option row{path, Codec<T>::k_type, need, doc, {}, {}};
    row.read = [check](const Json& value, const std::string& at, Config& config, Problems& problems) {
        if (auto decoded = Codec<T>::decode(value, at, problems)) {
            if (check) {
                check(*decoded, at, problems);
            }
            member_of<Members...>(config) = std::move(*decoded);
        }
    };
    row.write = [](const Config& config) { return Codec<T>::encode(member_of<Members...>(config)); };
    return row;
}

} // namespace

const std::vector<Option>& options() {
    using enum Need;
    using C = Config;
    using L = LdapConfig;
    using A = LdapAttributes;
    using E = ExportConfig;
    using X = ExportColumns;
    using M = MembershipConfig;
    using Q = PegaseConfig;
    using D = MoodleConfig;
    using G = GuardConfig;
    using P = ProvisioningConfig;
    using R = ReportConfig;
    using T = PedagogyConfig;
    using TC = ContractColumns;
    using TG = GroupColumns;
    using EC = ElementCohortsConfig;
    using GC = GroupCohortsConfig;
    static const std::vector<Option> k_options = {
        option<&C::ldap, &L::uris>("/ldap/uris", required, "LDAP servers, tried in order until one answers.",
                                   ldap_uris),
        option<&C::ldap, &L::starttls>("/ldap/starttls", optional, "Use StartTLS on ldap:// URIs."),
        option<&C::ldap, &L::ca_file>("/ldap/ca_file", optional,
                                      "CA certificates for the LDAP servers; empty: the system's store."),
        option<&C::ldap, &L::verify_certificate>("/ldap/verify_certificate", optional,
                                                 "Check the LDAP server's certificate."),
        option<&C::ldap, &L::bind_dn>("/ldap/bind_dn", optional, "DN to bind as; empty: anonymous bind."),
        option<&C::ldap, &L::password_file>("/ldap/password_file", optional,
                                            "File holding the bind password (one line)."),
        option<&C::ldap, &L::password_credential>("/ldap/password_credential", optional,
                                                  "systemd credential holding the bind password.",
                                                  credential_name),
        option<&C::ldap, &L::base_dn>("/ldap/base_dn", required, "Where the student entries are searched.",
                                      non_empty),
        option<&C::ldap, &L::filter>("/ldap/filter", optional, "LDAP filter selecting the student entries.",
                                     ldap_filter),
        option<&C::ldap, &L::paged_results>("/ldap/paged_results", optional,
                                            "Read the entries in pages (RFC 2696)."),
        option<&C::ldap, &L::page_size>("/ldap/page_size", optional, "Entries per page.", in_range(1, 10000)),
        option<&C::ldap, &L::network_timeout_seconds>("/ldap/network_timeout_seconds", optional,
                                                      "Seconds to wait for a connection to a server.",
                                                      positive<int>()),
        option<&C::ldap, &L::timeout_seconds>("/ldap/timeout_seconds", optional,
                                              "Seconds to wait for each search operation (each page).",
                                              positive<int>()),
        option<&C::ldap, &L::attributes, &A::login>("/ldap/attributes/login", optional,
                                                    "Attribute holding the Moodle username.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::student_number>("/ldap/attributes/student_number", optional,
                                                             "Attribute holding the student number.",
                                                             ldap_attribute),
        option<&C::ldap, &L::attributes, &A::etapes>(
            "/ldap/attributes/etapes", optional, "Attribute listing the student's étapes.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::first_name>("/ldap/attributes/first_name", optional,
                                                         "Attribute holding the first name.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::last_name>("/ldap/attributes/last_name", optional,
                                                        "Attribute holding the last name.", ldap_attribute),
        option<&C::ldap, &L::attributes, &A::mail>("/ldap/attributes/mail", optional,
                                                   "Attribute holding the mail address.", ldap_attribute),
        option<&C::ldap, &L::institution_uai>(
            "/ldap/institution_uai", optional,
            "Keep only étape values of this institution (UAI); empty: all."),

        option<&C::apogee, &E::path>("/apogee/path", required_unless_directory,
                                     "The APOGÉE export file (CSV).", non_empty),
        option<&C::apogee, &E::delimiter>("/apogee/delimiter", optional, "Field delimiter of the export."),
        option<&C::apogee, &E::quote>("/apogee/quote", optional, "Quote character of the export."),
        option<&C::apogee, &E::encoding>("/apogee/encoding", optional, "Character encoding of the export."),
        option<&C::apogee, &E::columns, &X::year>("/apogee/columns/year", optional,
                                                  "Column of the academic year (first calendar year).",
                                                  non_empty),
        option<&C::apogee, &E::columns, &X::student_number>("/apogee/columns/student_number", optional,
                                                            "Column of the student number.", non_empty),
        option<&C::apogee, &E::columns, &X::etape>("/apogee/columns/etape", optional,
                                                   "Column of the étape code.", non_empty),
        option<&C::apogee, &E::columns, &X::version>("/apogee/columns/version", optional,
                                                     "Column of the étape version.", non_empty),
        option<&C::apogee, &E::columns, &X::status>("/apogee/columns/status", optional,
                                                    "Column of the inscription status.", non_empty),
        option<&C::apogee, &E::columns, &X::label>("/apogee/columns/label", optional,
                                                   "Column of the étape label; empty: no label column."),
        option<&C::apogee, &E::active_statuses>("/apogee/active_statuses", optional,
                                                "Statuses that make an inscription count.", one_or_more),
        option<&C::apogee, &E::max_bad_rows>("/apogee/max_bad_rows", optional,
                                             "Past this many bad rows the whole export is refused.",
                                             at_least(0)),
        option<&C::apogee, &E::max_size_mb>("/apogee/max_size_mb", optional,
                                            "A larger export is refused unread (MB).", at_least(1)),
        option<&C::apogee, &E::max_age_hours>("/apogee/max_age_hours", optional,
                                              "An older export is refused (hours).", positive<double>()),
        option<&C::apogee, &E::min_rows>("/apogee/min_rows", optional,
                                         "An export with fewer data rows is refused.", at_least(0)),
        option<&C::apogee, &E::trailer>("/apogee/trailer", optional,
                                        "The last line holds the row count, checked against the rows read."),
        option<&C::apogee, &E::rollover>("/apogee/rollover", optional,
                                         "Date the active academic year changes (MM-DD)."),
        option<&C::apogee, &E::overlap_until>(
            "/apogee/overlap_until", optional,
            "Last year's inscriptions still count until this date; null: never."),

        option<&C::membership, &M::rule>("/membership/rule", optional,
                                         "Which source decides who is in a cohort."),
        option<&C::membership, &M::idnumber_template>("/membership/idnumber_template", optional,
                                                      "Cohort idnumber; identifies the cohort across runs.",
                                                      idnumber_template),
        option<&C::membership, &M::name_template>("/membership/name_template", optional,
                                                  "Cohort name shown in Moodle.", cohort_template),
        option<&C::membership, &M::description_template>("/membership/description_template", optional,
                                                         "Cohort description shown in Moodle.",
                                                         cohort_template),
        option<&C::membership, &M::etape_patterns>(
            "/membership/etape_patterns", optional,
            "Glob patterns of the étapes to manage, \"!pattern\" to leave some out; empty: all.",
            etape_patterns),

        option<&C::moodle, &D::conninfo>("/moodle/conninfo", required,
                                         "libpq connection string of Moodle's database (no password).",
                                         non_empty),
        option<&C::moodle, &D::prefix>("/moodle/prefix", optional, "Moodle's table prefix.", sql_identifier),
        option<&C::moodle, &D::schema>("/moodle/schema", optional, "Schema of Moodle's tables.",
                                       sql_identifier),
        option<&C::moodle, &D::state_schema>("/moodle/state_schema", optional,
                                             "Schema of cohort-sync's own tables (run history, grace state).",
                                             sql_identifier),
        option<&C::moodle, &D::match_by>("/moodle/match_by", optional,
                                         "Moodle user field matched: LDAP login or student number."),
        option<&C::moodle, &D::component>("/moodle/component", optional,
                                          "Component marking the cohorts cohort-sync manages.", non_empty),
        option<&C::moodle, &D::context_id>("/moodle/context_id", optional, "Context of new cohorts.",
                                           at_least<std::int64_t>(1)),
        option<&C::moodle, &D::visible>("/moodle/visible", optional, "New cohorts are visible."),
        option<&C::moodle, &D::statement_timeout_seconds>("/moodle/statement_timeout_seconds", optional,
                                                          "PostgreSQL statement_timeout (seconds).",
                                                          positive<int>()),
        option<&C::moodle, &D::lock_timeout_seconds>("/moodle/lock_timeout_seconds", optional,
                                                     "PostgreSQL lock_timeout (seconds).", positive<int>()),
        option<&C::moodle, &D::empty_vanished_cohorts>("/moodle/empty_vanished_cohorts", optional,
                                                       "Empty a managed cohort whose étape has nobody left."),
        option<&C::moodle, &D::grace_runs>("/moodle/grace_runs", optional,
                                           "Runs a member must be absent before removal.", at_least(1)),
        option<&C::moodle, &D::post_commit_command>(
            "/moodle/post_commit_command", optional,
            "Command (argv) run after a commit that changed something.", none_empty),
        option<&C::moodle, &D::post_commit_timeout_seconds>(
            "/moodle/post_commit_timeout_seconds", optional,
            "Seconds the post-commit command may run before its process group is ended.", positive<int>()),
        option<&C::moodle, &D::accept_untested_version>(
            "/moodle/accept_untested_version", optional,
            "A Moodle release newer than the tested ones (\"5.3\") to run against anyway; empty: none."),

        option<&C::pegase, &Q::conninfo>(
            "/pegase/conninfo", optional,
            "libpq connection string of the Pégase DRE (no password); empty: no Pégase source."),
        option<&C::pegase, &Q::query_file>(
            "/pegase/query_file", optional,
            "SQL file whose query lists the inscriptions; empty: the query shipped for the DRE."),
        option<&C::pegase, &Q::statuses>("/pegase/statuses", optional,
                                         "Inscription statuses that make an inscription count.", one_or_more),
        option<&C::pegase, &Q::min_rows>("/pegase/min_rows", optional,
                                         "A DRE whose query gives fewer rows is refused.", at_least(0)),
        option<&C::pegase, &Q::max_bad_rows>(
            "/pegase/max_bad_rows", optional,
            "Past this many unusable rows (a NULL key) the whole DRE is refused.", at_least(0)),
        option<&C::pegase, &Q::max_age_days>(
            "/pegase/max_age_days", optional,
            "A DRE whose dump (public.version) is older than this many days is refused.", at_least(0)),
        option<&C::pegase, &Q::statement_timeout_seconds>(
            "/pegase/statement_timeout_seconds", optional,
            "PostgreSQL statement_timeout on the DRE (seconds).", positive<int>()),
        option<&C::pegase, &Q::retry_tries>(
            "/pegase/retry_tries", optional,
            "Reads of a DRE that looks mid-rebuild before the run gives up; 1: no retry.", in_range(1, 100)),
        option<&C::pegase, &Q::retry_interval_seconds>("/pegase/retry_interval_seconds", optional,
                                                       "Seconds between two reads of the DRE.",
                                                       in_range(1, 3600)),

        option<&C::pedagogy, &T::contracts_path>("/pedagogy/contracts_path", optional,
                                                 "APOGÉE's pedagogical contracts extract (IND_CONTRAT_ELP, "
                                                 "CSV); read when element_cohorts is on."),
        option<&C::pedagogy, &T::groups_path>(
            "/pedagogy/groups_path", optional,
            "APOGÉE's group assignments extract (IND_AFFECTE_GPE, CSV); read when group_cohorts is on."),
        option<&C::pedagogy, &T::delimiter>("/pedagogy/delimiter", optional,
                                            "Field delimiter of the pedagogical extracts."),
        option<&C::pedagogy, &T::quote>("/pedagogy/quote", optional,
                                        "Quote character of the pedagogical extracts."),
        option<&C::pedagogy, &T::encoding>("/pedagogy/encoding", optional,
                                           "Character encoding of the pedagogical extracts."),
        option<&C::pedagogy, &T::contract_columns, &TC::year>("/pedagogy/contract_columns/year", optional,
                                                              "Contracts: column of the academic year.",
                                                              non_empty),
        option<&C::pedagogy, &T::contract_columns, &TC::student_number>(
            "/pedagogy/contract_columns/student_number", optional, "Contracts: column of the student number.",
            non_empty),
        option<&C::pedagogy, &T::contract_columns, &TC::etape>(
            "/pedagogy/contract_columns/etape", optional, "Contracts: column of the étape code.", non_empty),
        option<&C::pedagogy, &T::contract_columns, &TC::version>(
            "/pedagogy/contract_columns/version", optional, "Contracts: column of the étape version.",
            non_empty),
        option<&C::pedagogy, &T::contract_columns, &TC::element>(
            "/pedagogy/contract_columns/element", optional, "Contracts: column of the element code.",
            non_empty),
        option<&C::pedagogy, &T::contract_columns, &TC::label>(
            "/pedagogy/contract_columns/label", optional,
            "Contracts: column of the element label; empty: none."),
        option<&C::pedagogy, &T::contract_columns, &TC::nature>(
            "/pedagogy/contract_columns/nature", optional,
            "Contracts: column of the element nature; empty: none."),
        option<&C::pedagogy, &T::contract_columns, &TC::carried_over>(
            "/pedagogy/contract_columns/carried_over", optional,
            "Contracts: column saying 'O' for an element carried over from an earlier year.", non_empty),
        option<&C::pedagogy, &T::group_columns, &TG::year>("/pedagogy/group_columns/year", optional,
                                                           "Groups: column of the academic year.", non_empty),
        option<&C::pedagogy, &T::group_columns, &TG::student_number>(
            "/pedagogy/group_columns/student_number", optional, "Groups: column of the student number.",
            non_empty),
        option<&C::pedagogy, &T::group_columns, &TG::element>(
            "/pedagogy/group_columns/element", optional, "Groups: column of the element code.", non_empty),
        option<&C::pedagogy, &T::group_columns, &TG::group>("/pedagogy/group_columns/group", optional,
                                                            "Groups: column of the group's external code.",
                                                            non_empty),
        option<&C::pedagogy, &T::group_columns, &TG::label>(
            "/pedagogy/group_columns/label", optional, "Groups: column of the group label; empty: none."),
        option<&C::pedagogy, &T::group_columns, &TG::type>("/pedagogy/group_columns/type", optional,
                                                           "Groups: column of the group type; empty: none."),
        option<&C::pedagogy, &T::max_bad_rows>("/pedagogy/max_bad_rows", optional,
                                               "Past this many bad rows a pedagogical extract is refused.",
                                               at_least(0)),
        option<&C::pedagogy, &T::max_size_mb>("/pedagogy/max_size_mb", optional,
                                              "A larger pedagogical extract is refused unread (MB).",
                                              at_least(1)),
        option<&C::pedagogy, &T::max_age_hours>("/pedagogy/max_age_hours", optional,
                                                "An older pedagogical extract is refused (hours).",
                                                positive<double>()),
        option<&C::pedagogy, &T::min_rows>("/pedagogy/min_rows", optional,
                                           "A pedagogical extract with fewer data rows is refused.",
                                           at_least(0)),
        option<&C::pedagogy, &T::trailer>("/pedagogy/trailer", optional,
                                          "The last line of each extract holds its row count."),

        option<&C::element_cohorts, &EC::enabled>(
            "/element_cohorts/enabled", optional,
            "Make a cohort per teaching element (pedagogical contracts)."),
        option<&C::element_cohorts, &EC::idnumber_template>("/element_cohorts/idnumber_template", optional,
                                                            "Element cohort idnumber.",
                                                            element_idnumber_template),
        option<&C::element_cohorts, &EC::name_template>("/element_cohorts/name_template", optional,
                                                        "Element cohort name.", element_template),
        option<&C::element_cohorts, &EC::description_template>("/element_cohorts/description_template",
                                                               optional, "Element cohort description.",
                                                               element_template),
        option<&C::element_cohorts, &EC::element_patterns>(
            "/element_cohorts/element_patterns", optional,
            "Glob patterns of the elements to manage, \"!pattern\" to leave some out; empty: all.",
            etape_patterns),
        option<&C::element_cohorts, &EC::natures>("/element_cohorts/natures", optional,
                                                  "Element natures (COD_NEL) kept; empty: all.", none_empty),
        option<&C::element_cohorts, &EC::etape_patterns>(
            "/element_cohorts/etape_patterns", optional,
            "Glob patterns of the étapes whose contracts count; empty: all.", etape_patterns),

        option<&C::group_cohorts, &GC::enabled>(
            "/group_cohorts/enabled", optional,
            "Make a cohort per TD/TP group of an element (needs element_cohorts)."),
        option<&C::group_cohorts, &GC::idnumber_template>("/group_cohorts/idnumber_template", optional,
                                                          "Group cohort idnumber.", group_idnumber_template),
        option<&C::group_cohorts, &GC::name_template>("/group_cohorts/name_template", optional,
                                                      "Group cohort name.", group_template),
        option<&C::group_cohorts, &GC::description_template>("/group_cohorts/description_template", optional,
                                                             "Group cohort description.", group_template),
        option<&C::group_cohorts, &GC::types>("/group_cohorts/types", optional,
                                              "Group types (COD_TGR) kept; empty: all.", none_empty),

        option<&C::provisioning, &P::enabled>("/provisioning/enabled", optional,
                                              "Create the Moodle accounts of students who have none."),
        option<&C::provisioning, &P::auth>(
            "/provisioning/auth", optional,
            "Moodle auth plugin of the accounts created (ldap, cas, shibboleth...); required when enabled.",
            auth_plugin),

        option<&C::guards, &G::min_directory_entries>("/guards/min_directory_entries", optional,
                                                      "Refuse a directory read with fewer entries.",
                                                      at_least(0)),
        option<&C::guards, &G::min_export_inscriptions>("/guards/min_export_inscriptions", optional,
                                                        "Refuse an export with fewer active inscriptions.",
                                                        at_least(0)),
        option<&C::guards, &G::min_pegase_inscriptions>(
            "/guards/min_pegase_inscriptions", optional,
            "Refuse a Pégase read with fewer active inscriptions.", at_least(0)),
        option<&C::guards, &G::max_source_shrink_ratio>("/guards/max_source_shrink_ratio", optional,
                                                        "Largest shrink of a source since the last run.",
                                                        ratio),
        option<&C::guards, &G::max_etape_shrink_ratio>("/guards/max_etape_shrink_ratio", optional,
                                                       "Largest shrink of one étape since the last run.",
                                                       ratio),
        option<&C::guards, &G::max_removals>("/guards/max_removals", optional, "Most removals in one run.",
                                             at_least(0)),
        option<&C::guards, &G::max_cohort_removal_ratio>("/guards/max_cohort_removal_ratio", optional,
                                                         "Largest share of one cohort removed in one run.",
                                                         ratio),
        option<&C::guards, &G::min_cohort_size>("/guards/min_cohort_size", optional,
                                                "Smaller cohorts are exempt from the ratio guards.",
                                                at_least(0)),
        option<&C::guards, &G::max_total_removal_ratio>(
            "/guards/max_total_removal_ratio", optional,
            "Largest share of all memberships removed in one run.", ratio),

        option<&C::guards, &G::max_accounts_created>("/guards/max_accounts_created", optional,
                                                     "Most Moodle accounts provisioning creates in one run.",
                                                     at_least(0)),
        option<&C::guards, &G::max_cohorts_created>(
            "/guards/max_cohorts_created", optional,
            "Most cohorts created in one run (with the ratio below; the first run is exempt).", at_least(0)),
        option<&C::guards, &G::max_cohorts_created_ratio>(
            "/guards/max_cohorts_created_ratio", optional,
            "Largest number of cohorts created in one run, as a share of the managed cohorts.", ratio),
        option<&C::guards, &G::max_cohorts_per_student>("/guards/max_cohorts_per_student", optional,
                                                        "Most cohorts one student may be placed in.",
                                                        at_least(1)),

        option<&C::guards, &G::min_contract_rows>("/guards/min_contract_rows", optional,
                                                  "Refuse pedagogical contracts with fewer rows that count.",
                                                  at_least(0)),
        option<&C::guards, &G::min_group_rows>("/guards/min_group_rows", optional,
                                               "Refuse group assignments with fewer rows that count.",
                                               at_least(0)),
        option<&C::guards, &G::max_element_shrink_ratio>(
            "/guards/max_element_shrink_ratio", optional,
            "Largest shrink of one element cohort since the last run.", ratio),
        option<&C::guards, &G::max_group_shrink_ratio>(
            "/guards/max_group_shrink_ratio", optional,
            "Largest shrink of one group cohort since the last run.", ratio),
        option<&C::guards, &G::max_elements_per_student>("/guards/max_elements_per_student", optional,
                                                         "Most element cohorts one student may be placed in.",
                                                         at_least(1)),
        option<&C::guards, &G::max_groups_per_student>("/guards/max_groups_per_student", optional,
                                                       "Most group cohorts one student may be placed in.",
                                                       at_least(1)),

        option<&C::report, &R::directory>("/report/directory", optional, "Where run reports are written.",
                                          non_empty),
        option<&C::report, &R::keep>("/report/keep", optional, "Reports kept; older ones are deleted.",
                                     at_least(1)),
        option<&C::report, &R::prometheus_textfile>("/report/prometheus_textfile", optional,
                                                    "Metrics file for node_exporter; empty: none."),
        option<&C::report, &R::group>(
            "/report/group", optional,
            "Group that may read the files naming students (mode 0640); empty: owner only (0600)."),
        option<&C::report, &R::site>("/report/site", optional,
                                     "The metrics' site label; empty: the configuration file's name."),
    };
    return k_options;
}

const Option* find_option(std::string_view path) {
    const auto& all = options();
    const auto it = std::ranges::find(all, path, &Option::path);
    return it == all.end() ? nullptr : &*it;
}

bool is_section(std::string_view path) {
    return std::ranges::any_of(options(), [&](const Option& row) {
        return row.path.size() > path.size() && row.path.starts_with(path) && row.path[path.size()] == '/';
    });
}

std::vector<std::string> keys_of(std::string_view path) {
    std::vector<std::string> keys;
    for (const auto& row : options()) {
        if (row.path.size() > path.size() && row.path.starts_with(path) && row.path[path.size()] == '/') {
            std::string_view rest = row.path.substr(path.size() + 1);
            std::string key(rest.substr(0, rest.find('/')));
            if (std::ranges::find(keys, key) == keys.end()) {
                keys.push_back(std::move(key));
            }
        }
    }
    return keys;
}

} // namespace cohort_sync::config_detail
