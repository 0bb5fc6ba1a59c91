// The review page, read the way its reviewers read it: the figures at a glance, a withdrawn
// student's line and why, a tripped guard; and what must never be in it (an unescaped value, a
// connection string, a request to anywhere).
#include "../../src/app/private_file.hpp"
#include "../../src/core/review/html.hpp"
#include "../../src/core/review/review_words.hpp"
#include "cohort_sync/review_page.hpp"
#include "test_builders.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <string>
#include <sys/stat.h>

namespace cohort_sync {
namespace {

ReviewSite sample_site() {
    ReviewSite site;
    site.configuration = "/etc/cohort-sync/cohort-sync.json";
    site.tables = "public.mdl_";
    site.component = "local_cohortsync";
    site.rule = "both";
    site.sources = {{"ldap", "ou=people,dc=univ-test,dc=fr"},
                    {"export", "/var/lib/cohort-sync/incoming/apogee.csv"}};
    return site;
}

// A night at a small university: alice joins L1INFO, bob withdrew from it (APOGÉE has his
// withdrawal, the directory still lists the étape), carol is kept by the grace period, two join
// the new M1BIO cohort, and a guard trips on L1INFO's removal ratio.
RunReport sample_report() {
    RunReport report;
    report.run_id = "20261129T023512Z-3f9a07c2";
    report.outcome = "dry-run";
    report.dry_run = true;
    report.started_at = 1795919712; // 2026-11-29 02:35:12 UTC
    report.counts = {
        {{"directory_entries", 1200}, {"export_inscriptions", 1180}}, 1170, {{"L1INFO", 3}, {"M1BIO", 2}}};
    report.last_success =
        SourceCounts{{{"directory_entries", 1250}, {"export_inscriptions", 1190}}, 1175, {{"L1INFO", 3}}};
    report.directory_pages = 3;
    report.cross_check.students_compared = 1100;
    report.cross_check.only_in_directory = 1;
    report.cross_check.all = {
        {"22800002", "bob", "L1INFO", "directory", "uid=bob,ou=people,dc=univ-test,dc=fr"}};

    Plan plan;
    CohortPlan info;
    info.cohort_id = 11;
    info.idnumber = "etape-L1INFO";
    info.etape = "L1INFO";
    info.name = "L1INFO: Licence 1 Informatique";
    info.rename_from = "L1INFO: Licence 1 Info";
    info.current_size = 3;
    info.desired_size = 3;
    info.adds = {{101,
                  "alice",
                  "22800001",
                  {{"directory", 0, "uid=alice,ou=people,dc=univ-test,dc=fr"}, {"export", 1214, ""}}}};
    info.removes = {{102, "bob", "22800002"}};
    info.deferred = {{103, "carol", "22800003"}};
    CohortPlan bio;
    bio.idnumber = "etape-M1BIO";
    bio.etape = "M1BIO";
    bio.name = "M1BIO: Master 1 Biologie";
    bio.desired_size = 2;
    bio.adds = {{104, "dave", "22800004", {{"export", 17, ""}}},
                {0, "eve", "22800005", {{"export", 18, ""}}}};
    plan.cohorts = {info, bio};
    plan.accounts = {{"eve", "22800005", "Eve", "Martin", "eve@univ-test.fr", "cas"}};
    plan.unplaced = {{"22800006", "frank", "L1INFO", UnplacedReason::no_account}};
    plan.left_alone = {"etape-DUOLD"};
    plan.issues = {
        {Severity::error, "etape-L3X", "étape L3X is skipped: idnumber 'etape-L3X' is already used"}};
    plan.managed_memberships = 7;
    report.plan = plan;
    report.issues = plan.issues;
    report.issues.push_back({Severity::warning, "apogee.csv:12", "column 'COD_ETU' is empty"});

    report.verdicts = {{"max_removals", false, "1 removal(s) <= limit 1000", ""},
                       {"max_cohort_removal_ratio", true,
                        "1 cohort(s) would lose more than 25.0 %: etape-L1INFO -1 of 3",
                        "review the plan with 'cohort-sync --dry-run -v'"}};
    CourseImpact impact;
    impact.enrolments_added = 3;
    impact.enrolments_removed = 2;
    impact.graded_students_removed = 1;
    impact.courses = {{201, "INFO101", 1, 1, 1, {}}, {202, "BIO101", 2, 1, 0, {}}};
    report.impact = impact;
    return report;
}

std::string render(const RunReport& report, Language language = Language::en,
                   const ReviewSite& site = sample_site()) {
    ReviewOptions options;
    options.language = language;
    return render_review_page(report, site, options);
}

// The table row of a student, by its search key: what a reviewer sees on that student's line.
std::string row_of(const std::string& page, const std::string& key) {
    const auto start = page.find("<tr data-k=\"" + key + "\"");
    if (start == std::string::npos) {
        return "";
    }
    return page.substr(start, page.find("</tr>", start) - start);
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

TEST(ReviewPage, ShowsThePlansFiguresAtAGlance) {
    const auto page = render(sample_report());
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    EXPECT_NE(page.find("<b>+3</b> members added"), std::string::npos);
    EXPECT_NE(page.find("<b>\u22121</b> members removed"), std::string::npos);
    EXPECT_NE(page.find("<b>1</b> new cohorts"), std::string::npos);
    EXPECT_NE(page.find("<b>1</b> students who would lose grades"), std::string::npos);
    EXPECT_NE(page.find("run 20261129T023512Z-3f9a07c2, 2026-11-29 02:35 UTC"), std::string::npos);
    EXPECT_NE(page.find("Made by a dry run: nothing has been changed in Moodle."), std::string::npos);
    // The directory shrank from 1,250 to 1,200 entries since the last applied run.
    EXPECT_NE(page.find("<td class=\"num\" data-v=\"1200\">1,200</td><td class=\"num\">1,250</td>"
                        "<td class=\"num minus\">\u22124.0 %</td>"),
              std::string::npos);
}

TEST(ReviewPage, ShowsATrippedGuardAndItsFigures) {
    const auto page = render(sample_report());
    EXPECT_NE(page.find("<p class=\"verdict refused\" id=\"verdict\">Refused: 1 safety guard(s) tripped"),
              std::string::npos);
    const auto tripped =
        page.find("<tr class=\"tripped\"><td>No cohort loses too large a share of its members<br>"
                  "<span class=\"note\">max_cohort_removal_ratio</span></td><td>TRIPPED</td>"
                  "<td>1 cohort(s) would lose more than 25.0 %: etape-L1INFO -1 of 3</td>");
    ASSERT_NE(tripped, std::string::npos);
    EXPECT_LT(tripped, page.find("max_removals</span></td><td>ok</td>")) << "tripped guards first";
    EXPECT_NE(page.find("<td>the whole plan</td><td>guard max_cohort_removal_ratio: 1 cohort(s)"),
              std::string::npos)
        << "held back";
}

TEST(ReviewPage, SaysWhyAWithdrawnStudentLeaves) {
    const auto page = render(sample_report());
    EXPECT_EQ(row_of(page, "bob 22800002"),
              "<tr data-k=\"bob 22800002\"><td>bob</td><td>22800002</td><td>still in the directory "
              "(uid=bob,ou=people,dc=univ-test,dc=fr), but no active inscription any more</td>");
    EXPECT_NE(page.find("<caption>Removed (1)</caption>"), std::string::npos);

    auto gone = sample_report();
    gone.cross_check.all.clear();
    EXPECT_EQ(row_of(render(gone), "bob 22800002"),
              "<tr data-k=\"bob 22800002\"><td>bob</td><td>22800002</td><td>the sources no longer place this "
              "student in L1INFO</td>");

    auto moved = gone;
    moved.plan->cohorts[1].adds.push_back({102, "bob", "22800002", {{"export", 19, ""}}});
    EXPECT_NE(row_of(render(moved), "bob 22800002")
                  .find("in L1INFO; changes étape: joins etape-M1BIO tonight</td>"),
              std::string::npos)
        << "a change of étape, not a withdrawal";
    const auto moved_page = render(moved);
    const auto joining =
        moved_page.find("<tr data-k=\"bob 22800002\"", moved_page.find("data-name=\"etape-M1BIO\""));
    EXPECT_EQ(moved_page.substr(joining, moved_page.find("</tr>", joining) - joining),
              "<tr data-k=\"bob 22800002\"><td>bob</td><td>22800002</td><td>export, line 19; changes étape: "
              "leaves etape-L1INFO tonight</td>")
        << "and not a new student";
}

TEST(ReviewPage, SaysWhyAStudentJoinsFromThePlansReasons) {
    const auto page = render(sample_report());
    EXPECT_EQ(row_of(page, "alice 22800001"),
              "<tr data-k=\"alice 22800001\"><td>alice</td><td>22800001</td><td>directory: "
              "uid=alice,ou=people,dc=univ-test,dc=fr; export, line 1,214</td>");
    EXPECT_EQ(row_of(page, "eve 22800005"),
              "<tr data-k=\"eve 22800005\"><td>eve</td><td>22800005</td><td>no Moodle account yet: this run "
              "creates it; export, line 18</td>");
    EXPECT_NE(row_of(page, "carol 22800003").find("kept for now by the grace period"), std::string::npos);
}

// A university that reads Pégase sees its DRE's rows named, not an export's lines.
TEST(ReviewPage, NamesAPegaseRowAsSuch) {
    auto report = sample_report();
    report.plan->cohorts[1].adds.push_back({107, "ines", "22800011", {{"pegase", 3141, ""}}});
    EXPECT_EQ(row_of(render(report), "ines 22800011"),
              "<tr data-k=\"ines 22800011\"><td>ines</td><td>22800011</td><td>Pégase, row 3,141</td>");
    EXPECT_NE(render(report, Language::fr).find("Pégase, ligne 3 141"), std::string::npos);
}

TEST(ReviewPage, ListsCohortsMostRemovalsFirstWithRenamesAndNewOnes) {
    const auto page = render(sample_report());
    const auto info =
        page.find("<details class=\"cohort\" data-removes=\"1\" data-adds=\"1\" data-size=\"3\" "
                  "data-name=\"etape-L1INFO\" data-k=\"etape-l1info l1info\">");
    const auto bio = page.find("data-name=\"etape-M1BIO\"");
    ASSERT_NE(info, std::string::npos);
    ASSERT_NE(bio, std::string::npos);
    EXPECT_LT(info, bio);
    EXPECT_NE(page.find("renamed from &#39;L1INFO: Licence 1 Info&#39;"), std::string::npos);
    EXPECT_NE(page.find("M1BIO: Master 1 Biologie</span> <span class=\"badge\">new</span>"),
              std::string::npos);
    EXPECT_NE(page.find("<span class=\"bar-label\">etape-M1BIO</span>"), std::string::npos) << "the chart";
}

TEST(ReviewPage, ShowsTheCoursesAndWhoWouldLoseGrades) {
    const auto page = render(sample_report());
    EXPECT_NE(page.find("<p class=\"danger\" id=\"grades-warning\">1 student(s) to be removed have grades"),
              std::string::npos);
    EXPECT_NE(
        page.find("<tr class=\"danger\" data-k=\"info101 201\"><td class=\"num\" data-v=\"201\">201</td>"
                  "<td>INFO101</td>"),
        std::string::npos);
}

// With element or group cohorts, each cohort says its kind and a line sums the changes per kind; a
// site with étape cohorts only reads as before.
TEST(ReviewPage, NamesEachCohortsKindWhenThereIsMoreThanOne) {
    EXPECT_EQ(render(sample_report()).find("cohorts-by-kind"), std::string::npos);

    auto report = sample_report();
    report.plan->cohorts.push_back(
        testing::element_ue12_plan(1, {{104, "dave", "22800004", {{"contracts", 40, ""}}}}));
    const auto page = render(report);
    EXPECT_NE(page.find("<p id=\"cohorts-by-kind\">étape: +3 \u2212"
                        "1 in 2 cohort(s); element: +1 \u2212"
                        "0 in 1 "
                        "cohort(s)</p>"),
              std::string::npos)
        << page;
    EXPECT_NE(page.find("<span class=\"badge kind\">element</span>"), std::string::npos);
    EXPECT_NE(render(report, Language::fr).find("<span class=\"badge kind\">élément</span>"),
              std::string::npos);
}

// A reason names its source's record as that source numbers them: an element cohort's member
// comes from a line of the contracts file, not of the export.
TEST(ReviewPage, AReasonNamesItsOwnSourcesRecord) {
    auto report = sample_report();
    report.plan->cohorts.push_back(
        testing::element_ue12_plan(1, {{190, "zoe", "22800090", {{"contracts", 40, ""}}},
                                       {191, "yann", "22800091", {{"groups", 7, ""}}}}));
    const auto page = render(report);
    EXPECT_NE(row_of(page, "zoe 22800090").find("contracts, line 40"), std::string::npos) << page;
    EXPECT_EQ(row_of(page, "zoe 22800090").find("export"), std::string::npos);
    EXPECT_NE(row_of(page, "yann 22800091").find("groups, line 7"), std::string::npos);
    EXPECT_NE(row_of(render(report, Language::fr), "zoe 22800090").find("contracts, ligne 40"),
              std::string::npos);
}

// The course groups a group cohort fills through "Ajouter au groupe": who joins and who leaves.
TEST(ReviewPage, ShowsWhoJoinsAndLeavesEachCourseGroup) {
    auto report = sample_report();
    report.impact->courses[0].groups = {{41, "TD1", 0, 1, {}, {"bob"}}, {42, "TD2", 1, 0, {"bob"}, {}}};
    report.impact->group_joins = 1;
    report.impact->group_leaves = 1;
    const auto page = render(report);
    EXPECT_NE(
        page.find("<p id=\"groups-summary\">Course groups: 1 student(s) join and 1 leave 2 group(s), at "
                  "Moodle&#39;s next cohort sync.</p>"),
        std::string::npos)
        << page;
    EXPECT_EQ(row_of(page, "info101 td1 bob"), "<tr data-k=\"info101 td1 bob\"><td>INFO101</td><td>TD1</td>"
                                               "<td data-v=\"0\"><span class=\"num\">0</span></td>"
                                               "<td data-v=\"1\"><span class=\"num\">1</span> bob</td>");
    const auto french = render(report, Language::fr);
    EXPECT_NE(french.find("Groupes de cours remplis par « Ajouter au groupe »"), std::string::npos);

    EXPECT_EQ(render(sample_report()).find("groups-summary"), std::string::npos) << "no group, no paragraph";
    report.impact->groups_previewed = false;
    EXPECT_NE(render(report).find("Course groups were not previewed"), std::string::npos);
}

TEST(ReviewPage, HoldsBackWhatThePlanDoesNotDo) {
    const auto page = render(sample_report());
    for (const char* held :
         {"<td>etape-L3X</td><td>étape L3X is skipped", "<td>1 removal(s) in 1 cohort(s)</td>",
          "<td>etape-DUOLD</td><td>nobody of this étape",
          "<td>1 student membership(s)</td><td>no usable Moodle account: 1 no Moodle account"}) {
        EXPECT_NE(page.find(held), std::string::npos) << held;
    }
    // Not held back: under rule "both" the export decides the étapes. The pairs are listed with
    // the run's cross-check instead.
    const auto listed =
        page.find("<tr data-k=\"bob 22800002 l1info\"><td>L1INFO</td><td>22800002</td><td>bob</td>"
                  "<td>the directory</td>");
    ASSERT_NE(listed, std::string::npos);
    EXPECT_LT(listed, page.find("id=\"guards\""));
}

TEST(ReviewPage, EscapesEveryValue) {
    auto report = sample_report();
    report.plan->cohorts[0].name = "<script>alert('name')</script>";
    report.plan->cohorts[0].adds[0].username = "\"><img src=x onerror=alert(1)>";
    report.issues.push_back({Severity::error, "export.csv:3", "bad \xff byte & <b>bold</b>\x01"});
    const auto page = render(report);
    EXPECT_EQ(occurrences(page, "<script>"), 1u) << "only the page's own";
    EXPECT_EQ(page.find("<img"), std::string::npos);
    EXPECT_NE(page.find("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(page.find("<td>bad \uFFFD byte &amp; &lt;b&gt;bold&lt;/b&gt;</td>"), std::string::npos);
}

TEST(ReviewPage, IsSelfContained) {
    const auto page = render(sample_report());
    EXPECT_EQ(page.find("src="), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
    EXPECT_EQ(page.find("://"), std::string::npos) << "no address of any kind";
    EXPECT_NE(page.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
    EXPECT_EQ(occurrences(page, "<style>"), 1u);
    EXPECT_TRUE(page.ends_with("</html>\n"));
}

TEST(ReviewPage, NeverShowsAConnectionStringOrASecretsPath) {
    Config config;
    config.source_path = "/etc/cohort-sync/site-a.json";
    config.moodle.conninfo = "host=db.univ-test.fr dbname=moodle user=sync password=hunter2";
    config.ldap.uris = {"ldaps://ldap.univ-test.fr"};
    config.ldap.bind_dn = "cn=cohort-sync,ou=services,dc=univ-test,dc=fr";
    config.ldap.password_file = "/etc/cohort-sync/ldap.password";
    config.ldap.base_dn = "ou=people,dc=univ-test,dc=fr";
    config.apogee.path = "/var/lib/cohort-sync/incoming/apogee.csv";
    auto report = sample_report();
    report.error = "unable to connect"; // errors are redacted where they are made; not shown here anyway
    const auto page = render(report, Language::en, review_site(config));
    for (const char* secret :
         {"hunter2", "password", "host=", "ldaps://", "cn=cohort-sync", "ldap.password"}) {
        EXPECT_EQ(page.find(secret), std::string::npos) << secret;
    }
    EXPECT_NE(page.find("/etc/cohort-sync/site-a.json"), std::string::npos) << "the site is named";
}

TEST(ReviewPage, SaysWhatWasHeldBackOnDoubtAndWhy) {
    auto report = sample_report();
    auto& cohort = report.plan->cohorts.front();
    cohort.held_back = {{106, "hugo", "22800010", {{"export", 42, ""}}}};
    report.plan->holds = {
        {"22800010", "hugo", "", {"export", 42, ""}, "column 'COD_ETP' contains a NUL byte"}};
    const auto page = render(report);
    EXPECT_NE(page.find("removals held back on doubt"), std::string::npos);
    EXPECT_NE(page.find("1 removal(s) in 1 cohort(s), on doubt"), std::string::npos);
    EXPECT_NE(page.find("export, line 42, column &#39;COD_ETP&#39; contains a NUL byte"), std::string::npos);
    EXPECT_NE(page.find("<caption>Held back on doubt (1)</caption>"), std::string::npos);
    EXPECT_NE(
        row_of(page, "hugo 22800010").find("a damaged record may concern this student: export, line 42"),
        std::string::npos);
    EXPECT_NE(render(report, Language::fr).find("Retenus par le doute (1)"), std::string::npos);
}

TEST(ReviewPage, SpeaksFrench) {
    auto report = sample_report();
    report.counts.records["directory_entries"] = 31872;
    const auto page = render(report, Language::fr);
    EXPECT_TRUE(page.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    EXPECT_NE(page.find("<caption>Retirés (1)</caption>"), std::string::npos);
    EXPECT_NE(page.find("Refusé : 1 garde-fou(s) déclenché(s)"), std::string::npos);
    EXPECT_NE(page.find(">31\u202F872</td>"), std::string::npos) << "French thousands";
    EXPECT_NE(row_of(page, "bob 22800002").find("toujours dans l&#39;annuaire"), std::string::npos);
    EXPECT_EQ(page.find("members added"), std::string::npos);
}

TEST(ReviewPage, SummarisesAFirstNightUnlessAskedForEveryStudent) {
    RunReport report = sample_report();
    report.plan->cohorts.clear();
    report.plan->unplaced.clear();
    report.plan->accounts.clear();
    report.cross_check.all.clear();
    report.issues.clear();
    for (int c = 0; c < 300; ++c) {
        CohortPlan cohort;
        cohort.idnumber = "etape-E" + std::to_string(c);
        cohort.etape = "E" + std::to_string(c);
        for (int m = 0; m < 100; ++m) {
            const int id = c * 100 + m + 1;
            cohort.adds.push_back(
                {id, "s" + std::to_string(id), std::to_string(30000000 + id), {{"export", id, ""}}});
        }
        report.plan->cohorts.push_back(cohort);
    }
    ReviewOptions options;
    const auto page = render_review_page(report, sample_site(), options);
    // 30,000 students in 300 lists, over the budget of 10,000 lines: 33 per list.
    EXPECT_EQ(occurrences(page, "<tr data-k=\"s"), 300u * 33u);
    EXPECT_NE(page.find("each list below shows its first 33 student(s), 9,900 of 30,000 in all"),
              std::string::npos);
    EXPECT_EQ(occurrences(page, "… and 67 more, not listed (--html-full lists them).</p>"), 300u);
    EXPECT_LT(page.size(), 5u * 1024 * 1024);

    options.full = true;
    const auto full = render_review_page(report, sample_site(), options);
    EXPECT_EQ(occurrences(full, "<tr data-k=\"s"), 30000u);
    EXPECT_EQ(full.find("id=\"lists-cut\""), std::string::npos);
}

// At 100,000 students a night of 2 % churn also has thousands of students without an account:
// they must not crowd the removals out of the page.
TEST(ReviewPage, ListsANightsRemovalsWholeHoweverManyStudentsLackAnAccount) {
    auto report = sample_report();
    report.plan->unplaced.clear();
    for (int i = 0; i < 12000; ++i) {
        report.plan->unplaced.push_back(
            {std::to_string(40000000 + i), "u" + std::to_string(i), "L1INFO", UnplacedReason::no_account});
    }
    const auto page = render(report);
    EXPECT_EQ(page.find("id=\"lists-cut\""), std::string::npos);
    EXPECT_NE(row_of(page, "bob 22800002"), "");
    EXPECT_EQ(occurrences(page, "<tr data-k=\"u"), 1000u);
    EXPECT_NE(page.find("… and 11,000 more, not listed (--html-full lists them).</p>"), std::string::npos);
}

TEST(ReviewPage, FromAPlanFileSaysSoAndThatCoursesAreUnknown) {
    PlanFile file;
    file.run_id = "20261130T020000Z-abcd0123";
    file.created_at = 1796000000;
    file.prefix = "mdl_";
    file.schema = "public";
    file.component = "local_cohortsync";
    file.counts = {{{"directory_entries", 100}, {"export_inscriptions", 250}}, 99, {{"L1INFO", 40}}};
    file.plan = *sample_report().plan;
    file.verdicts = sample_report().verdicts;
    const auto site = review_site(file, "/tmp/plan.json");
    const auto page = render(report_of_plan_file(file), Language::en, site);
    EXPECT_NE(
        page.find("Made from the saved plan &#39;/tmp/plan.json&#39;. Once reviewed, it is applied with "
                  "&#39;cohort-sync apply-plan /tmp/plan.json&#39;."),
        std::string::npos);
    EXPECT_NE(page.find("Not in a plan file"), std::string::npos);
    EXPECT_NE(page.find("public.mdl_ \u2014 run 20261130T020000Z-abcd0123"), std::string::npos);
    EXPECT_NE(row_of(page, "alice 22800001").find("export, line 1,214"), std::string::npos);
}

TEST(ReviewPage, WithoutAPlanSaysWhy) {
    RunReport report;
    report.run_id = "20261129T023512Z-00000001";
    report.outcome = "failed";
    report.error = "unable to read 'apogee.csv': No such file or directory";
    const auto page = render(report);
    EXPECT_NE(page.find("No plan: the run stopped before planning. unable to read &#39;apogee.csv&#39;"),
              std::string::npos);
    EXPECT_NE(page.find("No cohort changes."), std::string::npos);
}

TEST(ReviewLanguage, FollowsTheLocaleInPosixOrder) {
    EXPECT_EQ(language_from_locale("", "", ""), Language::en);
    EXPECT_EQ(language_from_locale("", "", "fr_FR.UTF-8"), Language::fr);
    EXPECT_EQ(language_from_locale("", "fr_CA.UTF-8", "en_US.UTF-8"), Language::fr);
    EXPECT_EQ(language_from_locale("C.UTF-8", "fr_FR.UTF-8", "fr_FR.UTF-8"), Language::en) << "LC_ALL wins";
    EXPECT_EQ(language_from_locale("FR_fr", "", ""), Language::fr);
    EXPECT_EQ(language_from_locale("", "", "french"), Language::fr);
}

TEST(ReviewWords, EveryWordHasBothLanguagesWithTheSamePlaceholders) {
    const Words english(Language::en);
    const Words french(Language::fr);
    for (int i = 0; i < static_cast<int>(Word::count_); ++i) {
        const auto word = static_cast<Word>(i);
        EXPECT_FALSE(english(word).empty()) << i;
        EXPECT_FALSE(french(word).empty()) << i;
        EXPECT_EQ(occurrences(std::string(english(word)), "{}"), occurrences(std::string(french(word)), "{}"))
            << english(word);
    }
}

TEST(ReviewWords, WritesNumbersAsEachLanguageDoes) {
    EXPECT_EQ(Words(Language::en).count(239607), "239,607");
    EXPECT_EQ(Words(Language::fr).count(239607), "239\u202F607");
    EXPECT_EQ(Words(Language::en).count(-1000), "-1,000");
    EXPECT_EQ(Words(Language::en).count(999), "999");
    EXPECT_EQ(Words(Language::fr).percent(0.027), "2,7\u202F%");
    EXPECT_EQ(Words(Language::en).utc_time(1795919712), "2026-11-29 02:35 UTC");
}

TEST(HtmlEscape, KeepsTextFromBecomingMarkup) {
    EXPECT_EQ(html_escaped("a < b && c > \"d\" 'e'"), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
    EXPECT_EQ(html_escaped("Élise"), "Élise");
    EXPECT_EQ(html_escaped("cut \xC3"), "cut \uFFFD");
    EXPECT_EQ(html_escaped("tab\tline\nbell\x07"), "tab\tline\nbell");
}

// The page names students: mode 0600 whatever the umask, and a file already there with a wider
// mode is replaced, not reused.
TEST(PrivateFile, IsReadableByItsOwnerOnlyWhateverTheUmask) {
    const auto folder =
        std::filesystem::temp_directory_path() / ("review-page-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    const auto path = (folder / "review.html").string();
    {
        std::ofstream wide(path);
        wide << "old";
    }
    ::chmod(path.c_str(), 0644);
    const auto old_umask = ::umask(0);
    write_private_file(path, "<!DOCTYPE html>");
    ::umask(old_umask);
    struct stat status {};
    ASSERT_EQ(::stat(path.c_str(), &status), 0);
    EXPECT_EQ(status.st_mode & 0777, 0600u);
    std::ifstream in(path);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "<!DOCTYPE html>");
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder), {}), 1) << "no temporary file left";
    std::filesystem::remove_all(folder);
}

} // namespace
} // namespace cohort_sync
