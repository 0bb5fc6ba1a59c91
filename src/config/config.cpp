// parse_config() and print_config(): a Reader walks the document along the option table, then
// checks the required keys and the rules that tie several keys together.
#include "cohort_sync/config.hpp"

#include "cohort_sync/redact.hpp"
#include "cohort_sync/text.hpp"
#include "json_syntax.hpp"
#include "options.hpp"
#include "problems.hpp"
#include "secrets.hpp"
#include "spelling.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cohort_sync {
namespace {

using namespace config_detail;

struct Reader {
    Config config;
    Problems problems;
    std::set<std::string> present; // keys the document sets (valid or not)
    std::set<std::string> broken;  // sections that are not objects: their keys cannot be read

    void read_object(const Json& object, const std::string& at) {
        for (const auto& [key, value] : object.items()) {
            const std::string child = child_path(at, key);
            if (const Option* row = find_option(child)) {
                present.insert(child);
                row->read(value, child, config, problems);
            } else if (is_section(child)) {
                if (value.is_object()) {
                    read_object(value, child);
                } else {
                    wrong_type(problems, child, "an object", value);
                    broken.insert(child);
                }
            } else if (looks_secret(key)) {
                secret_key(problems, child, key);
            } else {
                unknown_key(child, key, at);
                scan_for_secrets(value, child, problems);
            }
        }
    }

    void unknown_key(const std::string& child, const std::string& key, const std::string& at) {
        if (const auto suggestion = nearest(key, keys_of(at))) {
            problems.error(child, fmt::format("unknown key '{}'; did you mean '{}'?", key, *suggestion));
            return;
        }
        // A key put in the wrong section: "conninfo" under "ldap".
        for (const auto& row : options()) {
            if (fold_key(last_token(row.path)) == fold_key(key) && parent_of(row.path) != at) {
                problems.error(child,
                               fmt::format("unknown key '{}' here; did you mean '{}'?", key, row.path));
                return;
            }
        }
        problems.error(child, fmt::format("unknown key '{}'", key));
    }

    bool needed(const Option& row) const {
        switch (row.need) {
        case Need::required:
            return true;
        case Need::required_unless_directory:
            // The export may be left out when the DRE is the inscriptions' source (a university
            // that moved to Pégase).
            return !problems.refused("/membership/rule") &&
                   config.membership.rule != MembershipRule::directory && config.pegase.conninfo.empty() &&
                   !problems.refused("/pegase/conninfo");
        case Need::optional:
            return false;
        }
        return false;
    }

    bool under_broken(std::string_view path) const {
        return std::ranges::any_of(broken, [&](const std::string& section) {
            return path.starts_with(section) && path.size() > section.size() && path[section.size()] == '/';
        });
    }

    void check_required() {
        for (const auto& row : options()) {
            const std::string path(row.path);
            if (needed(row) && !present.contains(path) && !under_broken(path)) {
                const bool by_rule = row.need == Need::required_unless_directory;
                problems.error(
                    path,
                    fmt::format(
                        "required key '{}' ({}) is missing: {}{}", last_token(path), row.type, row.doc,
                        by_rule ? " It may be left out only with membership.rule \"directory\", or when "
                                  "pegase.conninfo names the Pégase DRE instead."
                                : ""));
            }
        }
    }

    bool ok(const char* path) const { return !problems.refused(path); }

    // Rules that tie several keys together.
    void check_across() {
        const LdapConfig& ldap = config.ldap;
        const bool has_password = !ldap.password_file.empty() || !ldap.password_credential.empty();
        if (!ldap.bind_dn.empty() && !has_password && ok("/ldap/password_file") &&
            ok("/ldap/password_credential")) {
            problems.error(
                "/ldap/bind_dn",
                fmt::format("bind_dn {} is set but neither ldap.password_file nor "
                            "ldap.password_credential is; HINT: set one of them, or remove bind_dn for "
                            "an anonymous bind",
                            in_quotes(ldap.bind_dn)));
        }
        if (ldap.bind_dn.empty() && ok("/ldap/bind_dn")) {
            for (const char* path : {"/ldap/password_file", "/ldap/password_credential"}) {
                const bool set = std::string_view(path) == "/ldap/password_file"
                                     ? !ldap.password_file.empty()
                                     : !ldap.password_credential.empty();
                if (set) {
                    problems.error(path,
                                   fmt::format("{} is set but ldap.bind_dn is empty, and an anonymous bind "
                                               "uses no password; HINT: set ldap.bind_dn to the DN the "
                                               "password belongs to",
                                               last_token(path)));
                }
            }
        }
        if (!ldap.verify_certificate) {
            problems.warning(
                "/ldap/verify_certificate",
                "certificate checking is disabled: any server can pose as the directory and feed "
                "cohort-sync a wrong student list; HINT: set ldap.ca_file to the CA that signed the "
                "servers' certificates instead");
        }
        if (!ldap.starttls && ok("/ldap/uris")) {
            for (std::size_t i = 0; i < ldap.uris.size(); ++i) {
                const auto uri = to_lower_ascii(ldap.uris[i]);
                // Loopback traffic never crosses a network: nothing to warn about.
                const bool loopback = uri.starts_with("ldap://127.") || uri.starts_with("ldap://localhost") ||
                                      uri.starts_with("ldap://[::1]");
                if (uri.starts_with("ldap://") && !loopback) {
                    problems.warning(
                        fmt::format("/ldap/uris/{}", i),
                        fmt::format("{} is used without StartTLS, so the directory's answers{} cross "
                                    "the network in clear; HINT: use ldaps:// or set ldap.starttls",
                                    in_quotes(redact_uri(ldap.uris[i])),
                                    ldap.bind_dn.empty() ? "" : " and the bind password"));
                }
            }
        }

        const ExportConfig& apogee = config.apogee;
        if (apogee.delimiter == apogee.quote && ok("/apogee/delimiter") && ok("/apogee/quote")) {
            problems.error("/apogee/quote", fmt::format("the quote character {} is also the delimiter",
                                                        in_quotes(std::string(1, apogee.quote))));
        }
        for (const char* path : {"/apogee/delimiter", "/apogee/quote"}) {
            const char c = std::string_view(path) == "/apogee/delimiter" ? apogee.delimiter : apogee.quote;
            if (ok(path) && (c == '\n' || c == '\r' || c == '\0')) {
                problems.error(path, "a line break or NUL cannot separate or quote fields");
            }
        }

        const MembershipConfig& membership = config.membership;
        // The DRE's query always has a label column.
        const bool no_label = membership.rule == MembershipRule::directory ||
                              (apogee.columns.label.empty() && config.pegase.conninfo.empty());
        for (const auto& [path, pattern] :
             {std::pair{"/membership/name_template", &membership.name_template},
              std::pair{"/membership/description_template", &membership.description_template}}) {
            if (no_label && ok(path) && pattern->find("{label}") != std::string::npos) {
                problems.warning(
                    path, fmt::format("{} uses {{label}}, but {}, so the label is empty", last_token(path),
                                      membership.rule == MembershipRule::directory
                                          ? "with membership.rule \"directory\" no export is read"
                                          : "apogee.columns.label is empty"));
            }
        }

        // The element rule asks for an active administrative inscription, the group rule for an
        // element cohort: each needs what it builds on.
        if (config.element_cohorts.enabled) {
            if (membership.rule == MembershipRule::directory) {
                problems.error(
                    "/element_cohorts/enabled",
                    "element cohorts need the administrative inscriptions, which membership.rule "
                    "\"directory\" does not read; HINT: choose rule \"both\", \"export\" or \"union\"");
            }
            if (config.pedagogy.contracts_path.empty()) {
                problems.error(
                    "/pedagogy/contracts_path",
                    "element_cohorts.enabled is on but pedagogy.contracts_path is not set; HINT: set it "
                    "to the extract of IND_CONTRAT_ELP (docs/configuration.md, \"pedagogy\")");
            }
        }
        if (config.group_cohorts.enabled) {
            if (!config.element_cohorts.enabled) {
                problems.error(
                    "/group_cohorts/enabled",
                    "group cohorts are made of element cohorts' members, but element_cohorts.enabled "
                    "is off; HINT: turn it on too");
            }
            if (config.pedagogy.groups_path.empty()) {
                problems.error(
                    "/pedagogy/groups_path",
                    "group_cohorts.enabled is on but pedagogy.groups_path is not set; HINT: set it to "
                    "the extract of IND_AFFECTE_GPE (docs/configuration.md, \"pedagogy\")");
            }
        }
        const PedagogyConfig& pedagogy = config.pedagogy;
        if (pedagogy.delimiter == pedagogy.quote && ok("/pedagogy/delimiter") && ok("/pedagogy/quote")) {
            problems.error("/pedagogy/quote", fmt::format("the quote character {} is also the delimiter",
                                                          in_quotes(std::string(1, pedagogy.quote))));
        }

        conninfo_without_password(config.moodle.conninfo, "/moodle/conninfo", problems);
        if (!config.pegase.conninfo.empty()) {
            conninfo_without_password(config.pegase.conninfo, "/pegase/conninfo", problems);
        }

        // No default plugin: "cas" was one until CAS left Moodle's core in 5.0, and a 5.0 site then
        // got accounts that can neither log in nor be deleted.
        if (config.provisioning.enabled && config.provisioning.auth.empty() && ok("/provisioning/auth")) {
            problems.error("/provisioning/auth",
                           "provisioning is enabled but provisioning.auth is not set; HINT: set it to the "
                           "authentication plugin the students log in with and that is enabled on the "
                           "Moodle site (ldap, cas, shibboleth, oidc...); `cohort-sync check` lists them");
        }

        const std::string& textfile = config.report.prometheus_textfile;
        if (!textfile.empty() && !textfile.ends_with(".prom")) {
            problems.warning(
                "/report/prometheus_textfile",
                fmt::format("{} does not end in \".prom\", and node_exporter's textfile collector "
                            "reads only *.prom files",
                            in_quotes(textfile)));
        }
    }
};

} // namespace

ConfigResult parse_config(std::string_view json_text, const std::string& source_path) {
    ConfigResult result;
    Problems syntax;
    auto parsed = parse_json(json_text, source_path, syntax);
    if (auto* failure = std::get_if<Issue>(&parsed)) {
        result.problems.push_back(std::move(*failure));
        return result;
    }
    const Json& document = std::get<Json>(parsed);
    if (!document.is_object()) {
        result.problems.push_back(
            {Severity::error, source_path,
             fmt::format("'{}' must hold a JSON object, got {}", source_path, describe(document))});
        return result;
    }

    Reader reader;
    reader.problems = std::move(syntax);
    reader.config.source_path = source_path;
    reader.read_object(document, "");
    reader.check_required();
    reader.check_across();

    result.problems = std::move(reader.problems.issues);
    const bool failed = std::ranges::any_of(
        result.problems, [](const Issue& issue) { return issue.severity == Severity::error; });
    if (!failed) {
        result.config = std::move(reader.config);
    }
    return result;
}

std::string print_config(const Config& config) {
    Json out = Json::object();
    for (const auto& row : options()) {
        out[Json::json_pointer(std::string(row.path))] = row.write(config);
    }
    return json_text(out, 2);
}

} // namespace cohort_sync
