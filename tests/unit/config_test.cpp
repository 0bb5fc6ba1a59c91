#include "build_paths.hpp"
#include "cohort_sync/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cohort_sync {
namespace {

using nlohmann::json;

const std::filesystem::path& k_source_dir = cohort_sync::testing::source_dir();

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << path;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

json minimal() {
    return json::parse(R"({
        "ldap": {"uris": ["ldaps://ldap.univ-exemple.fr"], "base_dn": "ou=people,dc=univ-exemple,dc=fr"},
        "apogee": {"path": "/var/lib/cohort-sync/incoming/apogee.csv"},
        "moodle": {"conninfo": "service=moodle"}
    })");
}

json with(json document, const std::string& pointer, const json& value) {
    document[json::json_pointer(pointer)] = value;
    return document;
}

json without(json document, const std::string& pointer) {
    const json::json_pointer where(pointer);
    document[where.parent_pointer()].erase(where.back());
    return document;
}

ConfigResult parse(const json& document) {
    return parse_config(document.dump(), "cohort-sync.json");
}

Issues errors(const ConfigResult& result) {
    Issues out;
    std::ranges::copy_if(result.problems, std::back_inserter(out),
                         [](const Issue& issue) { return issue.severity == Severity::error; });
    return out;
}

const Issue* issue_at(const ConfigResult& result, const std::string& locator) {
    const auto it = std::ranges::find(result.problems, locator, &Issue::locator);
    return it == result.problems.end() ? nullptr : &*it;
}

std::string all_text(const Issues& issues) {
    std::string text;
    for (const auto& issue : issues) {
        text += issue.locator + " " + issue.message + "\n";
    }
    return text;
}

// Every key of the layout, as JSON pointers, from the printed defaults.
void collect_leaves(const json& value, const std::string& at,
                    std::vector<std::pair<std::string, json>>& out) {
    if (value.is_object()) {
        for (const auto& [key, child] : value.items()) {
            collect_leaves(child, at + "/" + key, out);
        }
    } else {
        out.emplace_back(at, value);
    }
}

std::vector<std::pair<std::string, json>> every_key() {
    std::vector<std::pair<std::string, json>> leaves;
    collect_leaves(json::parse(print_config(Config{})), "", leaves);
    return leaves;
}

// ---- Valid documents -----------------------------------------------------------------------------

TEST(ConfigParse, MinimalConfigGetsEveryDefault) {
    const auto result = parse(minimal());
    ASSERT_TRUE(result.problems.empty()) << all_text(result.problems);
    ASSERT_TRUE(result.config);

    Config expected;
    expected.ldap.uris = {"ldaps://ldap.univ-exemple.fr"};
    expected.ldap.base_dn = "ou=people,dc=univ-exemple,dc=fr";
    expected.apogee.path = "/var/lib/cohort-sync/incoming/apogee.csv";
    expected.moodle.conninfo = "service=moodle";
    EXPECT_EQ(print_config(*result.config), print_config(expected));
    EXPECT_EQ(result.config->source_path, "cohort-sync.json");
    EXPECT_EQ(result.config->ldap.page_size, 500);
    EXPECT_EQ(result.config->apogee.encoding, Encoding::iso_8859_1);
    EXPECT_EQ(result.config->apogee.rollover, (MonthDay{9, 1}));
    EXPECT_FALSE(result.config->apogee.overlap_until);
    EXPECT_EQ(result.config->membership.rule, MembershipRule::both);
}

struct ValueCase {
    std::string pointer;
    json value;
    std::function<bool(const Config&)> holds;
};

TEST(ConfigParse, ReadsEachSectionsValues) {
    const std::vector<ValueCase> cases = {
        {"/ldap/uris",
         {"ldaps://a.example", "ldap://b.example", "ldapi://%2Frun%2Fslapd%2Fldapi"},
         [](const Config& c) { return c.ldap.uris.size() == 3 && c.ldap.uris[1] == "ldap://b.example"; }},
        {"/ldap/starttls", false, [](const Config& c) { return !c.ldap.starttls; }},
        {"/ldap/ca_file", "/etc/ssl/univ-ca.pem",
         [](const Config& c) { return c.ldap.ca_file == "/etc/ssl/univ-ca.pem"; }},
        {"/ldap/filter", "(&(eduPersonAffiliation=student)(!(supannEtuId=0)))",
         [](const Config& c) {
             return c.ldap.filter == "(&(eduPersonAffiliation=student)(!(supannEtuId=0)))";
         }},
        {"/ldap/paged_results", false, [](const Config& c) { return !c.ldap.paged_results; }},
        {"/ldap/page_size", 1000, [](const Config& c) { return c.ldap.page_size == 1000; }},
        {"/ldap/network_timeout_seconds", 3,
         [](const Config& c) { return c.ldap.network_timeout_seconds == 3; }},
        {"/ldap/timeout_seconds", 600, [](const Config& c) { return c.ldap.timeout_seconds == 600; }},
        {"/ldap/attributes/student_number", "employeeNumber",
         [](const Config& c) { return c.ldap.attributes.student_number == "employeeNumber"; }},
        {"/ldap/attributes/login", "eduPersonPrincipalName",
         [](const Config& c) { return c.ldap.attributes.login == "eduPersonPrincipalName"; }},
        {"/ldap/attributes/last_name", "sn;lang-fr",
         [](const Config& c) { return c.ldap.attributes.last_name == "sn;lang-fr"; }},
        {"/ldap/attributes/mail", "0.9.2342.19200300.100.1.3",
         [](const Config& c) { return c.ldap.attributes.mail == "0.9.2342.19200300.100.1.3"; }},
        {"/ldap/institution_uai", "0141408E",
         [](const Config& c) { return c.ldap.institution_uai == "0141408E"; }},
        {"/apogee/delimiter", "\t", [](const Config& c) { return c.apogee.delimiter == '\t'; }},
        {"/apogee/quote", "'", [](const Config& c) { return c.apogee.quote == '\''; }},
        {"/apogee/encoding", "utf-8", [](const Config& c) { return c.apogee.encoding == Encoding::utf8; }},
        {"/apogee/encoding", "UTF8", [](const Config& c) { return c.apogee.encoding == Encoding::utf8; }},
        {"/apogee/encoding", "Latin1",
         [](const Config& c) { return c.apogee.encoding == Encoding::iso_8859_1; }},
        {"/apogee/encoding", "latin-1",
         [](const Config& c) { return c.apogee.encoding == Encoding::iso_8859_1; }},
        {"/apogee/encoding", "CP1252",
         [](const Config& c) { return c.apogee.encoding == Encoding::windows_1252; }},
        {"/apogee/encoding", "windows-1252",
         [](const Config& c) { return c.apogee.encoding == Encoding::windows_1252; }},
        {"/apogee/columns/etape", "CODE_ETAPE",
         [](const Config& c) { return c.apogee.columns.etape == "CODE_ETAPE"; }},
        {"/apogee/active_statuses",
         {"E", "A"},
         [](const Config& c) {
             return c.apogee.active_statuses == std::vector<std::string>{"E", "A"};
         }},
        {"/apogee/max_bad_rows", 0, [](const Config& c) { return c.apogee.max_bad_rows == 0; }},
        {"/apogee/max_age_hours", 12.5, [](const Config& c) { return c.apogee.max_age_hours == 12.5; }},
        {"/apogee/max_age_hours", 48, [](const Config& c) { return c.apogee.max_age_hours == 48.0; }},
        {"/apogee/trailer", true, [](const Config& c) { return c.apogee.trailer; }},
        {"/apogee/rollover", "08-25",
         [](const Config& c) {
             return c.apogee.rollover == MonthDay{8, 25};
         }},
        {"/apogee/overlap_until", "10-15",
         [](const Config& c) {
             return c.apogee.overlap_until == std::optional<MonthDay>{MonthDay{10, 15}};
         }},
        {"/apogee/overlap_until", nullptr, [](const Config& c) { return !c.apogee.overlap_until; }},
        {"/membership/rule", "export",
         [](const Config& c) { return c.membership.rule == MembershipRule::exportonly; }},
        {"/membership/rule", "union",
         [](const Config& c) { return c.membership.rule == MembershipRule::union_; }},
        {"/membership/idnumber_template", "apogee-{year}-{etape}-{version}",
         [](const Config& c) { return c.membership.idnumber_template == "apogee-{year}-{etape}-{version}"; }},
        {"/membership/etape_patterns",
         {"DU*", "L?INF"},
         [](const Config& c) {
             return c.membership.etape_patterns == std::vector<std::string>{"DU*", "L?INF"};
         }},
        {"/moodle/conninfo",
         "host=db.univ-exemple.fr dbname=moodle user=cohortsync passfile=/etc/cohort-sync/pgpass",
         [](const Config& c) { return c.moodle.conninfo.starts_with("host=db"); }},
        {"/moodle/conninfo", "postgresql://cohortsync@db.univ-exemple.fr/moodle?sslmode=verify-full",
         [](const Config& c) { return c.moodle.conninfo.starts_with("postgresql://"); }},
        {"/moodle/prefix", "m_", [](const Config& c) { return c.moodle.prefix == "m_"; }},
        {"/moodle/schema", "moodle", [](const Config& c) { return c.moodle.schema == "moodle"; }},
        {"/moodle/match_by", "idnumber",
         [](const Config& c) { return c.moodle.match_by == MatchBy::idnumber; }},
        {"/moodle/context_id", 4294967296LL,
         [](const Config& c) { return c.moodle.context_id == 4294967296LL; }},
        {"/moodle/grace_runs", 3, [](const Config& c) { return c.moodle.grace_runs == 3; }},
        {"/moodle/post_commit_command",
         {"/usr/bin/php", "enrol/cohort/cli/sync.php"},
         [](const Config& c) { return c.moodle.post_commit_command.size() == 2; }},
        {"/guards/max_source_shrink_ratio", 0,
         [](const Config& c) { return c.guards.max_source_shrink_ratio == 0; }},
        {"/guards/max_total_removal_ratio", 1,
         [](const Config& c) { return c.guards.max_total_removal_ratio == 1; }},
        {"/guards/max_removals", 0, [](const Config& c) { return c.guards.max_removals == 0; }},
        {"/report/keep", 1, [](const Config& c) { return c.report.keep == 1; }},
        {"/report/prometheus_textfile", "/var/lib/prometheus/node-exporter/cohort-sync.prom",
         [](const Config& c) { return !c.report.prometheus_textfile.empty(); }},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.pointer + " = " + test.value.dump());
        const auto result = parse(with(minimal(), test.pointer, test.value));
        ASSERT_TRUE(result.problems.empty()) << all_text(result.problems);
        ASSERT_TRUE(result.config);
        EXPECT_TRUE(test.holds(*result.config));
    }
}

TEST(ConfigParse, AcceptsComments) {
    const auto result = parse_config(R"({
        // LDAP first
        "ldap": {"uris": ["ldaps://ldap.univ-exemple.fr"], /* inline */ "base_dn": "dc=x"},
        "apogee": {"path": "/x.csv"},
        "moodle": {"conninfo": "service=moodle"}
    })",
                                     "c.json");
    EXPECT_TRUE(result.problems.empty()) << all_text(result.problems);
    EXPECT_TRUE(result.config);
}

TEST(ConfigParse, DirectoryRuleMakesExportPathOptional) {
    const auto document = with(without(minimal(), "/apogee/path"), "/membership/rule", "directory");
    const auto result = parse(with(document, "/membership/name_template", "{etape}"));
    EXPECT_TRUE(result.problems.empty()) << all_text(result.problems);
    ASSERT_TRUE(result.config);
    EXPECT_TRUE(result.config->apogee.path.empty());

    const auto other_rule = parse(with(without(minimal(), "/apogee/path"), "/membership/rule", "union"));
    EXPECT_FALSE(other_rule.config);
    EXPECT_TRUE(issue_at(other_rule, "/apogee/path"));
}

TEST(ConfigParse, DisabledCertificateCheckIsAWarningOnly) {
    const auto result = parse(with(minimal(), "/ldap/verify_certificate", false));
    ASSERT_TRUE(result.config);
    ASSERT_EQ(result.problems.size(), 1U);
    EXPECT_EQ(result.problems[0].severity, Severity::warning);
    EXPECT_EQ(result.problems[0].locator, "/ldap/verify_certificate");
    EXPECT_TRUE(result.problems[0].message.starts_with("certificate checking is disabled: "));
}

TEST(ConfigParse, WarnsAboutPlainLdapWithoutStartTls) {
    auto document = with(minimal(), "/ldap/uris", {"ldaps://a.example", "ldap://b.example"});
    const auto result = parse(with(document, "/ldap/starttls", false));
    ASSERT_TRUE(result.config);
    ASSERT_TRUE(issue_at(result, "/ldap/uris/1"));
    EXPECT_EQ(issue_at(result, "/ldap/uris/1")->severity, Severity::warning);
    EXPECT_FALSE(issue_at(result, "/ldap/uris/0"));
}

TEST(ConfigParse, BindWithPasswordCredential) {
    auto document = with(minimal(), "/ldap/bind_dn", "cn=cohort-sync,ou=services,dc=univ-exemple,dc=fr");
    const auto result = parse(with(document, "/ldap/password_credential", "ldap-password"));
    EXPECT_TRUE(result.problems.empty()) << all_text(result.problems);
    ASSERT_TRUE(result.config);
    EXPECT_EQ(result.config->ldap.password_credential, "ldap-password");
}

// ---- Unknown keys --------------------------------------------------------------------------------

struct UnknownKeyCase {
    std::string pointer;
    std::string message;
};

TEST(ConfigUnknownKey, NamesThePathAndSuggestsTheNearKey) {
    const std::vector<UnknownKeyCase> cases = {
        {"/ldap/pagesize", "unknown key 'pagesize'; did you mean 'page_size'?"},
        {"/ldap/baseDN", "unknown key 'baseDN'; did you mean 'base_dn'?"},
        {"/ldap/page-size", "unknown key 'page-size'; did you mean 'page_size'?"},
        {"/ldap/pag_size", "unknown key 'pag_size'; did you mean 'page_size'?"},
        {"/ldap/uri", "unknown key 'uri'; did you mean 'uris'?"},
        {"/ldap/attributes/studentnumber", "unknown key 'studentnumber'; did you mean 'student_number'?"},
        {"/apogee/columns/etapes", "unknown key 'etapes'; did you mean 'etape'?"},
        {"/moodle/grace_run", "unknown key 'grace_run'; did you mean 'grace_runs'?"},
        {"/guard", "unknown key 'guard'; did you mean 'guards'?"},
        {"/ldap/conninfo", "unknown key 'conninfo' here; did you mean '/moodle/conninfo'?"},
        {"/ldap/timeout", "unknown key 'timeout'; did you mean 'timeout_seconds'?"},
        {"/moodle/password_file", "unknown key 'password_file' here; did you mean '/ldap/password_file'?"},
        {"/ldap/colour", "unknown key 'colour'"},
        {"/postgres", "unknown key 'postgres'"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.pointer);
        const auto result = parse(with(minimal(), test.pointer, 42));
        EXPECT_FALSE(result.config);
        ASSERT_EQ(result.problems.size(), 1U) << all_text(result.problems);
        EXPECT_EQ(result.problems[0].severity, Severity::error);
        EXPECT_EQ(result.problems[0].locator, test.pointer);
        EXPECT_EQ(result.problems[0].message, test.message);
    }
}

TEST(ConfigUnknownKey, ReportsADuplicateKey) {
    const auto result = parse_config(R"({
        "ldap": {"uris": ["ldaps://a.example"], "base_dn": "dc=x", "page_size": 100, "page_size": 200},
        "apogee": {"path": "/x.csv"},
        "moodle": {"conninfo": "service=moodle"}
    })",
                                     "c.json");
    EXPECT_FALSE(result.config);
    ASSERT_TRUE(issue_at(result, "/ldap/page_size")) << all_text(result.problems);
    EXPECT_EQ(issue_at(result, "/ldap/page_size")->message,
              "duplicate key 'page_size': only its last value would be used");
}

// ---- Types and values ------------------------------------------------------------------------------

struct BadValueCase {
    std::string pointer; // where the value is put
    json value;
    std::string locator; // where the problem is reported
    std::string message; // a part of the message
};

TEST(ConfigValue, ReportsWrongTypesWithThePath) {
    const std::vector<BadValueCase> cases = {
        {"/ldap/page_size", "500", "/ldap/page_size", R"(expected an integer, got a string ("500"))"},
        {"/ldap/page_size", 500.5, "/ldap/page_size", "expected an integer, got a number (500.5)"},
        {"/ldap/starttls", "yes", "/ldap/starttls",
         R"(expected a boolean (true or false), got a string ("yes"))"},
        {"/ldap/uris", "ldaps://a.example", "/ldap/uris", "expected an array of strings, got a string"},
        {"/ldap/uris", {"ldaps://a.example", 7}, "/ldap/uris/1", "expected a string, got a number (7)"},
        {"/ldap/base_dn", json::object(), "/ldap/base_dn", "expected a string, got an object"},
        {"/ldap/attributes", "uid", "/ldap/attributes", "expected an object, got a string"},
        {"/guards/max_source_shrink_ratio", "10%", "/guards/max_source_shrink_ratio", "expected a number"},
        {"/apogee/rollover", 901, "/apogee/rollover", R"(expected a date "MM-DD", got a number (901))"},
        {"/apogee/delimiter", ";;", "/apogee/delimiter", R"(expected a one-character string, got ";;")"},
        {"/apogee/delimiter", "§", "/apogee/delimiter", "expected a one-character string"},
        {"/apogee/encoding", "utf-16", "/apogee/encoding",
         R"(unknown value "utf-16"; expected one of "utf-8", "iso-8859-1", "windows-1252")"},
        {"/membership/rule", "ldap", "/membership/rule",
         R"(expected one of "both", "export", "directory", "union")"},
        {"/moodle/match_by", "email", "/moodle/match_by", R"(expected one of "username", "idnumber")"},
        {"/moodle/post_commit_command", "php sync.php", "/moodle/post_commit_command",
         "expected an array of strings"},
        {"/moodle/context_id", 1e30, "/moodle/context_id", "expected an integer"},
        {"/ldap/page_size", 4294967296LL, "/ldap/page_size", "integer 4294967296 is out of range"},
        {"/ldap/page_size", nullptr, "/ldap/page_size", "expected an integer, got null"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.pointer + " = " + test.value.dump());
        const auto result = parse(with(minimal(), test.pointer, test.value));
        EXPECT_FALSE(result.config);
        const Issue* issue = issue_at(result, test.locator);
        ASSERT_TRUE(issue) << all_text(result.problems);
        EXPECT_EQ(issue->severity, Severity::error);
        EXPECT_NE(issue->message.find(test.message), std::string::npos) << issue->message;
    }
}

TEST(ConfigValue, RefusesValuesOutOfRange) {
    const std::vector<BadValueCase> cases = {
        {"/ldap/page_size", 0, "/ldap/page_size", "0 is out of range: it must be between 1 and 10000"},
        {"/ldap/page_size", 10001, "/ldap/page_size", "between 1 and 10000"},
        {"/ldap/timeout_seconds", 0, "/ldap/timeout_seconds", "greater than 0"},
        {"/ldap/network_timeout_seconds", -5, "/ldap/network_timeout_seconds", "greater than 0"},
        {"/moodle/statement_timeout_seconds", 0, "/moodle/statement_timeout_seconds", "greater than 0"},
        {"/moodle/lock_timeout_seconds", 0, "/moodle/lock_timeout_seconds", "greater than 0"},
        {"/apogee/max_age_hours", 0, "/apogee/max_age_hours", "greater than 0"},
        {"/guards/max_source_shrink_ratio", 10, "/guards/max_source_shrink_ratio", "HINT: write 10% as 0.10"},
        {"/guards/max_cohort_removal_ratio", -0.1, "/guards/max_cohort_removal_ratio", "between 0 and 1"},
        {"/moodle/grace_runs", 0, "/moodle/grace_runs", "it must be at least 1"},
        {"/report/keep", 0, "/report/keep", "it must be at least 1"},
        {"/moodle/post_commit_timeout_seconds", 0, "/moodle/post_commit_timeout_seconds", "greater than 0"},
        {"/membership/etape_patterns", json::array({"L*", "!"}), "/membership/etape_patterns/1",
         "\"!\" leaves out nothing"},
        {"/apogee/max_bad_rows", -1, "/apogee/max_bad_rows", "it must be at least 0"},
        {"/ldap/uris", json::array(), "/ldap/uris", "at least one LDAP server"},
        {"/ldap/uris",
         {"ldaps://a.example", "https://b.example"},
         "/ldap/uris/1",
         R"(LDAP URI "https://b.example" must start with ldaps://, ldap:// or ldapi://)"},
        {"/ldap/uris", {"ldap.example.org"}, "/ldap/uris/0", "must start with ldaps://"},
        {"/ldap/uris", {"ldaps://a.example ldaps://b.example"}, "/ldap/uris/0", "one URI per element"},
        {"/ldap/filter", "eduPersonAffiliation=student", "/ldap/filter", "is not a parenthesised filter"},
        {"/ldap/base_dn", "", "/ldap/base_dn", "must not be empty"},
        {"/ldap/attributes/login", "", "/ldap/attributes/login", "must not be empty"},
        {"/ldap/attributes/mail", "mail)(uid=*", "/ldap/attributes/mail", "is not an LDAP attribute name"},
        {"/ldap/attributes/etapes", "supann_etu_etape", "/ldap/attributes/etapes",
         "is not an LDAP attribute name"},
        {"/ldap/attributes/etapes", "1.3..6", "/ldap/attributes/etapes", "is not an LDAP attribute name"},
        {"/ldap/attributes/etapes", "sn;", "/ldap/attributes/etapes", "is not an LDAP attribute name"},
        {"/moodle/component", "", "/moodle/component", "must not be empty"},
        {"/moodle/prefix", "Mdl_", "/moodle/prefix", R"("Mdl_" is not a valid SQL identifier)"},
        {"/moodle/prefix", "1mdl", "/moodle/prefix", "is not a valid SQL identifier"},
        {"/moodle/prefix", "mdl-", "/moodle/prefix", "is not a valid SQL identifier"},
        {"/moodle/prefix", "", "/moodle/prefix", "is not a valid SQL identifier: it is empty"},
        {"/moodle/schema", "public; drop table x", "/moodle/schema", "is not a valid SQL identifier"},
        {"/moodle/state_schema", std::string(64, 'a'), "/moodle/state_schema", "is 64 bytes long"},
        {"/moodle/context_id", 0, "/moodle/context_id", "it must be at least 1"},
        {"/apogee/rollover", "13-01", "/apogee/rollover", "the month must be 01 to 12"},
        {"/apogee/rollover", "9-1", "/apogee/rollover",
         R"(expected a date "MM-DD" (like "09-01"), got "9-1")"},
        {"/apogee/rollover", "02-30", "/apogee/rollover", "does not exist every year"},
        {"/apogee/rollover", "02-29", "/apogee/rollover", "does not exist every year"},
        {"/apogee/overlap_until", "10-32", "/apogee/overlap_until", "does not exist every year"},
        {"/apogee/quote", ";", "/apogee/quote", "is also the delimiter"},
        {"/apogee/delimiter", "\n", "/apogee/delimiter", "line break"},
        {"/apogee/active_statuses", json::array(), "/apogee/active_statuses", "at least one value"},
        {"/ldap/password_credential", "../ldap-password", "/ldap/password_credential",
         "is not a credential name"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.pointer + " = " + test.value.dump());
        const auto result = parse(with(minimal(), test.pointer, test.value));
        EXPECT_FALSE(result.config);
        const Issue* issue = issue_at(result, test.locator);
        ASSERT_TRUE(issue) << all_text(result.problems);
        EXPECT_EQ(issue->severity, Severity::error);
        EXPECT_NE(issue->message.find(test.message), std::string::npos) << issue->message;
    }
}

TEST(ConfigValue, RefusesUnknownTemplatePlaceholders) {
    const std::vector<BadValueCase> cases = {
        {"/membership/name_template", "{etape}: {lable}", "/membership/name_template",
         "unknown placeholder '{lable}' in template \"{etape}: {lable}\"; did you mean '{label}'? The "
         "placeholders are"},
        {"/membership/description_template", "{etape} ({annee})", "/membership/description_template",
         "unknown placeholder '{annee}'"},
        {"/membership/idnumber_template", "etape-{etape}-{versoin}", "/membership/idnumber_template",
         "did you mean '{version}'?"},
        {"/membership/idnumber_template", "etape-{code}", "/membership/idnumber_template",
         "unknown placeholder '{code}'"},
        {"/membership/idnumber_template", "etape-{year}", "/membership/idnumber_template",
         "does not use {etape}"},
        {"/membership/name_template", "{etape", "/membership/name_template", "has a '{' without its '}'"},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.pointer + " = " + test.value.dump());
        const auto result = parse(with(minimal(), test.pointer, test.value));
        EXPECT_FALSE(result.config);
        const Issue* issue = issue_at(result, test.locator);
        ASSERT_TRUE(issue) << all_text(result.problems);
        EXPECT_NE(issue->message.find(test.message), std::string::npos) << issue->message;
    }
}

TEST(ConfigValue, WarnsWhenALabelIsUsedButNoneIsRead) {
    auto document = with(minimal(), "/apogee/columns/label", "");
    const auto no_column = parse(with(document, "/membership/description_template", "{etape} {label}"));
    ASSERT_TRUE(no_column.config);
    EXPECT_TRUE(no_column.config->apogee.columns.label.empty());
    ASSERT_EQ(no_column.problems.size(), 2U) << all_text(no_column.problems);
    EXPECT_EQ(no_column.problems[0].locator, "/membership/name_template");
    EXPECT_EQ(no_column.problems[0].message,
              "name_template uses {label}, but apogee.columns.label is empty, so the label is empty");
    EXPECT_EQ(no_column.problems[1].locator, "/membership/description_template");
    EXPECT_EQ(no_column.problems[1].severity, Severity::warning);
}

TEST(ConfigValue, WarnsWhenTheIdnumberUsesTheLabel) {
    const auto result = parse(with(minimal(), "/membership/idnumber_template", "{etape}-{label}"));
    ASSERT_TRUE(result.config);
    ASSERT_EQ(result.problems.size(), 1U);
    EXPECT_EQ(result.problems[0].severity, Severity::warning);
}

// ---- Required keys and cross-checks -------------------------------------------------------------------

TEST(ConfigRequired, ListsEveryMissingKeyAtOnce) {
    const auto result = parse_config("{}", "empty.json");
    EXPECT_FALSE(result.config);
    std::vector<std::string> locators;
    for (const auto& issue : errors(result)) {
        locators.push_back(issue.locator);
    }
    EXPECT_EQ(locators,
              (std::vector<std::string>{"/ldap/uris", "/ldap/base_dn", "/apogee/path", "/moodle/conninfo"}));
    EXPECT_EQ(issue_at(result, "/ldap/base_dn")->message,
              "required key 'base_dn' (string) is missing: Where the student entries are searched.");
}

TEST(ConfigRequired, ReportsEveryKindOfProblemInOneResult) {
    auto document = without(minimal(), "/moodle/conninfo");
    document = with(document, "/ldap/pagesize", 100);
    document = with(document, "/guards/max_removals", "many");
    document = with(document, "/moodle/prefix", "MDL");
    const auto result = parse(document);
    EXPECT_FALSE(result.config);
    EXPECT_EQ(errors(result).size(), 4U) << all_text(result.problems);
    for (const char* locator :
         {"/ldap/pagesize", "/guards/max_removals", "/moodle/prefix", "/moodle/conninfo"}) {
        EXPECT_TRUE(issue_at(result, locator)) << locator;
    }
}

TEST(ConfigRequired, ASectionOfTheWrongTypeHidesItsMissingKeys) {
    const auto result = parse(with(minimal(), "/ldap", "ldaps://a.example"));
    ASSERT_EQ(errors(result).size(), 1U) << all_text(result.problems);
    EXPECT_EQ(result.problems[0].locator, "/ldap");
}

TEST(ConfigRequired, BindDnAndPasswordSourceGoTogether) {
    const std::string dn = "cn=cohort-sync,ou=services,dc=univ-exemple,dc=fr";
    const auto no_password = parse(with(minimal(), "/ldap/bind_dn", dn));
    EXPECT_FALSE(no_password.config);
    ASSERT_TRUE(issue_at(no_password, "/ldap/bind_dn"));
    EXPECT_NE(issue_at(no_password, "/ldap/bind_dn")
                  ->message.find("neither ldap.password_file nor ldap.password_credential"),
              std::string::npos);

    const auto no_dn = parse(with(minimal(), "/ldap/password_file", "/etc/cohort-sync/ldap-password"));
    EXPECT_FALSE(no_dn.config);
    EXPECT_TRUE(issue_at(no_dn, "/ldap/password_file"));

    const auto no_dn_credential = parse(with(minimal(), "/ldap/password_credential", "ldap-password"));
    EXPECT_TRUE(issue_at(no_dn_credential, "/ldap/password_credential"));

    auto both = with(minimal(), "/ldap/bind_dn", dn);
    both = with(both, "/ldap/password_file", "/etc/cohort-sync/ldap-password");
    // Both: the credential under systemd, the file when an admin runs it by hand.
    const auto both_result = parse(with(both, "/ldap/password_credential", "ldap-password"));
    EXPECT_TRUE(both_result.config);
}

// ---- Secrets -------------------------------------------------------------------------------------------

TEST(ConfigSecret, RefusesPasswordKeysWithoutEchoingTheValue) {
    for (const char* pointer : {"/ldap/password", "/ldap/bind_password", "/ldap/bindpw", "/ldap/bindPassword",
                                "/ldap/Password", "/moodle/password", "/moodle/db_passwd", "/password",
                                "/postgres/password", "/ldap/attributes/secret"}) {
        SCOPED_TRACE(pointer);
        const auto result = parse(with(minimal(), pointer, "s3cr3t-Value"));
        EXPECT_FALSE(result.config);
        const Issue* issue = issue_at(result, pointer);
        ASSERT_TRUE(issue) << all_text(result.problems);
        EXPECT_EQ(issue->severity, Severity::error);
        EXPECT_NE(issue->message.find("secrets never live in the configuration file"), std::string::npos);
        EXPECT_NE(issue->message.find("ldap.password_file"), std::string::npos);
        EXPECT_NE(issue->message.find("ldap.password_credential"), std::string::npos);
        EXPECT_NE(issue->message.find("LoadCredential="), std::string::npos);
        EXPECT_NE(issue->message.find(".pgpass"), std::string::npos);
        EXPECT_EQ(all_text(result.problems).find("s3cr3t"), std::string::npos) << all_text(result.problems);
    }
}

TEST(ConfigSecret, RefusesAPasswordInConninfoWithoutEchoingIt) {
    for (const char* conninfo :
         {"host=db dbname=moodle password=s3cr3t", "host=db password = 's3cr3t and more'",
          "host=db PASSWORD=s3cr3t", "sslpassword=s3cr3t host=db", "postgresql://cohortsync:s3cr3t@db/moodle",
          "postgres://db/moodle?sslmode=require&password=s3cr3t"}) {
        SCOPED_TRACE(conninfo);
        const auto result = parse(with(minimal(), "/moodle/conninfo", conninfo));
        EXPECT_FALSE(result.config);
        const Issue* issue = issue_at(result, "/moodle/conninfo");
        ASSERT_TRUE(issue) << all_text(result.problems);
        EXPECT_NE(issue->message.find("conninfo holds a password"), std::string::npos);
        EXPECT_NE(issue->message.find(".pgpass"), std::string::npos);
        EXPECT_EQ(all_text(result.problems).find("s3cr3t"), std::string::npos) << all_text(result.problems);
    }
}

TEST(ConfigSecret, RefusesCredentialsInAnLdapUriWithoutEchoingThem) {
    const auto result = parse(with(minimal(), "/ldap/uris", {"ldaps://cn=admin:s3cr3t@ldap.example"}));
    EXPECT_FALSE(result.config);
    ASSERT_TRUE(issue_at(result, "/ldap/uris/0"));
    EXPECT_EQ(all_text(result.problems).find("s3cr3t"), std::string::npos) << all_text(result.problems);
}

TEST(ConfigSecret, SyntaxErrorDoesNotEchoTheText) {
    const auto result = parse_config("{\"ldap\": {\"bind_password\": s3cr3t}}", "c.json");
    ASSERT_EQ(result.problems.size(), 1U);
    EXPECT_EQ(all_text(result.problems).find("s3cr3t"), std::string::npos) << all_text(result.problems);
}

// ---- Syntax --------------------------------------------------------------------------------------------

TEST(ConfigSyntax, ReportsFileLineAndColumn) {
    const std::string text = "{\n"
                             "  // comment\n"
                             "  \"ldap\": {\"page_size\": 500,}\n"
                             "}\n";
    const auto result = parse_config(text, "/etc/cohort-sync/cohort-sync.json");
    EXPECT_FALSE(result.config);
    ASSERT_EQ(result.problems.size(), 1U);
    EXPECT_EQ(result.problems[0].locator, "/etc/cohort-sync/cohort-sync.json:3:29");
    EXPECT_TRUE(result.problems[0].message.starts_with(
        "unable to parse '/etc/cohort-sync/cohort-sync.json' as JSON at line 3, column 29: syntax error"))
        << result.problems[0].message;
}

TEST(ConfigSyntax, CountsColumnsInCharacters) {
    const auto result = parse_config("{\"x\": 1, \"é\" 2}", "c.json");
    ASSERT_EQ(result.problems.size(), 1U);
    EXPECT_EQ(result.problems[0].locator, "c.json:1:14");
}

TEST(ConfigSyntax, RefusesEmptyTextAndNonObjects) {
    EXPECT_EQ(errors(parse_config("", "c.json")).size(), 1U);
    const auto array = parse_config("[1, 2]", "c.json");
    ASSERT_EQ(array.problems.size(), 1U);
    EXPECT_EQ(array.problems[0].message, "'c.json' must hold a JSON object, got an array");
}

// ---- The example file, print_config and the documentation ------------------------------------------------

TEST(ConfigExample, ParsesWithoutAnyProblem) {
    const auto path = k_source_dir / "config" / "cohort-sync.example.json";
    const auto result = parse_config(read_text(path), path.string());
    EXPECT_TRUE(result.problems.empty()) << all_text(result.problems);
    ASSERT_TRUE(result.config);
    EXPECT_EQ(result.config->ldap.password_credential, "ldap-password");
}

TEST(ConfigExample, SetsEveryKey) {
    const auto document =
        json::parse(read_text(k_source_dir / "config" / "cohort-sync.example.json"), nullptr, true, true);
    for (const auto& [pointer, value] : every_key()) {
        EXPECT_TRUE(document.contains(json::json_pointer(pointer))) << pointer;
    }
}

TEST(ConfigPrint, ListsEveryKeyInTableOrder) {
    const std::string printed = print_config(Config{});
    EXPECT_TRUE(printed.starts_with("{\n  \"ldap\": {\n    \"uris\": [],\n")) << printed;
    EXPECT_EQ(every_key().size(), 129U);
}

TEST(ConfigPrint, RoundTripsToAnEqualConfig) {
    auto document = minimal();
    document = with(document, "/ldap/bind_dn", "cn=cohort-sync,ou=services,dc=univ-exemple,dc=fr");
    document = with(document, "/ldap/password_file", "/etc/cohort-sync/ldap-password");
    document = with(document, "/apogee/delimiter", "\t");
    document = with(document, "/apogee/encoding", "cp1252");
    document = with(document, "/apogee/overlap_until", "10-31");
    document = with(document, "/apogee/max_age_hours", 30.5);
    document = with(document, "/membership/rule", "union");
    document = with(document, "/membership/etape_patterns", {"DU*", "L?INF"});
    document = with(document, "/moodle/match_by", "idnumber");
    document = with(document, "/moodle/context_id", 9007199254740993LL);
    document = with(document, "/moodle/post_commit_command", {"/usr/bin/php", "sync.php", "--verbose"});
    document = with(document, "/guards/max_total_removal_ratio", 0.015);
    const auto first = parse(document);
    ASSERT_TRUE(first.config) << all_text(first.problems);

    const std::string printed = print_config(*first.config);
    const auto second = parse_config(printed, "printed.json");
    ASSERT_TRUE(second.config) << all_text(second.problems);
    EXPECT_TRUE(second.problems.empty()) << all_text(second.problems);
    EXPECT_EQ(print_config(*second.config), printed);
    EXPECT_EQ(second.config->apogee.delimiter, '\t');
    EXPECT_EQ(second.config->apogee.encoding, Encoding::windows_1252);
    EXPECT_EQ(second.config->apogee.overlap_until, (std::optional<MonthDay>{MonthDay{10, 31}}));
    EXPECT_EQ(second.config->moodle.context_id, 9007199254740993LL);
    EXPECT_EQ(second.config->guards.max_total_removal_ratio, 0.015);
    EXPECT_NE(printed.find("\"encoding\": \"windows-1252\""), std::string::npos);
    EXPECT_NE(printed.find("\"delimiter\": \"\\t\""), std::string::npos);
}

// docs/configuration.md documents each key under a "### `/path`" heading whose text gives the
// default as "default `<JSON>`" (or says the key is required): this keeps the page honest.
TEST(ConfigDocs, DocumentEveryKeyWithItsDefault) {
    const std::string docs = read_text(k_source_dir / "docs" / "configuration.md");
    for (const auto& [pointer, value] : every_key()) {
        SCOPED_TRACE(pointer);
        const std::string heading = "### `" + pointer + "`\n";
        const auto begin = docs.find(heading);
        ASSERT_NE(begin, std::string::npos) << "no heading " << heading;
        const auto end = docs.find("\n#", begin + heading.size());
        const std::string section =
            docs.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
        const auto default_at = section.find("default `");
        if (default_at == std::string::npos) {
            EXPECT_NE(section.find("required"), std::string::npos) << "neither a default nor 'required'";
            continue;
        }
        const auto value_begin = default_at + std::string_view("default `").size();
        const std::string documented =
            section.substr(value_begin, section.find('`', value_begin) - value_begin);
        EXPECT_EQ(documented, value.dump());
    }
}

} // namespace
} // namespace cohort_sync
