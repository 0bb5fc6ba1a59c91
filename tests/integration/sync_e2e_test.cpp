// End to end: the built cohort-sync binary against a real slapd and a real PostgreSQL holding
// Moodle's tables, as the nightly job runs it. Each test sets up a small university (LDAP
// entries, Moodle accounts, an APOGÉE export in ISO-8859-1), writes its own configuration and
// checks the exit code, the log, the run report and the exact rows in Moodle's tables.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <ctime>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using nlohmann::json;

constexpr const char* k_uai = "{UAI:0751717J}";

std::string lower(std::string text) {
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

struct Student {
    std::string login; // the LDAP uid; Moodle's username is its lower-case form
    std::string number;
    std::string etape;
    std::string status = "E";
    bool in_directory = true;
    bool in_export = true;
    bool has_account = true;

    std::string username() const { return lower(login); }
    bool member() const { return in_directory && in_export && has_account && status == "E"; }
};

// A small university: three étapes of 20 students, and students who must not be placed.
struct University {
    std::vector<Student> students;
    std::map<std::string, std::string> labels; // étape -> LIB_ETP (UTF-8)
    std::vector<ExportRow> extra_rows;         // rows of no current student, e.g. last year's

    static University standard() {
        University university;
        university.labels = {{"L1INFO", "Licence 1 Informatique"},
                             {"L2MATH", "Licence 2 Mathématiques"},
                             // A delimiter in a label: the export quotes the field.
                             {"M1GEO", "Master 1 Géographie; Aménagement"}};
        const std::vector<std::string> etapes = {"L1INFO", "L2MATH", "M1GEO"};
        for (int i = 1; i <= 60; ++i) {
            Student student;
            student.number = std::to_string(22600000 + i);
            student.login = "etu" + student.number;
            student.etape = etapes[static_cast<std::size_t>(i - 1) % etapes.size()];
            university.students.push_back(student);
        }
        // Moodle usernames are lower-case; the directory's uid need not be.
        university.students[6].login = "Camille.Durand";

        Student no_account{"etu22600061", "22600061", "L1INFO"};
        no_account.has_account = false;
        Student not_in_directory{"etu22600062", "22600062", "L2MATH"};
        not_in_directory.in_directory = false;
        Student withdrawn{"etu22600063", "22600063", "M1GEO", "A"};
        university.students.push_back(no_account);
        university.students.push_back(not_in_directory);
        university.students.push_back(withdrawn);
        // Last year's inscription of a current student: not this year's cohort.
        university.extra_rows.push_back(
            ExportRow{"22600001", "L3HIST", "Licence 3 Histoire", "E", "101", current_academic_year() - 1});
        return university;
    }

    Student& student(const std::string& number) {
        const auto it = std::ranges::find(students, number, &Student::number);
        if (it == students.end()) {
            throw std::invalid_argument("no student " + number);
        }
        return *it;
    }

    std::vector<ExportRow> export_rows() const {
        std::vector<ExportRow> rows;
        for (const auto& student : students) {
            if (student.in_export) {
                rows.push_back({student.number, student.etape, labels.at(student.etape), student.status});
            }
        }
        rows.insert(rows.end(), extra_rows.begin(), extra_rows.end());
        return rows;
    }

    // (idnumber, username) of every membership the run must leave, sorted.
    cst::Rows expected_members() const {
        cst::Rows rows;
        for (const auto& student : students) {
            if (student.member()) {
                rows.push_back({"etape-" + student.etape, student.username()});
            }
        }
        std::ranges::sort(rows);
        return rows;
    }

    int member_count() const { return static_cast<int>(std::ranges::count_if(students, &Student::member)); }
};

std::string ldif_of(const Student& student) {
    return cst::make_student_ldif(student.login, student.number,
                                  {std::string(k_uai) + student.etape + "-101"});
}

class SyncE2e : public SiteTest {
protected:
    void SetUp() override { open_site("e2e", "apogee-inscriptions.csv"); }

    // One run with this test's configuration; its report (the one new file in
    // report.directory/reports) goes to m_report, null when there is not exactly one.
    RunResult sync(const std::vector<std::string>& options = {}) {
        const auto before = report_files(m_dir);
        RunResult result = run(options);
        m_report = take_new_report(before);
        return result;
    }

    json take_new_report(const std::set<std::string>& before) const {
        std::vector<std::string> fresh;
        for (const auto& file : report_files(m_dir)) {
            if (!before.contains(file)) {
                fresh.push_back(file);
            }
        }
        if (fresh.size() != 1) {
            return nullptr;
        }
        return json::parse(cst::read_file(fresh.front()));
    }

    // Puts the university in LDAP, Moodle's accounts and the export.
    void load(const University& university) {
        std::string ldif;
        std::vector<MoodleAccount> accounts;
        for (const auto& student : university.students) {
            if (student.in_directory) {
                ldif += ldif_of(student);
            }
            if (student.has_account) {
                accounts.push_back({student.username(), student.number});
            }
        }
        cst::servers().ldap_add_ldif(ldif);
        add_moodle_users(accounts);
        write_export(m_export, university.export_rows());
    }

    // A student who arrives after the first run: in the directory, Moodle and the model.
    void arrive(University& university, const Student& student) {
        cst::servers().ldap_add_ldif(ldif_of(student));
        add_moodle_users({{student.username(), student.number}});
        university.students.push_back(student);
    }

    // The directory follows APOGÉE when a student changes étape.
    static void move_in_directory(const Student& student, const std::string& etape) {
        cst::servers().ldap_add_ldif(
            "dn: uid=" + student.login + "," + cst::k_ldap_people_base +
            "\nchangetype: modify\nreplace: supannEtuEtape\nsupannEtuEtape: " + k_uai + etape + "-101\n\n");
    }

    static cst::Rows members() {
        return cst::servers().query(
            "SELECT c.idnumber, u.username FROM mdl_cohort_members m JOIN mdl_cohort c ON c.id = m.cohortid"
            " JOIN mdl_user u ON u.id = m.userid WHERE c.component = 'local_cohortsync'"
            " ORDER BY c.idnumber COLLATE \"C\", u.username COLLATE \"C\"");
    }

    static std::string checksums() {
        return cst::servers().table_checksum("mdl_cohort") + " " +
               cst::servers().table_checksum("mdl_cohort_members");
    }

    static std::string runs_with_outcome(const std::string& outcome) {
        return cst::servers().query_value("SELECT count(*) FROM cohort_sync.runs WHERE outcome = " +
                                          sql_literal(outcome));
    }

    // A cohort made by hand, another plugin's cohort, and two that hold an étape's idnumber: one
    // of another plugin, one made by hand. Members include students the sync places elsewhere.
    static void add_foreign_cohorts() {
        const std::string s1 = user_id("etu22600001");
        const std::string s2 = user_id("etu22600002");
        const std::string s4 = user_id("etu22600004");
        cst::servers().psql(
            "INSERT INTO mdl_cohort (id, contextid, name, idnumber, description, descriptionformat, visible,"
            " component, timecreated, timemodified, theme) VALUES"
            " (501, 1, 'Club théâtre', NULL, 'made by hand', 1, 1, '', 100, 100, ''),"
            " (502, 1, 'Foo imports', 'foo-42', '', 0, 0, 'auth_foo', 100, 100, NULL),"
            " (503, 1, 'Foo L2 maths', 'etape-L2MATH', '', 1, 1, 'auth_foo', 100, 100, ''),"
            " (504, 1, 'Géographes', 'etape-M1GEO', '', 1, 1, '', 100, 100, '');"
            "SELECT setval('mdl_cohort_id_seq', 600);"
            "INSERT INTO mdl_cohort_members (cohortid, userid, timeadded) VALUES"
            " (501, " +
            s1 + ", 100), (501, " + s2 +
            ", 100),"
            " (502, " +
            s1 + ", 100), (502, " + s4 +
            ", 100),"
            // Not an L2MATH student: adopting this cohort would remove them.
            " (503, " +
            s1 +
            ", 100),"
            " (504, " +
            s4 + ", 100)");
    }

    static std::string foreign_rows() {
        return cst::servers().query_value("SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM "
                                          "mdl_cohort c WHERE id BETWEEN 501 AND 504") +
               " " +
               cst::servers().query_value(
                   "SELECT md5(string_agg(m::text, '|' ORDER BY m.id)) FROM mdl_cohort_members m"
                   " WHERE cohortid BETWEEN 501 AND 504");
    }

    // The first run of most tests: the university in place and synced.
    void first_run(const University& university) {
        load(university);
        const auto run = sync();
        ASSERT_EQ(run.exit_code, 0) << run.describe();
        ASSERT_EQ(members(), university.expected_members());
    }

    json m_report;
};

// ---------------------------------------------------------------------------------------------
// 1. The first night and the one after

TEST_F(SyncE2e, FirstRunOnEmptySiteCreatesEtapeCohortsWithExactMembers) {
    const University university = University::standard();
    load(university);

    const long long started = std::time(nullptr);
    const auto run = sync();
    const long long finished = std::time(nullptr);

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    const std::string year = std::to_string(current_academic_year());
    EXPECT_EQ(
        cst::servers().query("SELECT idnumber, name, component, contextid, descriptionformat, visible,"
                             " description FROM mdl_cohort ORDER BY idnumber"),
        (cst::Rows{{"etape-L1INFO", "L1INFO: Licence 1 Informatique", "local_cohortsync", "1", "1", "1",
                    "Students enrolled in L1INFO (" + year + "), maintained by cohort-sync."},
                   {"etape-L2MATH", "L2MATH: Licence 2 Mathématiques", "local_cohortsync", "1", "1", "1",
                    "Students enrolled in L2MATH (" + year + "), maintained by cohort-sync."},
                   {"etape-M1GEO", "M1GEO: Master 1 Géographie; Aménagement", "local_cohortsync", "1", "1",
                    "1", "Students enrolled in M1GEO (" + year + "), maintained by cohort-sync."}}));
    // Exactly the students in both sources with an account: not the one without an account, not
    // the one missing from the directory, not the withdrawn one, not last year's L3HIST.
    EXPECT_EQ(members(), university.expected_members());
    EXPECT_EQ(university.member_count(), 60);
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members"), "60");

    const auto times = cst::servers().query(
        "SELECT min(timeadded), max(timeadded), (SELECT min(timecreated) FROM mdl_cohort),"
        " (SELECT max(timemodified) FROM mdl_cohort) FROM mdl_cohort_members");
    ASSERT_EQ(times.size(), 1U);
    for (const auto& value : times.front()) {
        EXPECT_GE(std::stoll(value), started) << "a timestamp before the run started";
        EXPECT_LE(std::stoll(value), finished) << "a timestamp after the run ended";
    }

    // 62 entries (20 + 20 + 20 + no account + withdrawn) read in pages of 50 under a limit of 100.
    EXPECT_TRUE(contains(run.err, "source ldap: 62 entries")) << run.describe();
    EXPECT_TRUE(contains(run.err, "(2 page(s))")) << run.describe();
    EXPECT_TRUE(contains(run.err, "plan: +60 -0 in 3 cohort(s), 3 new")) << run.describe();
    EXPECT_TRUE(contains(run.err, "sync end: completed")) << run.describe();
    ASSERT_TRUE(m_report.is_object()) << "no run report in " << m_dir << "/reports";
    EXPECT_EQ(m_report["outcome"], "applied");
    EXPECT_EQ(m_report["applied"]["members_added"], 60);
    EXPECT_EQ(m_report["applied"]["cohorts_created"], 3);
    // The student without an account is reported, not silently dropped.
    ASSERT_EQ(m_report["plan"]["unplaced"].size(), 1U) << m_report["plan"]["unplaced"].dump();
    EXPECT_EQ(m_report["plan"]["unplaced"][0]["student_number"], "22600061");
}

TEST_F(SyncE2e, ImmediateSecondRunChangesNothing) {
    const University university = University::standard();
    first_run(university);
    const std::string before = checksums();

    const auto run = sync();

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(checksums(), before);
    EXPECT_TRUE(contains(run.err, "plan: +0 -0")) << run.describe();
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "applied");
    EXPECT_EQ(runs_with_outcome("applied"), "2");
}

// ---------------------------------------------------------------------------------------------
// 2. The next night

TEST_F(SyncE2e, NextNightWithdrawnStudentsLeaveTheirCohorts) {
    University university = University::standard();
    first_run(university);
    const std::string kept_rows = cst::servers().query_value(
        "SELECT md5(string_agg(m::text, '|' ORDER BY m.id)) FROM mdl_cohort_members m JOIN mdl_user u"
        " ON u.id = m.userid WHERE u.idnumber NOT IN ('22600002', '22600005')");

    university.student("22600002").status = "A";      // withdrawn: ETA_IAE 'A'
    university.student("22600005").in_export = false; // the row is gone
    write_export(m_export, university.export_rows());
    const auto run = sync();

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(members(), university.expected_members());
    EXPECT_EQ(members().size(), 58U);
    EXPECT_TRUE(contains(run.err, "plan: +0 -2")) << run.describe();
    // The other members' rows are untouched (same ids, same timeadded).
    EXPECT_EQ(
        cst::servers().query_value(
            "SELECT md5(string_agg(m::text, '|' ORDER BY m.id)) FROM mdl_cohort_members m JOIN mdl_user u"
            " ON u.id = m.userid WHERE u.idnumber NOT IN ('22600002', '22600005')"),
        kept_rows);
    EXPECT_EQ(m_report["applied"]["members_removed"], 2);
}

TEST_F(SyncE2e, NextNightNewInscriptionJoinsItsCohort) {
    University university = University::standard();
    first_run(university);
    const std::string cohorts_before = cst::servers().table_checksum("mdl_cohort");

    arrive(university, Student{"etu22600070", "22600070", "L2MATH"});
    write_export(m_export, university.export_rows());
    const long long started = std::time(nullptr);
    const auto run = sync();

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(members(), university.expected_members());
    EXPECT_EQ(cst::servers().table_checksum("mdl_cohort"), cohorts_before);
    const auto added_at = std::stoll(cst::servers().query_value(
        "SELECT m.timeadded FROM mdl_cohort_members m JOIN mdl_user u ON u.id = m.userid"
        " WHERE u.username = 'etu22600070'"));
    EXPECT_GE(added_at, started);
    EXPECT_TRUE(contains(run.err, "plan: +1 -0")) << run.describe();
}

TEST_F(SyncE2e, NextNightChangedEtapeMovesTheStudent) {
    University university = University::standard();
    first_run(university);
    Student& mover = university.student("22600001"); // L1INFO
    ASSERT_EQ(mover.etape, "L1INFO");

    mover.etape = "M1GEO";
    move_in_directory(mover, "M1GEO");
    write_export(m_export, university.export_rows());
    const auto run = sync();

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(members(), university.expected_members());
    EXPECT_EQ(cst::servers().query("SELECT c.idnumber FROM mdl_cohort_members m JOIN mdl_cohort c"
                                   " ON c.id = m.cohortid JOIN mdl_user u ON u.id = m.userid"
                                   " WHERE u.username = 'etu22600001'"),
              (cst::Rows{{"etape-M1GEO"}}));
    EXPECT_TRUE(contains(run.err, "plan: +1 -1 in 2 cohort(s), 0 new")) << run.describe();
}

TEST_F(SyncE2e, NextNightLabelChangeRenamesTheCohort) {
    University university = University::standard();
    first_run(university);
    const auto before =
        cst::servers().query("SELECT id, timecreated FROM mdl_cohort WHERE idnumber = 'etape-M1GEO'");
    const std::string members_before = cst::servers().table_checksum("mdl_cohort_members");

    university.labels["M1GEO"] = "Master 1 Géographie, Aménagement et Environnement";
    write_export(m_export, university.export_rows());
    // The first run's second has to be over for the new timemodified to differ from timecreated.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const long long renamed_after = std::time(nullptr);
    const auto run = sync();

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(
        cst::servers().query("SELECT id, timecreated, name FROM mdl_cohort WHERE idnumber = 'etape-M1GEO'"),
        (cst::Rows{{before.at(0).at(0), before.at(0).at(1),
                    "M1GEO: Master 1 Géographie, Aménagement et Environnement"}}));
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort"), "3");
    EXPECT_EQ(cst::servers().table_checksum("mdl_cohort_members"), members_before);
    // Only the renamed cohort is marked modified, at this run's time.
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort WHERE timemodified > timecreated"),
              "1");
    EXPECT_GE(std::stoll(cst::servers().query_value(
                  "SELECT timemodified FROM mdl_cohort WHERE idnumber = 'etape-M1GEO'")),
              renamed_after);
    EXPECT_TRUE(contains(run.err, "1 renamed")) << run.describe();
    EXPECT_EQ(m_report["applied"]["cohorts_renamed"], 1);
}

// ---------------------------------------------------------------------------------------------
// 3. Cohorts cohort-sync does not manage

TEST_F(SyncE2e, ForeignManualAndOtherPluginCohortsAreUnchangedByRuns) {
    University university = University::standard();
    load(university);
    add_foreign_cohorts();
    const std::string before = foreign_rows();

    const auto first = sync();
    ASSERT_EQ(first.exit_code, 0) << first.describe();
    EXPECT_EQ(foreign_rows(), before);

    // A student of the manual and the other plugin's cohorts withdraws: they leave the étape
    // cohort only.
    university.student("22600001").status = "A";
    write_export(m_export, university.export_rows());
    const auto second = sync();
    ASSERT_EQ(second.exit_code, 0) << second.describe();
    EXPECT_EQ(foreign_rows(), before);
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members m JOIN mdl_user u"
                                         " ON u.id = m.userid WHERE u.username = 'etu22600001'"),
              "3");
}

TEST_F(SyncE2e, EtapeWhoseIdnumberIsTakenByForeignCohortIsRefusedAndOthersApplied) {
    const University university = University::standard();
    load(university);
    add_foreign_cohorts();
    const std::string before = foreign_rows();

    const auto run = sync();

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(foreign_rows(), before);
    // Only L1INFO's cohort is created; L2MATH and M1GEO are refused, not adopted.
    EXPECT_EQ(cst::servers().query("SELECT idnumber FROM mdl_cohort WHERE component = 'local_cohortsync'"),
              (cst::Rows{{"etape-L1INFO"}}));
    cst::Rows l1info;
    for (const auto& row : university.expected_members()) {
        if (row[0] == "etape-L1INFO") {
            l1info.push_back(row);
        }
    }
    EXPECT_EQ(members(), l1info);
    // The log names the étape, the idnumber and the cohort that holds it.
    const std::string line = line_with(run.err, "étape L2MATH is skipped");
    EXPECT_TRUE(contains(line, "'etape-L2MATH'")) << run.describe();
    EXPECT_TRUE(contains(line, "cohort id 503")) << run.describe();
    EXPECT_TRUE(contains(line, "component 'auth_foo'")) << run.describe();
    // The report holds both refusals.
    ASSERT_TRUE(m_report.is_object());
    std::string issues;
    for (const auto& issue : m_report["plan"]["issues"]) {
        issues += issue["message"].get<std::string>() + "\n";
    }
    EXPECT_TRUE(
        contains(issues, "étape L2MATH is skipped: idnumber 'etape-L2MATH' is already used by cohort id 503"))
        << issues;
    EXPECT_TRUE(contains(issues,
                         "étape M1GEO is skipped: idnumber 'etape-M1GEO' is already used by cohort id 504 "
                         "(a cohort created by hand)"))
        << issues;

    // The next run refuses them again and changes nothing.
    const std::string all_before = checksums();
    const auto again = sync();
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_EQ(checksums(), all_before);
}

// ---------------------------------------------------------------------------------------------
// 4. --dry-run

TEST_F(SyncE2e, DryRunOnEmptySiteWritesNothingAndPrintsThePlan) {
    const University university = University::standard();
    load(university);
    const auto before = database_fingerprint();

    const auto run = sync({"--dry-run"});

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_FALSE(state_schema_exists()) << "the dry run left cohort-sync's state schema behind";
    EXPECT_TRUE(contains(run.out, "plan: +60 -0 in 3 cohort(s), 3 new")) << run.describe();
    EXPECT_TRUE(contains(run.err, "[dry-run] sync end: nothing applied")) << run.describe();
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "dry-run");
}

TEST_F(SyncE2e, DryRunAfterChangesWritesNothingAndJsonTotalsMatch) {
    University university = University::standard();
    first_run(university);
    university.student("22600002").status = "A";
    university.student("22600003").in_export = false;
    arrive(university, Student{"etu22600070", "22600070", "L1INFO"});
    write_export(m_export, university.export_rows());
    const auto before = database_fingerprint();
    ASSERT_TRUE(before.contains("cohort_sync.runs"));

    const auto text = sync({"--dry-run"});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    EXPECT_EQ(database_fingerprint(), before);
    EXPECT_TRUE(contains(text.out, "plan: +1 -2")) << text.describe();
    EXPECT_TRUE(contains(text.err, "[dry-run] plan: +1 -2")) << text.describe();

    const auto as_json = sync({"--dry-run", "--format", "json"});
    ASSERT_EQ(as_json.exit_code, 0) << as_json.describe();
    EXPECT_EQ(database_fingerprint(), before);
    json printed;
    ASSERT_NO_THROW(printed = json::parse(as_json.out)) << as_json.describe();
    EXPECT_EQ(printed["outcome"], "dry-run");
    EXPECT_EQ(printed["dry_run"], true);
    const auto& totals = printed["plan"]["totals"];
    EXPECT_EQ(totals["adds"], 1);
    EXPECT_EQ(totals["removes"], 2);
    EXPECT_EQ(totals["creates"], 0);
    int adds = 0;
    int removes = 0;
    for (const auto& cohort : printed["plan"]["cohorts"]) {
        adds += static_cast<int>(cohort["adds"].size());
        removes += static_cast<int>(cohort["removes"].size());
    }
    EXPECT_EQ(adds, 1);
    EXPECT_EQ(removes, 2);

    // And the real run then does exactly that.
    const auto real = sync();
    ASSERT_EQ(real.exit_code, 0) << real.describe();
    EXPECT_EQ(members(), university.expected_members());
}

// ---------------------------------------------------------------------------------------------
// 5. Guards

TEST_F(SyncE2e, HeaderOnlyExportFailsAsTooShortAndWritesNothing) {
    const University university = University::standard();
    first_run(university);
    write_export(m_export, {});
    const auto before = database_fingerprint();

    const auto run = sync();

    // apogee.min_rows (default 1) refuses the file before any guard: a source that cannot be
    // used is a failure (exit 1), never "everybody left".
    EXPECT_EQ(run.exit_code, 1) << run.describe();
    EXPECT_TRUE(contains(run.err, "has 0 data lines, fewer than apogee.min_rows = 1")) << run.describe();
    EXPECT_EQ(database_fingerprint(), before);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "failed");
}

TEST_F(SyncE2e, EmptyExportFileFailsAndWritesNothing) {
    const University university = University::standard();
    first_run(university);
    write_text(m_export, "");
    const auto before = database_fingerprint();

    const auto run = sync();

    EXPECT_EQ(run.exit_code, 1) << run.describe();
    EXPECT_TRUE(contains(run.err, "is empty")) << run.describe();
    EXPECT_EQ(database_fingerprint(), before);
}

TEST_F(SyncE2e, HeaderOnlyExportAllowedByMinRowsTripsExportEmptyGuard) {
    const University university = University::standard();
    first_run(university);
    configure({{"apogee", {{"min_rows", 0}}}});
    write_export(m_export, {});
    const auto before = moodle_fingerprint();

    const auto run = sync();

    EXPECT_EQ(run.exit_code, 3) << run.describe();
    EXPECT_TRUE(contains(run.err, "guard export_empty tripped")) << run.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
    EXPECT_EQ(members(), university.expected_members());
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "refused");
    EXPECT_EQ(runs_with_outcome("refused"), "1");
}

TEST_F(SyncE2e, ExportShrunkByHalfIsRefusedThenAppliedWithForce) {
    University university = University::standard();
    first_run(university);
    // 62 active inscriptions (60 students, one without an account, one missing from the
    // directory) down to 31: half.
    for (int i = 1; i <= 60; i += 2) {
        university.student(std::to_string(22600000 + i)).in_export = false;
    }
    university.student("22600062").in_export = false;
    write_export(m_export, university.export_rows());
    const auto before = moodle_fingerprint();

    const auto refused = sync();

    EXPECT_EQ(refused.exit_code, 3) << refused.describe();
    const std::string line = line_with(refused.err, "guard export_shrink tripped");
    EXPECT_TRUE(contains(line, "31 now, 62 at the last successful run: shrank by 50.0 %"))
        << refused.describe();
    const std::string hint = line_after(refused.err, "guard export_shrink tripped");
    EXPECT_TRUE(contains(hint, "HINT:")) << refused.describe();
    EXPECT_TRUE(contains(hint, "--force")) << refused.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "refused");

    const auto forced = sync({"--force"});

    ASSERT_EQ(forced.exit_code, 0) << forced.describe();
    EXPECT_TRUE(contains(forced.err, "overridden by --force")) << forced.describe();
    EXPECT_EQ(members(), university.expected_members());
    EXPECT_EQ(members().size(), 30U);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "applied");
    EXPECT_EQ(m_report["forced"], true);
}

TEST_F(SyncE2e, MaxRemovalsRefusesThreeRemovalsThenForceApplies) {
    University university = University::standard();
    first_run(university);
    configure({{"guards", {{"max_removals", 2}}}});
    for (const char* number : {"22600010", "22600020", "22600030"}) {
        university.student(number).status = "A";
    }
    write_export(m_export, university.export_rows());
    const auto before = moodle_fingerprint();

    const auto refused = sync();

    EXPECT_EQ(refused.exit_code, 3) << refused.describe();
    EXPECT_TRUE(contains(line_with(refused.err, "guard max_removals tripped"), "3 removal(s) > limit 2"))
        << refused.describe();
    EXPECT_TRUE(contains(line_after(refused.err, "guard max_removals tripped"), "--force"))
        << refused.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "refused");

    const auto forced = sync({"--force"});

    ASSERT_EQ(forced.exit_code, 0) << forced.describe();
    EXPECT_EQ(members(), university.expected_members());
    EXPECT_EQ(members().size(), 57U);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "applied");
}

// ---------------------------------------------------------------------------------------------
// 6. A failure in the middle of the apply

TEST_F(SyncE2e, ErrorInTheMiddleOfApplyRollsEverythingBack) {
    University university = University::standard();
    first_run(university);
    // The next night has a bit of everything: a new étape (create), a new label (rename), a
    // withdrawal (remove) and new students (adds), one of whose insertion fails.
    university.labels["L3PHYS"] = "Licence 3 Physique";
    arrive(university, Student{"etu22600071", "22600071", "L3PHYS"});
    arrive(university, Student{"etu22600072", "22600072", "L3PHYS"});
    arrive(university, Student{"etu22600073", "22600073", "L1INFO"});
    university.labels["M1GEO"] = "Master 1 Géographie";
    university.student("22600004").status = "A";
    write_export(m_export, university.export_rows());
    const std::string poisoned = user_id("etu22600072");
    cst::servers().psql("CREATE FUNCTION e2e_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        " RAISE EXCEPTION 'e2e: injected failure for userid %', NEW.userid; END $$;"
                        "CREATE TRIGGER e2e_fail BEFORE INSERT ON mdl_cohort_members FOR EACH ROW"
                        " WHEN (NEW.userid = " +
                        poisoned + ") EXECUTE FUNCTION e2e_fail()");
    const auto before = database_fingerprint();

    const auto failed = sync();

    EXPECT_EQ(failed.exit_code, 1) << failed.describe();
    EXPECT_TRUE(contains(failed.err, "e2e: injected failure for userid " + poisoned)) << failed.describe();
    EXPECT_TRUE(contains(failed.err, "copy_new_members")) << failed.describe();
    EXPECT_EQ(database_fingerprint(), before);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "failed");

    cst::servers().psql("DROP TRIGGER e2e_fail ON mdl_cohort_members; DROP FUNCTION e2e_fail()");
    const auto converged = sync();
    ASSERT_EQ(converged.exit_code, 0) << converged.describe();
    EXPECT_EQ(members(), university.expected_members());
    EXPECT_EQ(cst::servers().query_value("SELECT name FROM mdl_cohort WHERE idnumber = 'etape-M1GEO'"),
              "M1GEO: Master 1 Géographie");
    EXPECT_EQ(cst::servers().query_value("SELECT name FROM mdl_cohort WHERE idnumber = 'etape-L3PHYS'"),
              "L3PHYS: Licence 3 Physique");
    const auto again = sync();
    ASSERT_EQ(again.exit_code, 0) << again.describe();
    EXPECT_TRUE(contains(again.err, "plan: +0 -0")) << again.describe();
}

// ---------------------------------------------------------------------------------------------
// 7. Two runs at once

// Starts a slow first run (one insertion sleeps 3 s) and returns once it sleeps, holding the lock.
RunningCohortSync start_slow_run(const std::string& config_path, const std::string& slow_user) {
    cst::servers().psql("CREATE FUNCTION e2e_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        " PERFORM pg_sleep(3); RETURN NEW; END $$;"
                        "CREATE TRIGGER e2e_slow BEFORE INSERT ON mdl_cohort_members FOR EACH ROW"
                        " WHEN (NEW.userid = " +
                        slow_user + ") EXECUTE FUNCTION e2e_slow()");
    auto run = start_cohort_sync({"--config", config_path});
    // Wait for the sleep (about 1 s in) rather than guess.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline && !run.finished()) {
        if (cst::servers().query_value(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") != "0") {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return run;
}

TEST_F(SyncE2e, SecondRunWhileFirstHoldsTheLockExitsWithFour) {
    const University university = University::standard();
    load(university);
    const auto reports_before = report_files(m_dir);
    auto first = start_slow_run(m_config_path, user_id("etu22600030"));
    ASSERT_FALSE(first.finished()) << "the first run ended before the slow insertion:\n"
                                   << first.wait().describe();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    const auto second = run();
    const bool first_still_running = !first.finished();
    const auto first_result = first.wait();

    EXPECT_EQ(second.exit_code, 4) << second.describe();
    EXPECT_TRUE(contains(second.err, "another cohort-sync run holds the lock")) << second.describe();
    EXPECT_TRUE(first_still_running) << "the second run waited for the first instead of giving up";
    EXPECT_EQ(first_result.exit_code, 0) << first_result.describe();
    EXPECT_EQ(members(), university.expected_members());

    std::multiset<std::string> outcomes;
    for (const auto& file : report_files(m_dir)) {
        if (!reports_before.contains(file)) {
            outcomes.insert(json::parse(cst::read_file(file))["outcome"].get<std::string>());
        }
    }
    EXPECT_EQ(outcomes, (std::multiset<std::string>{"applied", "locked"}));
}

TEST_F(SyncE2e, SigtermDuringApplyRollsBackAndExits130) {
    const University university = University::standard();
    load(university);
    const auto before = database_fingerprint();
    auto run = start_slow_run(m_config_path, user_id("etu22600030"));
    ASSERT_FALSE(run.finished()) << "the run ended before it reached the slow insertion";

    const auto signalled = std::chrono::steady_clock::now();
    run.send(SIGTERM);
    const auto result = run.wait();
    const double stopping =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    m_report = take_new_report({});

    EXPECT_EQ(result.exit_code, 130) << result.describe();
    // Well under the 3 s the trigger sleeps: the statement in flight was cancelled.
    EXPECT_LT(stopping, 2.0) << result.describe();
    EXPECT_TRUE(contains(result.err, "interrupted")) << result.describe();
    cst::servers().psql("DROP TRIGGER e2e_slow ON mdl_cohort_members");
    EXPECT_EQ(database_fingerprint(), before);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "interrupted");
}

// ---------------------------------------------------------------------------------------------
// 9. A source down

TEST_F(SyncE2e, LdapDownFailsNamingTheUriAndWritesNothing) {
    University university = University::standard();
    first_run(university);
    // Tonight would remove someone, had the directory answered.
    university.student("22600002").status = "A";
    write_export(m_export, university.export_rows());
    const auto before = database_fingerprint();

    cst::servers().stop_slapd();
    struct Restart {
        ~Restart() { cst::servers().start_slapd(); }
    } restart;
    const auto run = sync();

    EXPECT_EQ(run.exit_code, 1) << run.describe();
    EXPECT_TRUE(contains(run.err, cst::servers().ldap_uri())) << run.describe();
    EXPECT_TRUE(contains(run.err, "unable to connect to LDAP server")) << run.describe();
    EXPECT_TRUE(contains(run.err, "HINT:")) << run.describe();
    EXPECT_EQ(database_fingerprint(), before);
    ASSERT_TRUE(m_report.is_object());
    EXPECT_EQ(m_report["outcome"], "failed");
    EXPECT_TRUE(contains(m_report["error"].get<std::string>(), cst::servers().ldap_uri()))
        << m_report.dump(2);
}

// The directory's size limit (100 for the reader) cut short an unpaged read: that is a failure of
// the source, never 20 students who left. The guards are relaxed so that only the LDAP adapter
// stands between a partial read and the removals.
TEST_F(SyncE2e, LdapSizeLimitHitFailsInsteadOfRemovingStudents) {
    University university = University::standard();
    for (int i = 64; i <= 120; ++i) {
        Student student;
        student.number = std::to_string(22600000 + i);
        student.login = "etu" + student.number;
        student.etape = i % 2 == 0 ? "L1INFO" : "L2MATH";
        university.students.push_back(student);
    }
    configure({{"guards",
                {{"max_source_shrink_ratio", 1.0},
                 {"max_etape_shrink_ratio", 1.0},
                 {"max_cohort_removal_ratio", 1.0},
                 {"max_total_removal_ratio", 1.0}}}});
    first_run(university);
    ASSERT_EQ(members().size(), 117U);
    const auto before = database_fingerprint();

    configure({{"ldap", {{"paged_results", false}}}});
    const auto unpaged = sync();

    EXPECT_EQ(unpaged.exit_code, 1) << unpaged.describe();
    EXPECT_TRUE(contains(unpaged.err, "size limit")) << unpaged.describe();
    EXPECT_EQ(database_fingerprint(), before);

    // Pages larger than the size limit: either read whole or refused, never half-read.
    configure({{"ldap", {{"paged_results", true}, {"page_size", 500}}}});
    const auto big_pages = sync();

    EXPECT_TRUE(big_pages.exit_code == 0 || big_pages.exit_code == 1) << big_pages.describe();
    EXPECT_EQ(members(), university.expected_members()) << big_pages.describe();
    if (big_pages.exit_code == 0) {
        EXPECT_TRUE(contains(big_pages.err, "plan: +0 -0")) << big_pages.describe();
    }
}

TEST_F(SyncE2e, LdapBackAfterAnOutageConverges) {
    University university = University::standard();
    first_run(university);
    university.student("22600002").status = "A";
    write_export(m_export, university.export_rows());
    cst::servers().stop_slapd();
    const auto down = sync();
    cst::servers().start_slapd();
    ASSERT_EQ(down.exit_code, 1) << down.describe();

    const auto run = sync();

    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(members(), university.expected_members());
}

// ---------------------------------------------------------------------------------------------
// 8. No secret anywhere. Last, so that it also sees what every test above printed.

TEST_F(SyncE2e, NoPasswordInAnyOutputOrReport) {
    const std::string password = password_in(cst::servers().ldap_reader_password_file());
    ASSERT_GE(password.size(), 8U) << "too short to grep for meaningfully";
    const std::string wrong_password = "Wrong-E2e-Password-1234";

    University university = University::standard();
    load(university);
    // Runs of every kind, each of which could leak: verbose, dry-run JSON, the effective
    // configuration, a check, a guard refusal, a failed bind.
    EXPECT_EQ(sync({"-v"}).exit_code, 0);
    EXPECT_EQ(sync({"--dry-run", "-v", "--format", "json"}).exit_code, 0);
    EXPECT_EQ(run({"--print-config"}).exit_code, 0);
    EXPECT_EQ(run({"check"}).exit_code, 0);
    configure({{"guards", {{"max_removals", 0}}}});
    university.student("22600002").status = "A";
    write_export(m_export, university.export_rows());
    EXPECT_EQ(sync({"-v"}).exit_code, 3);
    const std::string wrong_file = make_temp_dir("e2e-secret-") + "/wrong.password";
    write_text(wrong_file, wrong_password + "\n");
    chmod(wrong_file.c_str(), 0600);
    configure({{"ldap", {{"password_file", wrong_file}}}});
    const auto refused_bind = sync({"-v"});
    EXPECT_EQ(refused_bind.exit_code, 1) << refused_bind.describe();
    EXPECT_TRUE(contains(refused_bind.err, "invalid credentials")) << refused_bind.describe();
    const auto refused_check = run({"check"});
    EXPECT_EQ(refused_check.exit_code, 6) << refused_check.describe();

    ASSERT_GE(captured_outputs().size(), 7U);
    for (const auto& output : captured_outputs()) {
        EXPECT_FALSE(contains(output, password)) << "the LDAP password is in:\n" << output;
        EXPECT_FALSE(contains(output, wrong_password)) << "a wrong LDAP password is in:\n" << output;
    }
    // Every report of every test of this binary, and the reports stored in the database.
    int reports = 0;
    for (const auto& entry : fs::recursive_directory_iterator(cst::servers().dir())) {
        if (entry.is_regular_file() && entry.path().extension() == ".json" &&
            entry.path().parent_path().filename() == "reports") {
            ++reports;
            const std::string text = cst::read_file(entry.path().string());
            EXPECT_FALSE(contains(text, password)) << entry.path();
            EXPECT_FALSE(contains(text, wrong_password)) << entry.path();
        }
    }
    EXPECT_GE(reports, 4);
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM cohort_sync.runs WHERE report::text LIKE " +
                                         sql_literal("%" + password + "%") + " OR report::text LIKE " +
                                         sql_literal("%" + wrong_password + "%")),
              "0");
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
