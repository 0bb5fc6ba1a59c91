// The run report: its JSON has exactly the shape docs/report.md documents (operators script
// against it with jq, so a renamed key is a breaking change), and the plan, summary and
// course-impact texts are pinned down as golden strings.
#include "build_paths.hpp"
#include "cohort_sync/impact.hpp"
#include "cohort_sync/report.hpp"
#include "test_builders.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace cohort_sync;

namespace {

// The report as a value, for the checks below that read its keys.
nlohmann::json to_json(const RunReport& report, ReportDetail detail = ReportDetail::full) {
    return nlohmann::json::parse(report_json_text(report, detail));
}

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
        key("moodle", {"object", "null"});
        key("moodle.release", {"string"});
        key("moodle.version", {"string"});
        key("counts", {"object"});
        key("counts.directory_entries", {"integer"});
        key("counts.export_inscriptions", {"integer"});
        key("counts.pegase_inscriptions", {"integer"});
        key("counts.pedagogy_contracts", {"integer"}, false);
        key("counts.pedagogy_groups", {"integer"}, false);
        key("counts.students", {"integer"});
        key("counts.per_etape", {"object"});
        key("counts.per_etape.<étape>", {"integer"}, false);
        key("counts.per_kind", {"object"}, false);
        key("counts.per_kind.<kind>", {"object"}, false);
        key("counts.per_kind.<kind>.<key>", {"integer"}, false);
        key("directory_pages", {"integer"});
        key("sources", {"array"});
        key("sources[].source", {"string"});
        key("sources[].version", {"string", "null"});
        key("sources[].dump_date", {"string", "null"});
        key("sources[].not_counted", {"array"});
        key("sources[].not_counted[].reason", {"string"});
        key("sources[].not_counted[].rows", {"integer"});
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
        for (const char* total :
             {"adds", "accounts", "removes", "creates", "renames", "restores", "recreates", "deferred",
              "held_back", "cohorts_changed", "managed_memberships"}) {
            key(std::string("plan.totals.") + total, {"integer"});
        }
        key("plan.cohorts", {"array"});
        key("plan.cohorts[].cohort_id", {"integer", "null"});
        key("plan.cohorts[].idnumber", {"string"});
        key("plan.cohorts[].kind", {"string"}, false);
        key("plan.cohorts[].etape", {"string"});
        key("plan.cohorts[].name", {"string"});
        key("plan.cohorts[].create", {"boolean"});
        key("plan.cohorts[].rename_from", {"string", "null"});
        key("plan.cohorts[].restore_idnumber_from", {"string", "null"});
        key("plan.cohorts[].recreates", {"integer", "null"});
        key("plan.cohorts[].current_size", {"integer"});
        key("plan.cohorts[].desired_size", {"integer"});
        for (const std::string list : {"adds", "removes", "deferred", "held_back"}) {
            key("plan.cohorts[]." + list, {"array"});
            key("plan.cohorts[]." + list + "[].user_id", {"integer"});
            key("plan.cohorts[]." + list + "[].username", {"string"});
            key("plan.cohorts[]." + list + "[].idnumber", {"string"});
        }
        key("plan.cohorts[].held_back[].reasons", {"array"});
        key("plan.cohorts[].held_back[].reasons[].source", {"string"});
        key("plan.cohorts[].held_back[].reasons[].line", {"integer"});
        key("plan.cohorts[].held_back[].reasons[].dn", {"string"});
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
        key("plan.holds", {"array"}, false);
        for (const char* field : {"student_number", "login", "etape", "source", "dn", "message"}) {
            key(std::string("plan.holds[].") + field, {"string"});
        }
        key("plan.holds[].line", {"integer"});
        key("plan.holds[].element", {"string"}, false);
        key("plan.issues", {"array"});
        key("guards", {"array"});
        key("guards[].guard", {"string"});
        key("guards[].tripped", {"boolean"});
        key("guards[].figures", {"string"});
        key("guards[].hint", {"string"});
        key("guards[].overridable", {"boolean"});
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
        key("course_impact.groups_previewed", {"boolean"});
        key("course_impact.group_joins", {"integer"});
        key("course_impact.group_leaves", {"integer"});
        key("course_impact.courses[].groups", {"array"});
        key("course_impact.courses[].groups[].group_id", {"integer"});
        key("course_impact.courses[].groups[].name", {"string"});
        key("course_impact.courses[].groups[].joining", {"integer"});
        key("course_impact.courses[].groups[].leaving", {"integer"});
        key("course_impact.courses[].groups[].students_joining", {"array"});
        key("course_impact.courses[].groups[].students_joining[]", {"string"});
        key("course_impact.courses[].groups[].students_leaving", {"array"});
        key("course_impact.courses[].groups[].students_leaving[]", {"string"});
        key("applied", {"object", "null"});
        for (const char* field : {"accounts_created", "cohorts_created", "cohorts_renamed",
                                  "idnumbers_restored", "members_added", "members_removed"}) {
            key(std::string("applied.") + field, {"integer"});
        }
        key("post_commit", {"object", "null"});
        key("post_commit.command", {"string"});
        key("post_commit.succeeded", {"boolean"});
        key("post_commit.detail", {"string"});
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

// The table under "## Keys": `path` | type[ or type] | yes/no | meaning. `order`, when given,
// receives the paths in the order of the table.
Shape shape_from_docs(std::string& error, std::vector<std::string>* order = nullptr) {
    const auto path = cohort_sync::testing::source_dir() / "docs" / "report.md";
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
        if (order != nullptr) {
            order->push_back(key);
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
    info.restore_idnumber_from = "L1 info";
    info.current_size = 3;
    info.desired_size = 3;
    info.adds = {{101, "alice", "22800001"}};
    info.removes = {{102, "bob", "22800002"}};
    info.deferred = {{103, "carol", "22800003"}};
    info.held_back = {{105, "gina", "22800009", {{"export", 14, ""}}}};
    CohortPlan bio;
    bio.idnumber = "etape-M1BIO";
    bio.etape = "M1BIO";
    bio.name = "M1BIO: Master 1 Biologie";
    bio.desired_size = 2;
    bio.recreates = 9;
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
    plan.holds = {{"22800009", "", "", {"export", 14, ""}, "column 'COD_ETP' contains a NUL byte"}};
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
    impact.courses = {{201, "INFO101", 1, 1, 1, {}}, {202, "BIO101", 2, 1, 0, {}}};
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
    report.counts = {{{"directory_entries", 120}, {"export_inscriptions", 118}, {"pegase_inscriptions", 5}},
                     117,
                     {{"L1INFO", 3}, {"M1BIO", 2}}};
    report.directory_pages = 3;
    report.sources = {{"ldap"},
                      {"export"},
                      {"pegase",
                       DatabaseFacts{"service=dre", "32.0.1", "20261128"},
                       {{"other year", 3}, {"status ANNULEE", 1}}}};
    report.cross_check.students_compared = 110;
    report.cross_check.only_in_export = 1;
    report.cross_check.all = {
        {"22800008", "gina", "L1INFO", "export", "uid=gina,ou=people,dc=univ-test,dc=fr"}};
    report.cross_check.examples = report.cross_check.all;
    report.plan = sample_plan();
    report.verdicts = sample_verdicts();
    report.impact = sample_impact();
    report.impact->courses[0].groups = {{301, "TD1", 1, 1, {"alice"}, {"bob"}}};
    report.impact->group_joins = 1;
    report.impact->group_leaves = 1;
    report.applied = ApplyStats{1, 1, 1, 3, 1};
    report.moodle_release = "4.5.6 (Build: 20250811)";
    report.moodle_version = "2024100706.00";
    report.post_commit = PostCommitOutcome{"php", true, "exit code 0"};
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

// A dry run on a site with element and group cohorts: the keys only they bring.
RunReport pedagogy_report() {
    auto report = dry_run_report();
    report.counts.records["pedagogy_contracts"] = 40;
    report.counts.records["pedagogy_groups"] = 12;
    report.counts.per_kind = {{"element", {{"UE12", 31}}}, {"group", {{"UE12/TD1", 12}}}};
    auto& plan = *report.plan;
    plan.cohorts.push_back(
        cohort_sync::testing::element_ue12_plan(31, {{7, "alice", "22800001", {{"contracts", 3, {}}}}}));
    Hold hold;
    hold.element = "UE12";
    hold.defect = {"contracts", 9, {}};
    hold.message = "column 'COD_ETU' is empty";
    plan.holds.push_back(hold);
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

// What the renderer that built an nlohmann::json tree wrote for these samples (compact, keys
// sorted), captured before report_json_text() replaced it: the new text must say the same, as a
// JSON value, whatever its key order and layout.
const char* const k_tree_full =
    R"json({"applied":{"accounts_created":1,"cohorts_created":1,"cohorts_renamed":1,"idnumbers_restored":0,)json"
    R"json("members_added":3,"members_removed":1},"counts":{"directory_entries":120,"export_inscriptions":1)json"
    R"json(18,"pegase_inscriptions":5,"per_etape":{"L1INFO":3,"M1BIO":2},"students":117},"course_impact":{")json"
    R"json(cohort_enrol_enabled":true,"courses":[{"course_id":201,"enrolments_added":1,"enrolments_removed")json"
    R"json(:1,"groups":[{"group_id":301,"joining":1,"leaving":1,"name":"TD1","students_joining":["alice"],")json"
    R"json(students_leaving":["bob"]}],"removed_with_grades":1,"shortname":"INFO101"},{"course_id":202,"enr)json"
    R"json(olments_added":2,"enrolments_removed":1,"groups":[],"removed_with_grades":0,"shortname":"BIO101")json"
    R"json(}],"enrolments_added":3,"enrolments_removed":2,"graded_students_removed":1,"group_joins":1,"grou)json"
    R"json(p_leaves":1,"groups_previewed":true,"unenrol_action":0},"cross_check":{"disagreements":[{"etape")json"
    R"json(:"L1INFO","locator":"uid=gina,ou=people,dc=univ-test,dc=fr","login":"gina","only_in":"export","s)json"
    R"json(tudent_number":"22800008"}],"only_in_directory":0,"only_in_export":1,"students_compared":110},"d)json"
    R"json(irectory_pages":3,"dry_run":false,"error":"the connection to PostgreSQL was lost during COMMIT",)json"
    R"json("finished_at":1795919718,"forced":true,"format":1,"guards":[{"figures":"1 removal(s) <= limit 10)json"
    R"json(00","guard":"max_removals","hint":"","overridable":true,"tripped":false},{"figures":"1 cohort(s))json"
    R"json( would lose more than 25.0 %: etape-L1INFO -1 of 3","guard":"max_cohort_removal_ratio","hint":"r)json"
    R"json(eview the plan with 'cohort-sync --dry-run -v'","overridable":true,"tripped":true}],"hint":"the )json"
    R"json(next run reads Moodle's real state and converges either way","issues":[{"locator":"apogee.csv:12)json"
    R"json(","message":"column 'COD_ETU' is empty","severity":"warning"}],"moodle":{"release":"4.5.6 (Build)json"
    R"json(: 20250811)","version":"2024100706.00"},"outcome":"in-doubt","phases":[{"phase":"ldap","seconds")json"
    R"json(:1.5},{"phase":"export","seconds":0.25},{"phase":"merge","seconds":0.0},{"phase":"lock","seconds)json"
    R"json(":0.01},{"phase":"load","seconds":0.2},{"phase":"plan","seconds":0.05},{"phase":"impact","second)json"
    R"json(s":0.1},{"phase":"apply","seconds":0.3},{"phase":"commit","seconds":2.0}],"plan":{"accounts":[{")json"
    R"json(auth":"cas","first_name":"Eve","idnumber":"22800005","last_name":"Martin","mail":"eve@univ-test.)json"
    R"json(fr","username":"eve"}],"cohorts":[{"adds":[{"idnumber":"22800001","user_id":101,"username":"alic)json"
    R"json(e"}],"cohort_id":11,"create":false,"current_size":3,"deferred":[{"idnumber":"22800003","user_id")json"
    R"json(:103,"username":"carol"}],"desired_size":3,"etape":"L1INFO","held_back":[{"idnumber":"22800009",)json"
    R"json("reasons":[{"dn":"","line":14,"source":"export"}],"user_id":105,"username":"gina"}],"idnumber":")json"
    R"json(etape-L1INFO","name":"L1INFO: Licence 1 Informatique","recreates":null,"removes":[{"idnumber":"2)json"
    R"json(2800002","user_id":102,"username":"bob"}],"rename_from":"L1INFO: Licence 1 Info","restore_idnumb)json"
    R"json(er_from":"L1 info"},{"adds":[{"idnumber":"22800004","user_id":104,"username":"dave"},{"idnumber")json"
    R"json(:"22800005","user_id":0,"username":"eve"}],"cohort_id":null,"create":true,"current_size":0,"defe)json"
    R"json(rred":[],"desired_size":2,"etape":"M1BIO","held_back":[],"idnumber":"etape-M1BIO","name":"M1BIO:)json"
    R"json( Master 1 Biologie","recreates":9,"removes":[],"rename_from":null,"restore_idnumber_from":null}])json"
    R"json(,"holds":[{"dn":"","etape":"","line":14,"login":"","message":"column 'COD_ETP' contains a NUL by)json"
    R"json(te","source":"export","student_number":"22800009"}],"issues":[{"locator":"etape-L3X","message":")json"
    R"json(étape L3X is skipped: idnumber 'etape-L3X' is already used","severity":"error"}],"left_alone":[")json"
    R"json(etape-DUOLD"],"totals":{"accounts":1,"adds":3,"cohorts_changed":2,"creates":1,"deferred":1,"held)json"
    R"json(_back":1,"managed_memberships":7,"recreates":1,"removes":1,"renames":1,"restores":1},"unplaced":)json"
    R"json([{"etape":"L1INFO","login":"frank","reason":"no_account","student_number":"22800006"},{"etape":")json"
    R"json(M1BIO","login":"","reason":"deleted_account","student_number":"22800007"}]},"post_commit":{"comm)json"
    R"json(and":"php","detail":"exit code 0","succeeded":true},"run_id":"20261129T023512Z-3f9a","sources":[)json"
    R"json({"dump_date":null,"not_counted":[],"source":"ldap","version":null},{"dump_date":null,"not_counte)json"
    R"json(d":[],"source":"export","version":null},{"dump_date":"20261128","not_counted":[{"reason":"other )json"
    R"json(year","rows":3},{"reason":"status ANNULEE","rows":1}],"source":"pegase","version":"32.0.1"}],"st)json"
    R"json(arted_at":1795919712})json";

const char* const k_tree_early_failure =
    R"json({"applied":null,"counts":{"directory_entries":0,"export_inscriptions":0,"pegase_inscriptions":0,)json"
    R"json("per_etape":{},"students":0},"course_impact":null,"cross_check":{"disagreements":[],"only_in_dir)json"
    R"json(ectory":0,"only_in_export":0,"students_compared":0},"directory_pages":0,"dry_run":false,"error":)json"
    R"json("unable to read '/var/lib/cohort-sync/incoming/apogee.csv': No such file or directory","finished)json"
    R"json(_at":1795919713,"forced":false,"format":1,"guards":[],"hint":null,"issues":[],"moodle":null,"out)json"
    R"json(come":"failed","phases":[],"plan":null,"post_commit":null,"run_id":"20261129T023512Z-0001","sour)json"
    R"json(ces":[],"started_at":1795919712})json";

const char* const k_tree_dry_run =
    R"json({"applied":null,"counts":{"directory_entries":120,"export_inscriptions":118,"pegase_inscriptions)json"
    R"json(":5,"per_etape":{"L1INFO":3,"M1BIO":2},"students":117},"course_impact":{"cohort_enrol_enabled":t)json"
    R"json(rue,"courses":[{"course_id":201,"enrolments_added":1,"enrolments_removed":1,"groups":[{"group_id)json"
    R"json(":301,"joining":1,"leaving":1,"name":"TD1","students_joining":["alice"],"students_leaving":["bob)json"
    R"json("]}],"removed_with_grades":1,"shortname":"INFO101"},{"course_id":202,"enrolments_added":2,"enrol)json"
    R"json(ments_removed":1,"groups":[],"removed_with_grades":0,"shortname":"BIO101"}],"enrolments_added":3)json"
    R"json(,"enrolments_removed":2,"graded_students_removed":1,"group_joins":1,"group_leaves":1,"groups_pre)json"
    R"json(viewed":true,"unenrol_action":0},"cross_check":{"disagreements":[{"etape":"L1INFO","locator":"ui)json"
    R"json(d=gina,ou=people,dc=univ-test,dc=fr","login":"gina","only_in":"export","student_number":"2280000)json"
    R"json(8"}],"only_in_directory":0,"only_in_export":1,"students_compared":110},"directory_pages":3,"dry_)json"
    R"json(run":true,"error":null,"finished_at":0,"forced":false,"format":1,"guards":[{"figures":"1 removal)json"
    R"json((s) <= limit 1000","guard":"max_removals","hint":"","overridable":true,"tripped":false},{"figure)json"
    R"json(s":"1 cohort(s) would lose more than 25.0 %: etape-L1INFO -1 of 3","guard":"max_cohort_removal_r)json"
    R"json(atio","hint":"review the plan with 'cohort-sync --dry-run -v'","overridable":true,"tripped":true)json"
    R"json(}],"hint":null,"issues":[{"locator":"apogee.csv:12","message":"column 'COD_ETU' is empty","sever)json"
    R"json(ity":"warning"}],"moodle":{"release":"4.5.6 (Build: 20250811)","version":"2024100706.00"},"outco)json"
    R"json(me":"dry-run","phases":[{"phase":"ldap","seconds":1.5},{"phase":"export","seconds":0.25},{"phase)json"
    R"json(":"merge","seconds":0.0},{"phase":"lock","seconds":0.01},{"phase":"load","seconds":0.2},{"phase")json"
    R"json(:"plan","seconds":0.05},{"phase":"impact","seconds":0.1}],"plan":{"accounts":[{"auth":"cas","fir)json"
    R"json(st_name":"Eve","idnumber":"22800005","last_name":"Martin","mail":"eve@univ-test.fr","username":")json"
    R"json(eve"}],"cohorts":[{"adds":[{"idnumber":"22800001","user_id":101,"username":"alice"}],"cohort_id")json"
    R"json(:11,"create":false,"current_size":3,"deferred":[{"idnumber":"22800003","user_id":103,"username":)json"
    R"json("carol"}],"desired_size":3,"etape":"L1INFO","held_back":[{"idnumber":"22800009","reasons":[{"dn")json"
    R"json(:"","line":14,"source":"export"}],"user_id":105,"username":"gina"}],"idnumber":"etape-L1INFO","n)json"
    R"json(ame":"L1INFO: Licence 1 Informatique","recreates":null,"removes":[{"idnumber":"22800002","user_i)json"
    R"json(d":102,"username":"bob"}],"rename_from":"L1INFO: Licence 1 Info","restore_idnumber_from":"L1 inf)json"
    R"json(o"},{"adds":[{"idnumber":"22800004","user_id":104,"username":"dave"},{"idnumber":"22800005","use)json"
    R"json(r_id":0,"username":"eve"}],"cohort_id":null,"create":true,"current_size":0,"deferred":[],"desire)json"
    R"json(d_size":2,"etape":"M1BIO","held_back":[],"idnumber":"etape-M1BIO","name":"M1BIO: Master 1 Biolog)json"
    R"json(ie","recreates":9,"removes":[],"rename_from":null,"restore_idnumber_from":null}],"holds":[{"dn":)json"
    R"json("","etape":"","line":14,"login":"","message":"column 'COD_ETP' contains a NUL byte","source":"ex)json"
    R"json(port","student_number":"22800009"}],"issues":[{"locator":"etape-L3X","message":"étape L3X is ski)json"
    R"json(pped: idnumber 'etape-L3X' is already used","severity":"error"}],"left_alone":["etape-DUOLD"],"t)json"
    R"json(otals":{"accounts":1,"adds":3,"cohorts_changed":2,"creates":1,"deferred":1,"held_back":1,"manage)json"
    R"json(d_memberships":7,"recreates":1,"removes":1,"renames":1,"restores":1},"unplaced":[{"etape":"L1INF)json"
    R"json(O","login":"frank","reason":"no_account","student_number":"22800006"},{"etape":"M1BIO","login":")json"
    R"json(","reason":"deleted_account","student_number":"22800007"}]},"post_commit":{"command":"php","deta)json"
    R"json(il":"exit code 0","succeeded":true},"run_id":"20261129T023512Z-3f9a","sources":[{"dump_date":nul)json"
    R"json(l,"not_counted":[],"source":"ldap","version":null},{"dump_date":null,"not_counted":[],"source":")json"
    R"json(export","version":null},{"dump_date":"20261128","not_counted":[{"reason":"other year","rows":3},)json"
    R"json({"reason":"status ANNULEE","rows":1}],"source":"pegase","version":"32.0.1"}],"started_at":179591)json"
    R"json(9712})json";

const char* const k_tree_full_summary =
    R"json({"applied":{"accounts_created":1,"cohorts_created":1,"cohorts_renamed":1,"idnumbers_restored":0,)json"
    R"json("members_added":3,"members_removed":1},"counts":{"directory_entries":120,"export_inscriptions":1)json"
    R"json(18,"pegase_inscriptions":5,"per_etape":{"L1INFO":3,"M1BIO":2},"students":117},"course_impact":{")json"
    R"json(cohort_enrol_enabled":true,"courses":[{"course_id":201,"enrolments_added":1,"enrolments_removed")json"
    R"json(:1,"groups":[{"group_id":301,"joining":1,"leaving":1,"name":"TD1","students_joining":["alice"],")json"
    R"json(students_leaving":["bob"]}],"removed_with_grades":1,"shortname":"INFO101"},{"course_id":202,"enr)json"
    R"json(olments_added":2,"enrolments_removed":1,"groups":[],"removed_with_grades":0,"shortname":"BIO101")json"
    R"json(}],"enrolments_added":3,"enrolments_removed":2,"graded_students_removed":1,"group_joins":1,"grou)json"
    R"json(p_leaves":1,"groups_previewed":true,"unenrol_action":0},"cross_check":{"only_in_directory":0,"on)json"
    R"json(ly_in_export":1,"students_compared":110},"detail":"summary","directory_pages":3,"dry_run":false,)json"
    R"json("error":"the connection to PostgreSQL was lost during COMMIT","finished_at":1795919718,"forced":)json"
    R"json(true,"format":1,"guards":[{"figures":"1 removal(s) <= limit 1000","guard":"max_removals","hint":)json"
    R"json("","overridable":true,"tripped":false},{"figures":"1 cohort(s) would lose more than 25.0 %: etap)json"
    R"json(e-L1INFO -1 of 3","guard":"max_cohort_removal_ratio","hint":"review the plan with 'cohort-sync -)json"
    R"json(-dry-run -v'","overridable":true,"tripped":true}],"hint":"the next run reads Moodle's real state)json"
    R"json( and converges either way","issues":[{"locator":"apogee.csv:12","message":"column 'COD_ETU' is e)json"
    R"json(mpty","severity":"warning"}],"moodle":{"release":"4.5.6 (Build: 20250811)","version":"2024100706)json"
    R"json(.00"},"outcome":"in-doubt","phases":[{"phase":"ldap","seconds":1.5},{"phase":"export","seconds":)json"
    R"json(0.25},{"phase":"merge","seconds":0.0},{"phase":"lock","seconds":0.01},{"phase":"load","seconds":)json"
    R"json(0.2},{"phase":"plan","seconds":0.05},{"phase":"impact","seconds":0.1},{"phase":"apply","seconds")json"
    R"json(:0.3},{"phase":"commit","seconds":2.0}],"plan":{"issues":[{"locator":"etape-L3X","message":"étap)json"
    R"json(e L3X is skipped: idnumber 'etape-L3X' is already used","severity":"error"}],"left_alone":["etap)json"
    R"json(e-DUOLD"],"totals":{"accounts":1,"adds":3,"cohorts_changed":2,"creates":1,"deferred":1,"held_bac)json"
    R"json(k":1,"managed_memberships":7,"recreates":1,"removes":1,"renames":1,"restores":1}},"post_commit":)json"
    R"json({"command":"php","detail":"exit code 0","succeeded":true},"run_id":"20261129T023512Z-3f9a","sour)json"
    R"json(ces":[{"dump_date":null,"not_counted":[],"source":"ldap","version":null},{"dump_date":null,"not_)json"
    R"json(counted":[],"source":"export","version":null},{"dump_date":"20261128","not_counted":[{"reason":")json"
    R"json(other year","rows":3},{"reason":"status ANNULEE","rows":1}],"source":"pegase","version":"32.0.1")json"
    R"json(}],"started_at":1795919712})json";

const char* const k_tree_early_failure_summary =
    R"json({"applied":null,"counts":{"directory_entries":0,"export_inscriptions":0,"pegase_inscriptions":0,)json"
    R"json("per_etape":{},"students":0},"course_impact":null,"cross_check":{"only_in_directory":0,"only_in_)json"
    R"json(export":0,"students_compared":0},"detail":"summary","directory_pages":0,"dry_run":false,"error":)json"
    R"json("unable to read '/var/lib/cohort-sync/incoming/apogee.csv': No such file or directory","finished)json"
    R"json(_at":1795919713,"forced":false,"format":1,"guards":[],"hint":null,"issues":[],"moodle":null,"out)json"
    R"json(come":"failed","phases":[],"plan":null,"post_commit":null,"run_id":"20261129T023512Z-0001","sour)json"
    R"json(ces":[],"started_at":1795919712})json";

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
    ASSERT_TRUE(checker.check(to_json(pedagogy_report())).empty());
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
    const auto pedagogy = checker.check(to_json(pedagogy_report()));
    EXPECT_TRUE(pedagogy.empty()) << joined(pedagogy);
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
                                                 {"restores", 1},
                                                 {"recreates", 1},
                                                 {"deferred", 1},
                                                 {"held_back", 1},
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
    EXPECT_EQ(json.at("course_impact").at("courses").at(0),
              (nlohmann::json{{"course_id", 201},
                              {"shortname", "INFO101"},
                              {"enrolments_added", 1},
                              {"enrolments_removed", 1},
                              {"removed_with_grades", 1},
                              {"groups",
                               {{{"group_id", 301},
                                 {"name", "TD1"},
                                 {"joining", 1},
                                 {"leaving", 1},
                                 {"students_joining", {"alice"}},
                                 {"students_leaving", {"bob"}}}}}}));
    EXPECT_EQ(json.at("course_impact").at("group_joins"), 1);
    EXPECT_EQ(json.at("course_impact").at("groups_previewed"), true);
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

// ---- The text -----------------------------------------------------------------------------

TEST(ReportText, SaysWhatTheTreeRendererSaid) {
    struct Case {
        const char* name;
        RunReport report;
        ReportDetail detail;
        const char* tree;
    };
    const Case cases[] = {
        {"full", full_report(), ReportDetail::full, k_tree_full},
        {"early failure", early_failure(), ReportDetail::full, k_tree_early_failure},
        {"dry run", dry_run_report(), ReportDetail::full, k_tree_dry_run},
        {"full, summary", full_report(), ReportDetail::summary, k_tree_full_summary},
        {"early failure, summary", early_failure(), ReportDetail::summary, k_tree_early_failure_summary},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.name);
        const auto expected = nlohmann::json::parse(test.tree);
        EXPECT_EQ(nlohmann::json::parse(report_json_text(test.report, test.detail)), expected);
        EXPECT_EQ(to_json(test.report, test.detail), expected);
    }
}

// nlohmann::json compares 2 and 2.0 as equal; a reader in another language may not.
TEST(ReportText, DurationsStayNumbersWithAFraction) {
    const auto phases = to_json(full_report()).at("phases");
    for (const auto& phase : phases) {
        EXPECT_TRUE(phase.at("seconds").is_number_float()) << phase.dump();
    }
    EXPECT_NE(report_json_text(full_report()).find(R"({"phase": "commit", "seconds": 2.0})"),
              std::string::npos);
}

// The keys come in the order of docs/report.md's table (the tree sorted them alphabetically), so
// that a reader of the file finds them where the documentation lists them.
TEST(ReportText, KeysComeInTheOrderOfTheDocsTable) {
    std::string error;
    std::vector<std::string> order;
    shape_from_docs(error, &order);
    ASSERT_TRUE(error.empty()) << error;
    std::map<std::string, std::size_t> rank;
    for (std::size_t i = 0; i < order.size(); ++i) {
        rank[order[i]] = i;
    }
    std::vector<std::string> problems;
    std::function<void(const nlohmann::ordered_json&, const std::string&)> visit;
    visit = [&](const nlohmann::ordered_json& value, const std::string& path) {
        if (value.is_array()) {
            for (const auto& element : value) {
                visit(element, path + "[]");
            }
            return;
        }
        if (!value.is_object()) {
            return;
        }
        std::string previous;
        for (const auto& [key, child] : value.items()) {
            const auto here = child_path(path, key);
            const auto it = rank.find(here);
            if (it == rank.end()) {
                continue; // an étape of counts.per_etape
            }
            if (!previous.empty() && it->second < rank.at(previous)) {
                problems.push_back(here + " comes after " + previous);
            }
            previous = here;
            visit(child, here);
        }
    };
    visit(nlohmann::ordered_json::parse(report_json_text(full_report())), "");
    EXPECT_TRUE(problems.empty()) << joined(problems);
}

// One planned member per line: a first sync's report has a quarter of a million of them, and an
// admin greps the file for a username.
TEST(ReportText, EachPlannedMemberIsOnItsOwnLine) {
    auto report = full_report();
    CohortPlan big;
    big.idnumber = "etape-L1DROIT";
    big.etape = "L1DROIT";
    big.name = "L1DROIT: Licence 1 Droit";
    big.desired_size = 1000;
    for (int i = 0; i < 1000; ++i) {
        const auto number = std::to_string(21900000 + i);
        big.adds.push_back({2000 + i, "e" + number, number});
    }
    report.plan->cohorts.push_back(big);
    const std::regex member_line(
        R"( {10}\{"user_id": \d+, "username": "[^"]*", "idnumber": "\d{8}"(, "reasons": \[[^\]]*\])?\},?)");
    std::istringstream text(report_json_text(report));
    int members = 0;
    for (std::string line; std::getline(text, line);) {
        if (line.find("\"user_id\"") != std::string::npos) {
            EXPECT_TRUE(std::regex_match(line, member_line)) << line;
            ++members;
        }
    }
    EXPECT_EQ(members, 6 + 1000);
}

TEST(ReportText, GoldenEarlyFailure) {
    EXPECT_EQ(report_json_text(early_failure()),
              "{\n"
              "  \"format\": 1,\n"
              "  \"run_id\": \"20261129T023512Z-0001\",\n"
              "  \"outcome\": \"failed\",\n"
              "  \"dry_run\": false,\n"
              "  \"forced\": false,\n"
              "  \"started_at\": 1795919712,\n"
              "  \"finished_at\": 1795919713,\n"
              "  \"moodle\": null,\n"
              "  \"counts\": {\n"
              "    \"directory_entries\": 0,\n"
              "    \"export_inscriptions\": 0,\n"
              "    \"pegase_inscriptions\": 0,\n"
              "    \"students\": 0,\n"
              "    \"per_etape\": {}\n"
              "  },\n"
              "  \"directory_pages\": 0,\n"
              "  \"sources\": [],\n"
              "  \"phases\": [],\n"
              "  \"cross_check\": {\n"
              "    \"students_compared\": 0,\n"
              "    \"only_in_export\": 0,\n"
              "    \"only_in_directory\": 0,\n"
              "    \"disagreements\": []\n"
              "  },\n"
              "  \"plan\": null,\n"
              "  \"guards\": [],\n"
              "  \"course_impact\": null,\n"
              "  \"applied\": null,\n"
              "  \"post_commit\": null,\n"
              "  \"issues\": [],\n"
              "  \"error\": \"unable to read '/var/lib/cohort-sync/incoming/apogee.csv': No such file or "
              "directory\",\n"
              "  \"hint\": null\n"
              "}");
}

TEST(ReportText, SummaryLeavesOutTheListsThatGrowWithTheUniversity) {
    const auto summary = to_json(full_report(), ReportDetail::summary);
    EXPECT_EQ(summary.at("detail"), "summary");
    EXPECT_FALSE(summary.at("cross_check").contains("disagreements"));
    for (const char* list : {"cohorts", "unplaced", "accounts"}) {
        EXPECT_FALSE(summary.at("plan").contains(list)) << list;
    }
    EXPECT_EQ(summary.at("plan").at("totals").at("adds"), 3);
    EXPECT_EQ(summary.at("guards").size(), 2u);
    EXPECT_FALSE(to_json(full_report()).contains("detail"));
}

TEST(ReportText, QuotesBackslashesAndControlCharactersReadBack) {
    auto report = early_failure();
    report.error = "unable to read 'C:\\exports\\\"apogée\".csv': line 1\n\tcolumn \x01";
    report.hint = "Étape é";
    report.issues = {{Severity::error, R"(uid="o'brien",ou=people)", "tab\there"}};
    const auto json = nlohmann::json::parse(report_json_text(report));
    EXPECT_EQ(json.at("error"), report.error);
    EXPECT_EQ(json.at("hint"), "Étape é");
    EXPECT_EQ(json.at("issues").at(0).at("locator"), report.issues[0].locator);
    EXPECT_EQ(json.at("issues").at(0).at("message"), "tab\there");
}

// ---- Golden texts --------------------------------------------------------------------------

TEST(RenderPlan, GoldenTerse) {
    EXPECT_EQ(
        render_plan(sample_plan(), sample_verdicts(), false),
        "plan: +3 -1 in 2 cohort(s), 1 new, 1 renamed, 1 idnumber(s) restored, 1 deleted cohort(s) created "
        "again, 1 removal(s) deferred by the grace period, 1 removal(s) held back on doubt\n"
        "  etape-L1INFO             +1     -1     L1INFO: Licence 1 Informatique\n"
        "      rename from 'L1INFO: Licence 1 Info'\n"
        "      restore idnumber (cohort id 11): it was changed in Moodle to 'L1 info'\n"
        "      held back on doubt: 1 removal(s): gina\n"
        "  etape-M1BIO              +2     -0     new: M1BIO: Master 1 Biologie\n"
        "      created again: cohort id 9 was deleted in Moodle\n"
        "held back: 1 record(s) the sources left out may concern students, whose removals wait for a clean "
        "night:\n"
        "  export line 14: holds student 22800009: column 'COD_ETP' contains a NUL byte\n"
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
        "plan: +3 -1 in 2 cohort(s), 1 new, 1 renamed, 1 idnumber(s) restored, 1 deleted cohort(s) created "
        "again, 1 removal(s) deferred by the grace period, 1 removal(s) held back on doubt\n"
        "  etape-L1INFO             +1     -1     L1INFO: Licence 1 Informatique\n"
        "      rename from 'L1INFO: Licence 1 Info'\n"
        "      restore idnumber (cohort id 11): it was changed in Moodle to 'L1 info'\n"
        "      + alice\n"
        "      - bob\n"
        "      kept for now (grace period): carol\n"
        "      held back on doubt: 1 removal(s): gina\n"
        "  etape-M1BIO              +2     -0     new: M1BIO: Master 1 Biologie\n"
        "      created again: cohort id 9 was deleted in Moodle\n"
        "      + dave eve\n"
        "held back: 1 record(s) the sources left out may concern students, whose removals wait for a clean "
        "night:\n"
        "  export line 14: holds student 22800009: column 'COD_ETP' contains a NUL byte\n"
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
    EXPECT_EQ(render_summary(full_report()),
              "run 20261129T023512Z-3f9a: in-doubt; +3 -1 in 2 cohort(s), 1 "
              "new; 2 unplaced; 1 account(s) to create; "
              "sources: 120 directory entries, 118 active inscriptions, 5 active Pégase inscriptions, 117 "
              "students; cross-check: 1 only in inscriptions, "
              "0 only in directory; 1 guard(s) tripped");
}

TEST(RenderSummary, GoldenEarlyFailure) {
    EXPECT_EQ(render_summary(early_failure()), "run 20261129T023512Z-0001: failed; sources: 0 directory "
                                               "entries, 0 active inscriptions, 0 active Pégase "
                                               "inscriptions, 0 students");
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

// A course whose TD groups are filled by group cohorts ("Ajouter au groupe"): the summary line
// counts the moves, the verbose listing names who leaves and joins each group.
TEST(RenderImpact, GoldenCourseGroupsSayWhoJoinsAndLeaves) {
    CourseImpact impact;
    impact.enrolments_added = 1;
    impact.enrolments_removed = 1;
    impact.group_joins = 1;
    impact.group_leaves = 23;
    CourseChange course{301, "UE12", 1, 1, 0, {}};
    std::vector<std::string> many;
    for (int i = 1; i <= 20; ++i) {
        many.push_back(fmt::format("s{:02}", i));
    }
    course.groups = {{41, "TD1", 0, 22, {}, many}, {42, "TD2", 1, 1, {"bob"}, {"carol"}}};
    impact.courses = {course};
    EXPECT_EQ(
        render_impact(impact, false),
        "courses: 1 enrolment(s) added, 1 removed in 1 course(s); enrol_cohort's unenrol action: unenrol "
        "(grades are deleted with a student's last enrolment in a course)\n"
        "course groups (\"Ajouter au groupe\"): 1 student(s) join and 23 leave 2 group(s)\n"
        "WARNING: 0 student(s) to be removed have grades in the affected courses, and the unenrol action "
        "deletes them with a student's last enrolment in a course; set enrol_cohort's 'External unenrol "
        "action' to suspend if that is not wanted\n");
    const auto verbose = render_impact(impact, true);
    EXPECT_NE(verbose.find("  course 301    UE12                     +1     -1     0 with grades\n"
                           "    group TD1 (id 41): 0 joining, 22 leaving; leaving: s01, s02, s03, s04, s05, "
                           "s06, s07, s08, s09, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20 and 2 "
                           "more\n"
                           "    group TD2 (id 42): 1 joining, 1 leaving; joining: bob; leaving: carol\n"),
              std::string::npos)
        << verbose;
}

TEST(RenderImpact, GroupsNotReadAreNoted) {
    CourseImpact impact;
    impact.groups_previewed = false;
    EXPECT_NE(render_impact(impact, false)
                  .find("  note: course groups were not previewed: cohort-sync's database role may not read "
                        "mdl_groups and mdl_groups_members (docs/security.md)\n"),
              std::string::npos);
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
