// The run report: its JSON has exactly the shape docs/report.md documents (operators script
// against it with jq, so a renamed key is a breaking change), and the plan, summary and
// course-impact texts are pinned down as golden strings.
#include "cohort_sync/impact.hpp"
#include "cohort_sync/report.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace cohort_sync;

namespace {

// ---- The documented shape ------------------------------------------------------------------

// One row of docs/report.md's key table. `types` holds JSON type names ("integer", "string",
// "null"...); a "number" key also accepts an integer (0.0 and 2 are both valid durations).
struct KeyShape {
    std::set<std::string> types;
    bool always = true;

    friend bool operator==(const KeyShape&, const KeyShape&) = default;
};

using Shape = std::map<std::string, KeyShape>;

// The same table as docs/report.md, written out here so that a change to the report is a change
// to this test too. Paths: '.' between keys, "[]" for each array element, "<étape>" for the
// keys of a map. Only scalar array elements get a "[]" row of their own.
const Shape& documented_shape() {
    static const Shape shape = [] {
        Shape s;
        const auto key = [&s](const std::string& path, std::set<std::string> types, bool always = true) {
            s[path] = {std::move(types), always};
        };
        key("format", {"integer"});
        key("run_id", {"string"});
        key("outcome", {"string"});
        key("dry_run", {"boolean"});
        key("forced", {"boolean"});
        key("started_at", {"integer"});
        key("finished_at", {"integer"});
        key("counts", {"object"});
        key("counts.directory_entries", {"integer"});
        key("counts.export_inscriptions", {"integer"});
        key("counts.students", {"integer"});
        key("counts.per_etape", {"object"});
        key("counts.per_etape.<étape>", {"integer"}, false);
        key("directory_pages", {"integer"});
        key("phases", {"array"});
        key("phases[].phase", {"string"});
        key("phases[].seconds", {"number"});
        key("cross_check", {"object"});
        key("cross_check.students_compared", {"integer"});
        key("cross_check.only_in_export", {"integer"});
        key("cross_check.only_in_directory", {"integer"});
        key("cross_check.disagreements", {"array"});
        for (const char* field : {"student_number", "login", "etape", "only_in", "locator"}) {
            key(std::string("cross_check.disagreements[].") + field, {"string"});
        }
        key("plan", {"object", "null"});
        key("plan.totals", {"object"});
        for (const char* total : {"adds", "accounts", "removes", "creates", "renames", "deferred",
                                  "cohorts_changed", "managed_memberships"}) {
            key(std::string("plan.totals.") + total, {"integer"});
        }
        key("plan.cohorts", {"array"});
        key("plan.cohorts[].cohort_id", {"integer", "null"});
        key("plan.cohorts[].idnumber", {"string"});
        key("plan.cohorts[].etape", {"string"});
        key("plan.cohorts[].name", {"string"});
        key("plan.cohorts[].create", {"boolean"});
        key("plan.cohorts[].rename_from", {"string", "null"});
        key("plan.cohorts[].current_size", {"integer"});
        key("plan.cohorts[].desired_size", {"integer"});
        for (const std::string list : {"adds", "removes", "deferred"}) {
            key("plan.cohorts[]." + list, {"array"});
            key("plan.cohorts[]." + list + "[].user_id", {"integer"});
            key("plan.cohorts[]." + list + "[].username", {"string"});
            key("plan.cohorts[]." + list + "[].idnumber", {"string"});
        }
        key("plan.unplaced", {"array"});
        for (const char* field : {"student_number", "login", "etape", "reason"}) {
            key(std::string("plan.unplaced[].") + field, {"string"});
        }
        key("plan.accounts", {"array"});
        for (const char* field : {"username", "idnumber", "first_name", "last_name", "mail", "auth"}) {
            key(std::string("plan.accounts[].") + field, {"string"});
        }
        key("plan.left_alone", {"array"});
        key("plan.left_alone[]", {"string"});
        key("plan.issues", {"array"});
        key("guards", {"array"});
        key("guards[].guard", {"string"});
        key("guards[].tripped", {"boolean"});
        key("guards[].figures", {"string"});
        key("guards[].hint", {"string"});
        key("course_impact", {"object", "null"});
        key("course_impact.unenrol_action", {"integer"});
        key("course_impact.cohort_enrol_enabled", {"boolean"});
        key("course_impact.enrolments_added", {"integer"});
        key("course_impact.enrolments_removed", {"integer"});
        key("course_impact.graded_students_removed", {"integer"});
        key("course_impact.courses", {"array"});
        key("course_impact.courses[].course_id", {"integer"});
        key("course_impact.courses[].shortname", {"string"});
        key("course_impact.courses[].enrolments_added", {"integer"});
        key("course_impact.courses[].enrolments_removed", {"integer"});
        key("course_impact.courses[].removed_with_grades", {"integer"});
        key("applied", {"object", "null"});
        for (const char* field :
             {"accounts_created", "cohorts_created", "cohorts_renamed", "members_added", "members_removed"}) {
            key(std::string("applied.") + field, {"integer"});
        }
        key("issues", {"array"});
        for (const std::string prefix : {"plan.issues[].", "issues[]."}) {
            key(prefix + "severity", {"string"});
            key(prefix + "locator", {"string"});
            key(prefix + "message", {"string"});
        }
        key("error", {"string", "null"});
        key("hint", {"string", "null"});
        return s;
    }();
    return shape;
}

std::string type_of(const nlohmann::json& value) {
    if (value.is_null()) {
        return "null";
    }
    if (value.is_boolean()) {
        return "boolean";
    }
    if (value.is_number_integer()) {
        return "integer";
    }
    if (value.is_number()) {
        return "number";
    }
    if (value.is_string()) {
        return "string";
    }
    return value.is_array() ? "array" : "object";
}

std::string child_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

std::string parent_of(const std::string& path) {
    const auto dot = path.rfind('.');
    return dot == std::string::npos ? "" : path.substr(0, dot);
}

bool is_map_entry(const std::string& path) {
    return path.substr(path.rfind('.') + 1).starts_with("<");
}

// The row for `key` of the object at `parent`: its own, or the parent's "<...>" map-entry row.
const std::pair<const std::string, KeyShape>* row_for(const Shape& shape, const std::string& parent,
                                                      const std::string& key) {
    if (const auto it = shape.find(child_path(parent, key)); it != shape.end()) {
        return &*it;
    }
    for (const auto& row : shape) {
        if (parent_of(row.first) == parent && is_map_entry(row.first)) {
            return &row;
        }
    }
    return nullptr;
}

// Checks `json` against `shape`; returns the problems (empty: valid) and collects the rows met,
// with the types seen, into `seen`.
class ShapeChecker {
public:
    explicit ShapeChecker(const Shape& shape)
        : m_shape(shape) {}

    std::vector<std::string> check(const nlohmann::json& report) {
        m_problems.clear();
        visit_object(report, "");
        return m_problems;
    }

    const std::map<std::string, std::set<std::string>>& seen() const { return m_seen; }

private:
    void visit_object(const nlohmann::json& object, const std::string& path) {
        for (const auto& [row_path, row] : m_shape) {
            const bool element_row = row_path.ends_with("[]");
            if (row.always && !element_row && parent_of(row_path) == path &&
                !object.contains(row_path.substr(row_path.rfind('.') + 1))) {
                m_problems.push_back("missing key " + row_path);
            }
        }
        for (const auto& [key, value] : object.items()) {
            const auto* row = row_for(m_shape, path, key);
            if (row == nullptr) {
                m_problems.push_back("undocumented key " + child_path(path, key));
                continue;
            }
            visit_value(value, row->first, row->second);
        }
    }

    void visit_value(const nlohmann::json& value, const std::string& path, const KeyShape& row) {
        const auto type = type_of(value);
        m_seen[path].insert(type);
        const bool fits = row.types.contains(type) || (type == "integer" && row.types.contains("number"));
        if (!fits) {
            m_problems.push_back(path + ": " + type + " is not a documented type");
            return;
        }
        if (value.is_object()) {
            visit_object(value, path);
        } else if (value.is_array()) {
            for (const auto& element : value) {
                if (element.is_object()) {
                    visit_object(element, path + "[]");
                } else if (const auto it = m_shape.find(path + "[]"); it != m_shape.end()) {
                    visit_value(element, it->first, it->second);
                } else {
                    m_problems.push_back("undocumented scalar element of " + path);
                }
            }
        }
    }

    const Shape& m_shape;
    std::vector<std::string> m_problems;
    std::map<std::string, std::set<std::string>> m_seen;
};

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        out += line + "\n";
    }
    return out;
}

// ---- docs/report.md ------------------------------------------------------------------------

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    const auto last = text.find_last_not_of(" \t");
    return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

std::vector<std::string> table_cells(const std::string& line) {
    std::vector<std::string> cells;
    std::istringstream in(line.substr(1)); // after the leading '|'
    for (std::string cell; std::getline(in, cell, '|');) {
        cells.push_back(trim(cell));
    }
    return cells;
}

// The table under "## Keys": `path` | type[ or type] | yes/no | meaning.
Shape shape_from_docs(std::string& error) {
    const auto path = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "docs" / "report.md";
    std::ifstream in(path);
    if (!in) {
        error = "cannot read " + path.string();
        return {};
    }
    Shape shape;
    bool in_section = false;
    bool in_table = false;
    int row_number = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("## ")) {
            if (in_section) {
                break;
            }
            in_section = line == "## Keys";
            continue;
        }
        if (!in_section) {
            continue;
        }
        if (!line.starts_with("|")) {
            if (in_table) {
                break;
            }
            continue;
        }
        in_table = true;
        if (++row_number <= 2) {
            continue; // the header and the --- line
        }
        const auto cells = table_cells(line);
        if (cells.size() < 4 || cells[0].size() < 3 || cells[0].front() != '`' || cells[0].back() != '`') {
            error = "malformed row: " + line;
            return {};
        }
        KeyShape row;
        std::istringstream types(cells[1]);
        for (std::string word; types >> word;) {
            if (word != "or") {
                row.types.insert(word);
            }
        }
        if (cells[2] != "yes" && cells[2] != "no") {
            error = "third column is neither yes nor no: " + line;
            return {};
        }
        row.always = cells[2] == "yes";
        const auto key = cells[0].substr(1, cells[0].size() - 2);
        if (!shape.emplace(key, row).second) {
            error = "key listed twice: " + key;
            return {};
        }
    }
    if (shape.empty()) {
        error = "no key table under '## Keys' in " + path.string();
    }
    return shape;
}

// ---- Sample reports ------------------------------------------------------------------------

Plan sample_plan() {
    Plan plan;
    CohortPlan info;
    info.cohort_id = 11;
    info.idnumber = "etape-L1INFO";
    info.etape = "L1INFO";
    info.name = "L1INFO: Licence 1 Informatique";
    info.rename_from = "L1INFO: Licence 1 Info";
    info.current_size = 3;
    info.desired_size = 3;
    info.adds = {{101, "alice", "22800001"}};
    info.removes = {{102, "bob", "22800002"}};
    info.deferred = {{103, "carol", "22800003"}};
    CohortPlan bio;
    bio.idnumber = "etape-M1BIO";
    bio.etape = "M1BIO";
    bio.name = "M1BIO: Master 1 Biologie";
    bio.desired_size = 2;
    bio.adds = {{104, "dave", "22800004"}, {0, "eve", "22800005"}};
    CohortPlan unchanged;
    unchanged.cohort_id = 13;
    unchanged.idnumber = "etape-L2MATH";
    unchanged.etape = "L2MATH";
    unchanged.name = "L2MATH: Licence 2 Maths";
    unchanged.current_size = 4;
    unchanged.desired_size = 4;
    plan.cohorts = {info, bio, unchanged};
    plan.accounts = {{"eve", "22800005", "Eve", "Martin", "eve@univ-test.fr", "cas"}};
    plan.unplaced = {{"22800006", "frank", "L1INFO", UnplacedReason::no_account},
                     {"22800007", "", "M1BIO", UnplacedReason::deleted_account}};
    plan.left_alone = {"etape-DUOLD"};
    plan.issues = {
        {Severity::error, "etape-L3X", "étape L3X is skipped: idnumber 'etape-L3X' is already used"}};
    plan.managed_memberships = 7;
    return plan;
}

std::vector<GuardVerdict> sample_verdicts() {
    return {{"max_removals", false, "1 removal(s) <= limit 1000", ""},
            {"max_cohort_removal_ratio", true,
             "1 cohort(s) would lose more than 25.0 %: etape-L1INFO -1 of 3",
             "review the plan with 'cohort-sync --dry-run -v'"}};
}

CourseImpact sample_impact(UnenrolAction action = UnenrolAction::unenrol) {
    CourseImpact impact;
    impact.unenrol_action = action;
    impact.enrolments_added = 3;
    impact.enrolments_removed = 2;
    impact.graded_students_removed = 1;
    impact.courses = {{201, "INFO101", 1, 1, 1}, {202, "BIO101", 2, 1, 0}};
    return impact;
}

// Every optional part set and every list non-empty, so that every documented key appears. The
// outcome that has them all is "in-doubt": applied, then the commit's answer was lost.
RunReport full_report() {
    RunReport report;
    report.run_id = "20261129T023512Z-3f9a";
    report.outcome = "in-doubt";
    report.forced = true;
    report.started_at = 1795919712;
    report.finished_at = 1795919718;
    report.phases = {{"ldap", 1.5},  {"export", 0.25}, {"merge", 0.0}, {"lock", 0.01}, {"load", 0.2},
                     {"plan", 0.05}, {"impact", 0.1},  {"apply", 0.3}, {"commit", 2.0}};
    report.counts = {120, 118, 117, {{"L1INFO", 3}, {"M1BIO", 2}}};
    report.directory_pages = 3;
    report.cross_check.students_compared = 110;
    report.cross_check.only_in_export = 1;
    report.cross_check.all = {
        {"22800008", "gina", "L1INFO", "export", "uid=gina,ou=people,dc=univ-test,dc=fr"}};
    report.cross_check.examples = report.cross_check.all;
    report.plan = sample_plan();
    report.verdicts = sample_verdicts();
    report.impact = sample_impact();
    report.applied = ApplyStats{1, 1, 1, 3, 1};
    report.issues = {{Severity::warning, "apogee.csv:12", "column 'COD_ETU' is empty"}};
    report.error = "the connection to PostgreSQL was lost during COMMIT";
    report.hint = "the next run reads Moodle's real state and converges either way";
    return report;
}

// The same plan computed by a dry run: nothing applied, no error.
RunReport dry_run_report() {
    auto report = full_report();
    report.outcome = "dry-run";
    report.dry_run = true;
    report.forced = false;
    report.finished_at = 0;
    report.phases.resize(7); // up to "impact": a dry run stops before apply and commit
    report.applied.reset();
    report.error.clear();
    report.hint.clear();
    return report;
}

// A run that failed before anything was planned: every optional part null, every list empty.
RunReport early_failure() {
    RunReport report;
    report.run_id = "20261129T023512Z-0001";
    report.outcome = "failed";
    report.started_at = 1795919712;
    report.finished_at = 1795919713;
    report.error = "unable to read '/var/lib/cohort-sync/incoming/apogee.csv': No such file or directory";
    return report;
}

} // namespace

// ---- JSON against the documented shape ------------------------------------------------------

TEST(ReportJson, FullReportHasTheDocumentedShape) {
    ShapeChecker checker(documented_shape());
    const auto problems = checker.check(to_json(full_report()));
    EXPECT_TRUE(problems.empty()) << joined(problems);
}

TEST(ReportJson, EarlyFailureHasTheDocumentedShapeWithNulls) {
    const auto json = to_json(early_failure());
    ShapeChecker checker(documented_shape());
    const auto problems = checker.check(json);
    EXPECT_TRUE(problems.empty()) << joined(problems);
    EXPECT_TRUE(json.at("plan").is_null());
    EXPECT_TRUE(json.at("course_impact").is_null());
    EXPECT_TRUE(json.at("applied").is_null());
    EXPECT_TRUE(json.at("hint").is_null());
    EXPECT_EQ(json.at("error"), early_failure().error);
    EXPECT_EQ(json.at("phases"), nlohmann::json::array());
    EXPECT_EQ(json.at("guards"), nlohmann::json::array());
}

// Every documented key is emitted by the code, and each documented type (a nullable key's null
// and non-null alike) really occurs: the table promises nothing the program never writes.
TEST(ReportJson, EmitsEveryDocumentedKeyWithEveryDocumentedType) {
    ShapeChecker checker(documented_shape());
    ASSERT_TRUE(checker.check(to_json(full_report())).empty());
    ASSERT_TRUE(checker.check(to_json(early_failure())).empty());
    ASSERT_TRUE(checker.check(to_json(dry_run_report())).empty());
    for (const auto& [path, row] : documented_shape()) {
        const auto seen = checker.seen().find(path);
        ASSERT_NE(seen, checker.seen().end()) << path << " is documented but never emitted";
        for (const auto& type : row.types) {
            const bool met =
                seen->second.contains(type) || (type == "number" && seen->second.contains("integer"));
            EXPECT_TRUE(met) << path << " is documented as possibly " << type << " but never is";
        }
    }
}

TEST(ReportJson, DocsTableListsExactlyTheKeysOfThisTest) {
    std::string error;
    const auto documented = shape_from_docs(error);
    ASSERT_TRUE(error.empty()) << error;
    for (const auto& [path, row] : documented_shape()) {
        const auto it = documented.find(path);
        if (it == documented.end()) {
            ADD_FAILURE() << "docs/report.md does not list " << path;
        } else {
            EXPECT_EQ(it->second, row) << "docs/report.md gives " << path << " another type or 'always'";
        }
    }
    for (const auto& [path, row] : documented) {
        EXPECT_TRUE(documented_shape().contains(path))
            << "docs/report.md lists " << path << ", which is not emitted";
    }
}

// The docs' own table, used directly as the schema: what the code writes validates against it.
TEST(ReportJson, CodeMatchesTheDocsTableDirectly) {
    std::string error;
    const auto documented = shape_from_docs(error);
    ASSERT_TRUE(error.empty()) << error;
    ShapeChecker checker(documented);
    const auto full = checker.check(to_json(full_report()));
    EXPECT_TRUE(full.empty()) << joined(full);
    const auto early = checker.check(to_json(early_failure()));
    EXPECT_TRUE(early.empty()) << joined(early);
    const auto dry = checker.check(to_json(dry_run_report()));
    EXPECT_TRUE(dry.empty()) << joined(dry);
    for (const auto& [path, row] : documented) {
        EXPECT_TRUE(checker.seen().contains(path)) << "docs/report.md lists " << path << ", never emitted";
    }
}

TEST(ReportJson, DryRunHasTheDocumentedShapeWithoutErrorOrApplied) {
    const auto json = to_json(dry_run_report());
    ShapeChecker checker(documented_shape());
    const auto problems = checker.check(json);
    EXPECT_TRUE(problems.empty()) << joined(problems);
    EXPECT_EQ(json.at("outcome"), "dry-run");
    EXPECT_EQ(json.at("dry_run"), true);
    EXPECT_TRUE(json.at("applied").is_null());
    EXPECT_TRUE(json.at("error").is_null());
    EXPECT_TRUE(json.at("hint").is_null());
    EXPECT_TRUE(json.at("plan").is_object());
}

TEST(ReportJson, CarriesTheValuesOfTheReport) {
    const auto json = to_json(full_report());
    EXPECT_EQ(json.at("format"), 1);
    EXPECT_EQ(json.at("outcome"), "in-doubt");
    EXPECT_EQ(json.at("forced"), true);
    EXPECT_EQ(json.at("counts").at("per_etape").at("M1BIO"), 2);
    EXPECT_EQ(json.at("phases").size(), 9u);
    EXPECT_EQ(json.at("phases").at(0), (nlohmann::json{{"phase", "ldap"}, {"seconds", 1.5}}));

    const auto& plan = json.at("plan");
    EXPECT_EQ(plan.at("totals"), (nlohmann::json{{"adds", 3},
                                                 {"accounts", 1},
                                                 {"removes", 1},
                                                 {"creates", 1},
                                                 {"renames", 1},
                                                 {"deferred", 1},
                                                 {"cohorts_changed", 2},
                                                 {"managed_memberships", 7}}));
    ASSERT_EQ(plan.at("cohorts").size(), 2u) << "a cohort without change is left out";
    EXPECT_EQ(plan.at("cohorts").at(0).at("cohort_id"), 11);
    EXPECT_EQ(plan.at("cohorts").at(0).at("rename_from"), "L1INFO: Licence 1 Info");
    EXPECT_EQ(plan.at("cohorts").at(0).at("deferred").at(0),
              (nlohmann::json{{"user_id", 103}, {"username", "carol"}, {"idnumber", "22800003"}}));
    EXPECT_TRUE(plan.at("cohorts").at(1).at("cohort_id").is_null());
    EXPECT_TRUE(plan.at("cohorts").at(1).at("rename_from").is_null());
    EXPECT_EQ(plan.at("cohorts").at(1).at("create"), true);
    EXPECT_EQ(plan.at("cohorts").at(1).at("adds").at(1).at("user_id"), 0) << "an account this run creates";
    EXPECT_EQ(plan.at("unplaced").at(1).at("reason"), "deleted_account");
    EXPECT_EQ(plan.at("left_alone"), nlohmann::json::array({"etape-DUOLD"}));
    EXPECT_EQ(plan.at("issues").at(0).at("severity"), "error");

    EXPECT_EQ(json.at("guards").at(1).at("tripped"), true);
    EXPECT_EQ(json.at("guards").at(0).at("hint"), "");
    EXPECT_EQ(json.at("course_impact").at("unenrol_action"), 0);
    EXPECT_EQ(json.at("course_impact").at("courses").at(0), (nlohmann::json{{"course_id", 201},
                                                                            {"shortname", "INFO101"},
                                                                            {"enrolments_added", 1},
                                                                            {"enrolments_removed", 1},
                                                                            {"removed_with_grades", 1}}));
    EXPECT_EQ(json.at("applied").at("members_added"), 3);
    EXPECT_EQ(json.at("issues").at(0).at("locator"), "apogee.csv:12");
}

TEST(ReportJson, UnenrolActionIsMoodlesNumber) {
    auto report = full_report();
    report.impact = sample_impact(UnenrolAction::suspend_no_roles);
    report.impact->cohort_enrol_enabled = false;
    const auto json = to_json(report);
    EXPECT_EQ(json.at("course_impact").at("unenrol_action"), 3);
    EXPECT_EQ(json.at("course_impact").at("cohort_enrol_enabled"), false);
}

// ---- Golden texts --------------------------------------------------------------------------

TEST(RenderPlan, GoldenTerse) {
    EXPECT_EQ(
        render_plan(sample_plan(), sample_verdicts(), false),
        "plan: +3 -1 in 2 cohort(s), 1 new, 1 renamed, 1 removal(s) deferred by the grace period\n"
        "  etape-L1INFO             +1     -1     L1INFO: Licence 1 Informatique\n"
        "      rename from 'L1INFO: Licence 1 Info'\n"
        "  etape-M1BIO              +2     -0     new: M1BIO: Master 1 Biologie\n"
        "accounts: 1 Moodle account(s) to create for students who have none (provisioning)\n"
        "  etape-DUOLD              left alone: nobody in the sources any more "
        "(moodle.empty_vanished_cohorts is off)\n"
        "unplaced: 2 student membership(s) without a usable Moodle account: 1 deleted_account, 1 no_account\n"
        "error: etape-L3X: étape L3X is skipped: idnumber 'etape-L3X' is already used\n"
        "guard max_removals               ok  1 removal(s) <= limit 1000\n"
        "guard max_cohort_removal_ratio   TRIPPED  1 cohort(s) would lose more than 25.0 %: etape-L1INFO -1 "
        "of 3\n");
}

TEST(RenderPlan, GoldenVerboseListsTheUsernames) {
    EXPECT_EQ(
        render_plan(sample_plan(), sample_verdicts(), true),
        "plan: +3 -1 in 2 cohort(s), 1 new, 1 renamed, 1 removal(s) deferred by the grace period\n"
        "  etape-L1INFO             +1     -1     L1INFO: Licence 1 Informatique\n"
        "      rename from 'L1INFO: Licence 1 Info'\n"
        "      + alice\n"
        "      - bob\n"
        "      kept for now (grace period): carol\n"
        "  etape-M1BIO              +2     -0     new: M1BIO: Master 1 Biologie\n"
        "      + dave eve\n"
        "accounts: 1 Moodle account(s) to create for students who have none (provisioning)\n"
        "  + eve                  22800005     Eve Martin\n"
        "  etape-DUOLD              left alone: nobody in the sources any more "
        "(moodle.empty_vanished_cohorts is off)\n"
        "unplaced: 2 student membership(s) without a usable Moodle account: 1 deleted_account, 1 no_account\n"
        "  L1INFO       22800006         frank        no_account\n"
        "  M1BIO        22800007                      deleted_account\n"
        "error: etape-L3X: étape L3X is skipped: idnumber 'etape-L3X' is already used\n"
        "guard max_removals               ok  1 removal(s) <= limit 1000\n"
        "guard max_cohort_removal_ratio   TRIPPED  1 cohort(s) would lose more than 25.0 %: etape-L1INFO -1 "
        "of 3\n");
}

TEST(RenderPlan, GoldenEmptyPlan) {
    EXPECT_EQ(render_plan(Plan{}, {{"max_removals", false, "0 removal(s) <= limit 1000", ""}}, true),
              "plan: +0 -0 in 0 cohort(s), 0 new, 0 renamed\n"
              "guard max_removals               ok  0 removal(s) <= limit 1000\n");
}

TEST(RenderPlan, UserWithoutUsernameShowsAsId) {
    Plan plan;
    CohortPlan cohort;
    cohort.cohort_id = 5;
    cohort.idnumber = "etape-X";
    cohort.name = "X";
    cohort.removes = {{42, "", ""}};
    plan.cohorts = {cohort};
    EXPECT_EQ(render_plan(plan, {}, true), "plan: +0 -1 in 1 cohort(s), 0 new, 0 renamed\n"
                                           "  etape-X                  +0     -1     X\n"
                                           "      - #42\n");
}

TEST(RenderSummary, GoldenFullRun) {
    EXPECT_EQ(render_summary(full_report()), "run 20261129T023512Z-3f9a: in-doubt; +3 -1 in 2 cohort(s), 1 "
                                             "new; 2 unplaced; 1 account(s) to create; "
                                             "sources: 120 directory entries, 118 active inscriptions, 117 "
                                             "students; cross-check: 1 only in export, "
                                             "0 only in directory; 1 guard(s) tripped");
}

TEST(RenderSummary, GoldenEarlyFailure) {
    EXPECT_EQ(
        render_summary(early_failure()),
        "run 20261129T023512Z-0001: failed; sources: 0 directory entries, 0 active inscriptions, 0 students");
}

TEST(RenderImpact, GoldenUnenrolWarnsAboutGrades) {
    EXPECT_EQ(
        render_impact(sample_impact(), false),
        "courses: 3 enrolment(s) added, 2 removed in 2 course(s); enrol_cohort's unenrol action: unenrol "
        "(grades are deleted with a student's last enrolment in a course)\n"
        "WARNING: 1 student(s) to be removed have grades in the affected courses, and the unenrol action "
        "deletes them with a student's last enrolment in a course; set enrol_cohort's 'External unenrol "
        "action' to suspend if that is not wanted\n");
}

TEST(RenderImpact, GoldenVerboseListsTheCourses) {
    EXPECT_EQ(
        render_impact(sample_impact(), true),
        "courses: 3 enrolment(s) added, 2 removed in 2 course(s); enrol_cohort's unenrol action: unenrol "
        "(grades are deleted with a student's last enrolment in a course)\n"
        "  course 201    INFO101                  +1     -1     1 with grades\n"
        "  course 202    BIO101                   +2     -1     0 with grades\n"
        "WARNING: 1 student(s) to be removed have grades in the affected courses, and the unenrol action "
        "deletes them with a student's last enrolment in a course; set enrol_cohort's 'External unenrol "
        "action' to suspend if that is not wanted\n");
}

TEST(RenderImpact, GoldenSuspendSaysSuspendedAndDoesNotWarn) {
    EXPECT_EQ(
        render_impact(sample_impact(UnenrolAction::suspend_no_roles), false),
        "courses: 3 enrolment(s) added, 2 suspended in 2 course(s); enrol_cohort's unenrol action: suspend "
        "the enrolment and remove the roles\n");
    EXPECT_EQ(
        render_impact(sample_impact(UnenrolAction::suspend), false),
        "courses: 3 enrolment(s) added, 2 suspended in 2 course(s); enrol_cohort's unenrol action: suspend "
        "the enrolment, keep the roles\n");
}

TEST(RenderImpact, GoldenDisabledPluginNote) {
    CourseImpact impact;
    impact.cohort_enrol_enabled = false;
    EXPECT_EQ(
        render_impact(impact, true),
        "courses: 0 enrolment(s) added, 0 removed in 0 course(s); enrol_cohort's unenrol action: unenrol "
        "(grades are deleted with a student's last enrolment in a course)\n"
        "  note: the 'cohort' enrolment plugin is disabled in Moodle: no course follows cohorts until it is "
        "enabled\n");
}
