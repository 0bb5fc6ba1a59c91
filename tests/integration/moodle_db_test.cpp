// MoodleDatabase against a real PostgreSQL holding Moodle 4.5's tables: what load() reads, the
// exact rows apply() writes, that it never touches a cohort it does not manage, and how each
// failure (lock, error, lost connection, cancel, timeouts) ends.
#include "cohort_sync/error.hpp"
#include "cohort_sync/io/moodle_db.hpp"
#include "servers.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <iostream>
#include <libpq-fe.h>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace cohort_sync;
namespace cst = cohort_sync::testing;

constexpr long long k_now = 1'760'000'000;

// Users 3..300 are local students (every 50th suspended, every 70th deleted); 301 and 302 are
// MNet users of another host. 1 is the guest and 2 the admin, as after Moodle's install.
constexpr const char* k_users_sql =
    "INSERT INTO mdl_user (id, auth, confirmed, mnethostid, username, idnumber, firstname, lastname, email,"
    " suspended, deleted, timecreated, timemodified)"
    " SELECT g, 'ldap', 1, CASE WHEN g > 300 THEN 2 ELSE 1 END, 's' || g, 'E' || g, 'Camille', 'Martin',"
    " 's' || g || '@univ-test.fr', (g % 50 = 0)::int, (g % 70 = 0)::int, 0, 0 FROM generate_series(3, 302) g;"
    " SELECT setval('mdl_user_id_seq', 1000)";

class MoodleDb : public ::testing::Test {
protected:
    void SetUp() override {
        clear_cancel_request();
        cst::servers().reset_moodle();
        cst::servers().psql(k_users_sql);
    }
    void TearDown() override { clear_cancel_request(); }

    static MoodleConfig config() {
        MoodleConfig moodle;
        moodle.conninfo = cst::servers().pg_conninfo();
        return moodle;
    }

    static std::string query_value(const std::string& sql) { return cst::servers().query_value(sql); }
    static cst::Rows query(const std::string& sql) { return cst::servers().query(sql); }
    static void psql(const std::string& sql) { cst::servers().psql(sql); }

    // Everything apply() may write, to compare before and after.
    static std::string checksums() {
        return cst::servers().table_checksum("mdl_cohort") + " " +
               cst::servers().table_checksum("mdl_cohort_members");
    }

    // A managed cohort as cohort-sync would have created it.
    static void insert_cohort(int id, const std::string& idnumber, const std::string& component,
                              const std::vector<int>& members, const std::string& name = "") {
        psql("INSERT INTO mdl_cohort (id, contextid, name, idnumber, description, descriptionformat, visible,"
             " component, timecreated, timemodified, theme) VALUES (" +
             std::to_string(id) + ", 1, '" + (name.empty() ? idnumber : name) + "', " +
             (idnumber.empty() ? std::string("NULL") : "'" + idnumber + "'") + ", '', 1, 1, '" + component +
             "', 100, 100, '')");
        for (const int user : members) {
            psql("INSERT INTO mdl_cohort_members (cohortid, userid, timeadded) VALUES (" +
                 std::to_string(id) + ", " + std::to_string(user) + ", 100)");
        }
        psql("SELECT setval('mdl_cohort_id_seq', 100)");
    }
};

std::vector<PlannedMember> members(const std::vector<std::int64_t>& ids) {
    std::vector<PlannedMember> planned;
    for (const auto id : ids) {
        planned.push_back(PlannedMember{id, "s" + std::to_string(id), "E" + std::to_string(id)});
    }
    return planned;
}

CohortPlan new_cohort(const std::string& idnumber, const std::string& name, const std::string& description,
                      const std::vector<std::int64_t>& adds) {
    CohortPlan cohort;
    cohort.idnumber = idnumber;
    cohort.name = name;
    cohort.description = description;
    cohort.adds = members(adds);
    cohort.desired_size = static_cast<int>(adds.size());
    return cohort;
}

CohortPlan existing_cohort(std::int64_t id, const std::string& idnumber,
                           const std::vector<std::int64_t>& adds, const std::vector<std::int64_t>& removes) {
    CohortPlan cohort;
    cohort.cohort_id = id;
    cohort.idnumber = idnumber;
    cohort.name = idnumber;
    cohort.adds = members(adds);
    cohort.removes = members(removes);
    return cohort;
}

// A plan adding and removing one member of one managed cohort, to have something to roll back.
Plan small_plan() {
    Plan plan;
    plan.cohorts.push_back(new_cohort("etape-L1INF", "L1INF: Licence 1 Informatique", "", {3, 4, 5}));
    return plan;
}

// ---- load -------------------------------------------------------------------------------------

TEST_F(MoodleDb, LoadsLocalUsersOfAnEmptySiteWithoutGuestAndAdmin) {
    MoodleDatabase database(config());
    const auto session = database.begin();
    const Current current = session->load();

    EXPECT_EQ(current.mnet_localhost_id, 1);
    ASSERT_EQ(current.users.size(), 298u); // 3..300: not the guest, the admin nor the MNet users
    EXPECT_EQ(current.users.front().id, 3);
    EXPECT_EQ(current.users.front().username, "s3");
    EXPECT_EQ(current.users.front().idnumber, "E3");
    EXPECT_EQ(current.users.back().id, 300);
    for (const auto& user : current.users) {
        EXPECT_NE(user.id, 1);
        EXPECT_NE(user.id, 2);
        EXPECT_EQ(user.suspended, user.id % 50 == 0) << user.id;
        EXPECT_EQ(user.deleted, user.id % 70 == 0) << user.id;
    }
    EXPECT_TRUE(current.cohorts.empty());
    EXPECT_TRUE(current.foreign.empty());
    EXPECT_TRUE(current.pending.empty());
    EXPECT_FALSE(current.last_success.has_value());
}

TEST_F(MoodleDb, ExcludesEverySiteAdminAndTheConfiguredGuest) {
    psql("UPDATE mdl_config SET value = '2, 7,9' WHERE name = 'siteadmins';"
         "UPDATE mdl_config SET value = '11' WHERE name = 'siteguest'");
    MoodleDatabase database(config());
    const auto current = database.begin()->load();
    std::vector<std::int64_t> ids;
    for (const auto& user : current.users) {
        ids.push_back(user.id);
    }
    EXPECT_EQ(ids.size(), 296u); // 1..300 but 2, 7, 9 and 11: user 1 is a plain local user now
    EXPECT_EQ(ids.front(), 1);
    for (const auto excluded : {2, 7, 9, 11}) {
        EXPECT_EQ(std::ranges::count(ids, excluded), 0) << excluded;
    }
}

TEST_F(MoodleDb, RefusesToLoadWhenSiteAdminsCannotBeRead) {
    psql("UPDATE mdl_config SET value = '2,x' WHERE name = 'siteadmins'");
    MoodleDatabase database(config());
    const auto session = database.begin();
    try {
        session->load();
        FAIL() << "an unreadable siteadmins was accepted";
    } catch (const TargetError& error) {
        EXPECT_EQ(error.statement(), "load_config");
        EXPECT_NE(std::string(error.what()).find("'2,x'"), std::string::npos) << error.what();
    }
}

TEST_F(MoodleDb, LoadsManagedCohortsWithSortedMembersAndForeignIdnumbers) {
    insert_cohort(10, "etape-M2", "local_cohortsync", {40, 12, 33});
    insert_cohort(11, "etape-L1", "local_cohortsync", {8, 7});
    insert_cohort(12, "", "local_cohortsync", {});
    insert_cohort(20, "etape-DU", "", {5});             // made by hand
    insert_cohort(21, "", "", {6});                     // by hand, no idnumber: not foreign
    insert_cohort(22, "etape-AA", "enrol_foo", {5, 6}); // another plugin's
    MoodleDatabase database(config());
    const auto current = database.begin()->load();

    ASSERT_EQ(current.cohorts.size(), 3u);
    EXPECT_EQ(current.cohorts[0].id, 12);
    EXPECT_EQ(current.cohorts[0].idnumber, "");
    EXPECT_TRUE(current.cohorts[0].members.empty());
    EXPECT_EQ(current.cohorts[1].id, 11);
    EXPECT_EQ(current.cohorts[1].idnumber, "etape-L1");
    EXPECT_EQ(current.cohorts[1].name, "etape-L1");
    EXPECT_EQ(current.cohorts[1].context_id, 1);
    EXPECT_EQ(current.cohorts[1].members, (std::vector<std::int64_t>{7, 8}));
    EXPECT_EQ(current.cohorts[2].id, 10);
    EXPECT_EQ(current.cohorts[2].members, (std::vector<std::int64_t>{12, 33, 40}));

    ASSERT_EQ(current.foreign.size(), 2u);
    EXPECT_EQ(current.foreign[0].id, 22);
    EXPECT_EQ(current.foreign[0].idnumber, "etape-AA");
    EXPECT_EQ(current.foreign[0].component, "enrol_foo");
    EXPECT_EQ(current.foreign[1].id, 20);
    EXPECT_EQ(current.foreign[1].component, "");
}

TEST_F(MoodleDb, RefusesDamagedCountsOfTheLastSuccessfulRun) {
    {
        MoodleDatabase database(config());
        const auto session = database.begin(); // creates the state tables
        session->commit();
    }
    psql("INSERT INTO cohort_sync.runs (run_id, started_at, finished_at, outcome, counts)"
         " VALUES ('r1', 1, 2, 'applied', '{\"students\": 10}')");
    MoodleDatabase database(config());
    const auto session = database.begin();
    try {
        session->load();
        FAIL() << "damaged counts were accepted";
    } catch (const TargetError& error) {
        EXPECT_EQ(error.statement(), "load_last_success");
        EXPECT_NE(std::string(error.what()).find("/directory_entries: key is missing"), std::string::npos)
            << error.what();
    }
}

// ---- apply ------------------------------------------------------------------------------------

TEST_F(MoodleDb, CreatesCohortsAsCohortAddCohortDoesWithTheirMembers) {
    Plan plan;
    // Names that an array literal must quote and escape: a quote, a backslash, braces, a comma,
    // the word NULL, blanks and accents.
    plan.cohorts.push_back(new_cohort("etape-DU\"X\\", "DU \"Droit\" {1}, \\ NULL", "", {5}));
    plan.cohorts.push_back(
        new_cohort("etape-L1GEO", "L1GEO: Licence 1 Géographie", "Étudiants, L1", {3, 4, 6}));
    plan.cohorts.push_back(new_cohort("etape-M2", "NULL", "  ", {4, 300}));

    MoodleDatabase database(config());
    ApplyStats stats;
    {
        const auto session = database.begin();
        stats = session->apply(plan, k_now);
        session->commit();
    }
    EXPECT_EQ(stats.cohorts_created, 3);
    EXPECT_EQ(stats.cohorts_renamed, 0);
    EXPECT_EQ(stats.members_added, 6);
    EXPECT_EQ(stats.members_removed, 0);

    const std::string now = std::to_string(k_now);
    EXPECT_EQ(
        query("SELECT id, contextid, name, idnumber, description, descriptionformat, visible, component,"
              " timecreated, timemodified, theme FROM mdl_cohort ORDER BY id"),
        (cst::Rows{
            {"1", "1", "DU \"Droit\" {1}, \\ NULL", "etape-DU\"X\\", "", "1", "1", "local_cohortsync", now,
             now, ""},
            {"2", "1", "L1GEO: Licence 1 Géographie", "etape-L1GEO", "Étudiants, L1", "1", "1",
             "local_cohortsync", now, now, ""},
            {"3", "1", "NULL", "etape-M2", "  ", "1", "1", "local_cohortsync", now, now, ""},
        }));
    EXPECT_EQ(query("SELECT cohortid, userid, timeadded FROM mdl_cohort_members ORDER BY id"),
              (cst::Rows{{"1", "5", now},
                         {"2", "3", now},
                         {"2", "4", now},
                         {"2", "6", now},
                         {"3", "4", now},
                         {"3", "300", now}}));
}

TEST_F(MoodleDb, CreatesCohortsInTheConfiguredContextAndVisibility) {
    auto moodle = config();
    moodle.context_id = 3;
    moodle.visible = false;
    moodle.component = "local_etapes";
    MoodleDatabase database(moodle);
    {
        const auto session = database.begin();
        session->apply(small_plan(), k_now);
        session->commit();
    }
    EXPECT_EQ(query("SELECT contextid, visible, component FROM mdl_cohort"),
              (cst::Rows{{"3", "0", "local_etapes"}}));
}

TEST_F(MoodleDb, AppliesRemovesRenamesAndAdds) {
    insert_cohort(10, "etape-L1", "local_cohortsync", {3, 4, 5, 6});
    insert_cohort(11, "etape-L2", "local_cohortsync", {7, 8}, "old name");
    Plan plan;
    plan.cohorts.push_back(existing_cohort(10, "etape-L1", {9}, {4, 6}));
    auto renamed = existing_cohort(11, "etape-L2", {}, {8});
    renamed.name = "L2: Licence 2";
    renamed.rename_from = "old name";
    plan.cohorts.push_back(renamed);

    MoodleDatabase database(config());
    ApplyStats stats;
    {
        const auto session = database.begin();
        stats = session->apply(plan, k_now);
        session->commit();
    }
    EXPECT_EQ(stats.cohorts_created, 0);
    EXPECT_EQ(stats.cohorts_renamed, 1);
    EXPECT_EQ(stats.members_added, 1);
    EXPECT_EQ(stats.members_removed, 3);

    const std::string now = std::to_string(k_now);
    EXPECT_EQ(query("SELECT id, name, idnumber, timecreated, timemodified FROM mdl_cohort ORDER BY id"),
              (cst::Rows{{"10", "etape-L1", "etape-L1", "100", "100"},
                         {"11", "L2: Licence 2", "etape-L2", "100", now}}));
    EXPECT_EQ(query("SELECT cohortid, userid, timeadded FROM mdl_cohort_members ORDER BY cohortid, userid"),
              (cst::Rows{{"10", "3", "100"}, {"10", "5", "100"}, {"10", "9", now}, {"11", "7", "100"}}));
}

TEST_F(MoodleDb, AddingAnExistingMemberOrRemovingAMissingOneChangesNothing) {
    insert_cohort(10, "etape-L1", "local_cohortsync", {3, 4});
    Plan plan;
    plan.cohorts.push_back(existing_cohort(10, "etape-L1", {3}, {5}));
    const auto before = checksums();
    MoodleDatabase database(config());
    const auto session = database.begin();
    const auto stats = session->apply(plan, k_now);
    session->commit();
    EXPECT_EQ(stats.members_added, 0);
    EXPECT_EQ(stats.members_removed, 0);
    EXPECT_EQ(checksums(), before);
}

// The component condition in every write is the last line of defence against a wrong plan.
TEST_F(MoodleDb, NeverTouchesManualOrForeignCohortsEvenWhenThePlanSaysSo) {
    insert_cohort(10, "etape-L1", "local_cohortsync", {3, 4});
    insert_cohort(20, "etape-DU", "", {5, 6, 7});
    insert_cohort(21, "etape-AA", "enrol_foo", {5, 8});
    const std::string foreign_rows =
        "SELECT string_agg(t::text, '|' ORDER BY t.id) FROM mdl_cohort t WHERE id IN (20, 21)";
    const std::string foreign_members =
        "SELECT string_agg(t::text, '|' ORDER BY t.id) FROM mdl_cohort_members t WHERE cohortid IN (20, 21)";
    const auto cohorts_before = query_value(foreign_rows);
    const auto members_before = query_value(foreign_members);

    Plan plan;
    plan.cohorts.push_back(existing_cohort(10, "etape-L1", {5}, {3}));
    auto manual = existing_cohort(20, "etape-DU", {3, 4}, {5, 6, 7});
    manual.name = "taken over";
    manual.rename_from = "etape-DU";
    plan.cohorts.push_back(manual);
    auto foreign = existing_cohort(21, "etape-AA", {9}, {5, 8});
    foreign.name = "taken over";
    foreign.rename_from = "etape-AA";
    plan.cohorts.push_back(foreign);

    MoodleDatabase database(config());
    ApplyStats stats;
    {
        const auto session = database.begin();
        stats = session->apply(plan, k_now);
        session->commit();
    }
    EXPECT_EQ(stats.cohorts_renamed, 0);
    EXPECT_EQ(stats.members_added, 1);
    EXPECT_EQ(stats.members_removed, 1);
    EXPECT_EQ(query_value(foreign_rows), cohorts_before);
    EXPECT_EQ(query_value(foreign_members), members_before);
    EXPECT_EQ(query("SELECT userid FROM mdl_cohort_members WHERE cohortid = 10 ORDER BY userid"),
              (cst::Rows{{"4"}, {"5"}}));
}

// Set-based writes: no round trip per member, so a first run on a big site is quick.
TEST_F(MoodleDb, Applies250000AdditionsInOnePlan) {
    psql("INSERT INTO mdl_user (id, auth, confirmed, mnethostid, username, idnumber, timecreated,"
         " timemodified)"
         " SELECT g, 'ldap', 1, 1, 'b' || g, 'B' || g, 0, 0 FROM generate_series(10001, 15000) g");
    Plan plan;
    std::vector<std::int64_t> users;
    for (std::int64_t id = 10001; id <= 15000; ++id) {
        users.push_back(id);
    }
    for (int i = 0; i < 50; ++i) {
        plan.cohorts.push_back(
            new_cohort(fmt::format("etape-B{:02}", i), fmt::format("B{:02}", i), "", users));
    }
    MoodleDatabase database(config());
    const auto started = std::chrono::steady_clock::now();
    {
        const auto session = database.begin();
        const auto stats = session->apply(plan, k_now);
        EXPECT_EQ(stats.cohorts_created, 50);
        EXPECT_EQ(stats.members_added, 250'000);
        session->commit();
    }
    const auto applied = std::chrono::steady_clock::now();
    EXPECT_EQ(query_value("SELECT count(*) FROM mdl_cohort_members"), "250000");
    EXPECT_EQ(query_value("SELECT count(DISTINCT cohortid) FROM mdl_cohort_members"), "50");

    const auto current = database.begin()->load();
    const auto loaded = std::chrono::steady_clock::now();
    std::size_t memberships = 0;
    for (const auto& cohort : current.cohorts) {
        memberships += cohort.members.size();
    }
    EXPECT_EQ(memberships, 250'000u);
    std::cerr << "250000 additions applied in " << std::chrono::duration<double>(applied - started).count()
              << " s, loaded back in " << std::chrono::duration<double>(loaded - applied).count() << " s\n";
}

// ---- run state --------------------------------------------------------------------------------

TEST_F(MoodleDb, KeepsRunHistoryAndGraceStateForTheNextRun) {
    insert_cohort(10, "etape-L1", "local_cohortsync", {3, 4, 5});
    MoodleDatabase database(config());

    SourceCounts counts;
    counts.records = {{"directory_entries", 300}, {"export_inscriptions", 280}, {"pegase_inscriptions", 0}};
    counts.students = 270;
    counts.per_etape = {{"L1", 3}, {"M2", 0}};
    {
        const auto session = database.begin();
        Plan plan;
        plan.pending = {{10, 4, 1}, {10, 5, 2}};
        session->apply(plan, k_now);
        session->record(RunRecord{"run-1", "applied", 1234, 1240, counts, R"({"outcome": "applied"})"});
        session->commit();
    }
    {
        const auto current = database.begin()->load();
        ASSERT_TRUE(current.last_success.has_value());
        EXPECT_EQ(*current.last_success, counts);
        EXPECT_EQ(current.pending, (std::vector<PendingRemoval>{{10, 4, 1}, {10, 5, 2}}));
    }
    const auto run =
        query("SELECT run_id, outcome, started_at, finished_at, counts->>'students', report->>'outcome'"
              " FROM cohort_sync.runs");
    ASSERT_EQ(run.size(), 1u);
    EXPECT_EQ(run[0][0], "run-1");
    EXPECT_EQ(run[0][1], "applied");
    EXPECT_EQ(run[0][2], "1234");
    // The run's own finish time, as its report says it: one reading of the clock for both.
    EXPECT_EQ(run[0][3], "1240");
    EXPECT_EQ(run[0][4], "270");
    EXPECT_EQ(run[0][5], "applied");

    // A refused run records itself in a transaction that applies nothing; it neither replaces
    // the counts to compare with nor the grace state.
    SourceCounts shrunk = counts;
    shrunk.students = 12;
    {
        const auto session = database.begin();
        session->record(RunRecord{"run-2", "refused", 2000, 2005, shrunk, ""});
        session->commit();
    }
    {
        const auto current = database.begin()->load();
        EXPECT_EQ(*current.last_success, counts);
        EXPECT_EQ(current.pending.size(), 2u);
    }
    EXPECT_EQ(query("SELECT run_id, outcome, report FROM cohort_sync.runs ORDER BY id"),
              (cst::Rows{{"run-1", "applied", "{\"outcome\": \"applied\"}"}, {"run-2", "refused", "NULL"}}));

    // The next applied run replaces the grace state and becomes the one to compare with.
    {
        const auto session = database.begin();
        Plan plan;
        plan.pending = {{10, 3, 1}};
        session->apply(plan, k_now);
        session->record(RunRecord{"run-3", "applied", 3000, 3009, shrunk, "{}"});
        session->commit();
    }
    const auto current = database.begin()->load();
    EXPECT_EQ(*current.last_success, shrunk);
    EXPECT_EQ(current.pending, (std::vector<PendingRemoval>{{10, 3, 1}}));
}

// cohort-sync's record of its cohorts: apply() records the cohorts it creates and those of an
// older version, load() gives each managed cohort its recorded idnumber and lists the recorded
// cohorts Moodle no longer holds; restoring an idnumber is one UPDATE of our cohorts only.
TEST_F(MoodleDb, RecordsItsCohortsAndLoadsTheirKeysAndThoseGone) {
    insert_cohort(10, "etape-OLD", "local_cohortsync", {3}); // made by an older version
    insert_cohort(11, "etape-GONE", "local_cohortsync", {4});
    insert_cohort(12, "etape-HAND", "", {5});
    MoodleDatabase database(config());
    {
        const auto session = database.begin();
        session->load();
        Plan plan;
        plan.cohorts.push_back(new_cohort("etape-NEW", "NEW", "", {6}));
        session->apply(plan, k_now);
        session->commit();
    }
    EXPECT_EQ(
        query(
            "SELECT r.idnumber, c.idnumber FROM cohort_sync.cohorts r JOIN mdl_cohort c ON c.id = r.cohortid"
            " ORDER BY r.idnumber"),
        (cst::Rows{{"etape-GONE", "etape-GONE"}, {"etape-NEW", "etape-NEW"}, {"etape-OLD", "etape-OLD"}}));

    psql("UPDATE mdl_cohort SET idnumber = 'edited' WHERE id = 10; DELETE FROM mdl_cohort WHERE id = 11");
    const auto session = database.begin();
    const auto current = session->load();
    const auto old = std::ranges::find(current.cohorts, 10, &ManagedCohort::id);
    ASSERT_NE(old, current.cohorts.end());
    EXPECT_EQ(old->idnumber, "edited");
    EXPECT_EQ(old->recorded_idnumber, "etape-OLD");
    EXPECT_TRUE(old->idnumber_edited());
    EXPECT_EQ(current.gone, (std::vector<GoneCohort>{{11, "etape-GONE"}}));

    Plan plan;
    plan.cohorts.push_back(existing_cohort(10, "etape-OLD", {}, {}));
    plan.cohorts.back().restore_idnumber_from = "edited";
    plan.cohorts.push_back(existing_cohort(12, "etape-TAKEN", {}, {})); // not ours: never touched
    plan.cohorts.back().restore_idnumber_from = "etape-HAND";
    const auto stats = session->apply(plan, k_now);
    session->commit();
    EXPECT_EQ(stats.idnumbers_restored, 1);
    EXPECT_EQ(query("SELECT id, idnumber FROM mdl_cohort ORDER BY id"),
              (cst::Rows{{"10", "etape-OLD"},
                         {"12", "etape-HAND"},
                         {query_value("SELECT id FROM mdl_cohort WHERE "
                                      "idnumber = 'etape-NEW'"),
                          "etape-NEW"}}));
    EXPECT_EQ(query_value("SELECT string_agg(idnumber, ' ' ORDER BY idnumber) FROM cohort_sync.cohorts"),
              "etape-NEW etape-OLD")
        << "the deleted cohort's row is gone";
}

TEST_F(MoodleDb, CreatesTheStateTablesInTheConfiguredSchema) {
    auto moodle = config();
    moodle.state_schema = "Sync_State";
    MoodleDatabase database(moodle);
    {
        const auto session = database.begin();
        const SourceCounts no_counts;
        session->record(RunRecord{"run-1", "dry-run", 1, 2, no_counts, ""});
        session->commit();
    }
    EXPECT_EQ(query("SELECT tablename FROM pg_tables WHERE schemaname = 'Sync_State' ORDER BY 1"),
              (cst::Rows{{"cohorts"}, {"pending"}, {"runs"}}));
    EXPECT_EQ(query_value("SELECT count(*) FROM pg_namespace WHERE nspname = 'cohort_sync'"), "0");
    EXPECT_EQ(query_value("SELECT outcome FROM \"Sync_State\".runs"), "dry-run");
}

// ---- transactions and failures ----------------------------------------------------------------

TEST_F(MoodleDb, SecondSessionFindsTheLockBusy) {
    MoodleDatabase database(config());
    auto first = database.begin();
    try {
        database.begin();
        FAIL() << "two sessions held the lock";
    } catch (const LockBusy& error) {
        EXPECT_STREQ(error.what(), "another cohort-sync run holds the lock on this Moodle database");
        EXPECT_NE(error.hint().find("application_name = 'cohort-sync'"), std::string::npos) << error.hint();
    }
    first.reset();
    EXPECT_NO_THROW(database.begin());
}

TEST_F(MoodleDb, SitesWithAnotherPrefixDoNotShareTheLock) {
    MoodleDatabase database(config());
    const auto first = database.begin();
    auto other = config();
    other.prefix = "other_";
    other.state_schema = "other_state";
    MoodleDatabase other_database(other);
    EXPECT_NO_THROW(other_database.begin());
}

TEST_F(MoodleDb, RollsBackEverythingWhenAStatementFails) {
    insert_cohort(10, "etape-L1", "local_cohortsync", {3, 4});
    psql("CREATE FUNCTION refuse_user_150() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
         " IF NEW.userid = 150 THEN RAISE EXCEPTION 'user 150 refused by test trigger'; END IF;"
         " RETURN NEW; END $$;"
         "CREATE TRIGGER refuse_user_150 BEFORE INSERT ON mdl_cohort_members FOR EACH ROW"
         " EXECUTE FUNCTION refuse_user_150()");
    const auto before = checksums();
    Plan plan = small_plan();
    plan.cohorts.push_back(existing_cohort(10, "etape-L1", {100, 150, 200}, {3}));
    plan.cohorts.back().name = "renamed";
    plan.cohorts.back().rename_from = "etape-L1";

    MoodleDatabase database(config());
    {
        const auto session = database.begin();
        try {
            session->apply(plan, k_now);
            FAIL() << "the trigger's exception was not reported";
        } catch (const TargetError& error) {
            EXPECT_EQ(error.sqlstate(), "P0001");
            EXPECT_EQ(error.statement(), "insert_members");
            EXPECT_NE(std::string(error.what()).find("user 150 refused by test trigger"), std::string::npos)
                << error.what();
            EXPECT_NE(std::string(error.what()).find("SQLSTATE P0001"), std::string::npos) << error.what();
        }
        // The run gives up here: no commit.
    }
    EXPECT_EQ(checksums(), before);
    EXPECT_EQ(query_value("SELECT count(*) FROM pg_namespace WHERE nspname = 'cohort_sync'"), "0");
}

TEST_F(MoodleDb, DestroyingASessionWithoutCommitRollsBack) {
    insert_cohort(10, "etape-L1", "local_cohortsync", {3, 4});
    const auto before = checksums();
    MoodleDatabase database(config());
    {
        const auto session = database.begin();
        Plan plan = small_plan();
        plan.cohorts.push_back(existing_cohort(10, "etape-L1", {5}, {3, 4}));
        const auto stats = session->apply(plan, k_now);
        EXPECT_EQ(stats.members_added, 4);
        EXPECT_EQ(stats.members_removed, 2);
    }
    EXPECT_EQ(checksums(), before);
    // And the lock went with the transaction.
    EXPECT_NO_THROW(database.begin());
}

TEST_F(MoodleDb, LostConnectionDuringCommitIsInDoubt) {
    const auto before = checksums();
    MoodleDatabase database(config());
    const auto session = database.open();
    session->apply(small_plan(), k_now);
    // The server side of the session dies between apply and COMMIT.
    EXPECT_EQ(
        query_value("SELECT pg_terminate_backend(" + std::to_string(session->backend_pid()) + ", 10000)"),
        "t");
    try {
        session->commit();
        FAIL() << "COMMIT on a dead connection succeeded";
    } catch (const CommitInDoubt& error) {
        EXPECT_NE(std::string(error.what()).find("may or may not have been applied"), std::string::npos)
            << error.what();
        EXPECT_NE(error.hint().find("cohort-sync status"), std::string::npos) << error.hint();
    }
    EXPECT_EQ(checksums(), before);
}

TEST_F(MoodleDb, CommitRefusedByTheServerIsATargetError) {
    psql("CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
         " RAISE EXCEPTION 'refused at commit' USING ERRCODE = '40001'; END $$;"
         "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON mdl_cohort DEFERRABLE INITIALLY DEFERRED"
         " FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()");
    const auto before = checksums();
    MoodleDatabase database(config());
    const auto session = database.begin();
    session->apply(small_plan(), k_now);
    try {
        session->commit();
        FAIL() << "the deferred trigger did not refuse the commit";
    } catch (const CommitInDoubt& error) {
        FAIL() << "a refused COMMIT is not in doubt: " << error.what();
    } catch (const TargetError& error) {
        EXPECT_EQ(error.sqlstate(), "40001");
        EXPECT_EQ(error.statement(), "commit");
        EXPECT_NE(std::string(error.what()).find("refused at commit"), std::string::npos) << error.what();
    }
    EXPECT_EQ(checksums(), before);
}

TEST_F(MoodleDb, RequestCancelInterruptsTheStatementInFlight) {
    psql("CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
         " PERFORM pg_sleep(60); RETURN NULL; END $$;"
         "CREATE TRIGGER slow_insert BEFORE INSERT ON mdl_cohort_members FOR EACH STATEMENT"
         " EXECUTE FUNCTION slow_insert()");
    const auto before = checksums();
    MoodleDatabase database(config());
    const auto session = database.open();
    const auto pid = std::to_string(session->backend_pid());

    // What a SIGTERM handler does, from another thread, once the session sleeps in the trigger.
    std::atomic<bool> saw_sleep{false};
    std::thread canceller([&] {
        for (int attempt = 0; attempt < 200; ++attempt) {
            if (query_value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid +
                            " AND wait_event = 'PgSleep'") == "1") {
                saw_sleep = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        request_cancel();
    });
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(session->apply(small_plan(), k_now), Interrupted);
    canceller.join();
    EXPECT_TRUE(saw_sleep);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));

    // Until cleared, the request stops every later step too, even a new run.
    EXPECT_THROW(database.begin(), Interrupted);
    clear_cancel_request();
    EXPECT_EQ(checksums(), before);
}

TEST_F(MoodleDb, StatementTimeoutIsATargetErrorNotAnInterruption) {
    psql("CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
         " PERFORM pg_sleep(10); RETURN NULL; END $$;"
         "CREATE TRIGGER slow_insert BEFORE INSERT ON mdl_cohort_members FOR EACH STATEMENT"
         " EXECUTE FUNCTION slow_insert()");
    auto moodle = config();
    moodle.statement_timeout_seconds = 1;
    MoodleDatabase database(moodle);
    const auto session = database.begin();
    try {
        session->apply(small_plan(), k_now);
        FAIL() << "statement_timeout did not fire";
    } catch (const TargetError& error) {
        EXPECT_EQ(error.sqlstate(), "57014");
        EXPECT_EQ(error.statement(), "copy_new_members") << "the plan adds to cohorts it creates";
        EXPECT_NE(error.hint().find("moodle.statement_timeout_seconds (1s)"), std::string::npos)
            << error.hint();
    }
}

TEST_F(MoodleDb, LockTimeoutIsATargetErrorWithAHint) {
    // Another session keeps mdl_cohort_members locked, as a long Moodle maintenance task might.
    const std::unique_ptr<PGconn, decltype(&PQfinish)> holder(
        PQconnectdb(cst::servers().pg_conninfo().c_str()), &PQfinish);
    ASSERT_EQ(PQstatus(holder.get()), CONNECTION_OK);
    PQclear(PQexec(holder.get(), "BEGIN; LOCK TABLE mdl_cohort_members IN ACCESS EXCLUSIVE MODE"));
    auto moodle = config();
    moodle.lock_timeout_seconds = 1;
    MoodleDatabase database(moodle);
    const auto session = database.begin();
    try {
        session->load();
        FAIL() << "lock_timeout did not fire";
    } catch (const TargetError& error) {
        EXPECT_EQ(error.sqlstate(), "55P03");
        EXPECT_EQ(error.statement(), "load_members");
        EXPECT_NE(error.hint().find("moodle.lock_timeout_seconds (1s)"), std::string::npos) << error.hint();
    }
}

TEST_F(MoodleDb, NamesItselfInPgStatActivityUnlessTheConninfoDoes) {
    MoodleDatabase database(config());
    {
        const auto session = database.open();
        EXPECT_EQ(query_value("SELECT application_name FROM pg_stat_activity WHERE pid = " +
                              std::to_string(session->backend_pid())),
                  "cohort-sync");
    }
    auto moodle = config();
    moodle.conninfo += " application_name=nightly-cohorts";
    MoodleDatabase named(moodle);
    const auto session = named.open();
    EXPECT_EQ(query_value("SELECT application_name FROM pg_stat_activity WHERE pid = " +
                          std::to_string(session->backend_pid())),
              "nightly-cohorts");
}

TEST_F(MoodleDb, ConnectionFailureSaysWhyWithoutThePassword) {
    auto moodle = config();
    moodle.conninfo = "host=127.0.0.1 port=" + std::to_string(cst::servers().pg_port()) +
                      " dbname=no_such_db user=cohort_admin password=Sekr3t-Passw0rd connect_timeout=5";
    MoodleDatabase database(moodle);
    try {
        database.begin();
        FAIL() << "connected to a missing database";
    } catch (const TargetError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("unable to connect to Moodle's database"), std::string::npos) << message;
        EXPECT_NE(message.find("database \"no_such_db\" does not exist"), std::string::npos) << message;
        EXPECT_EQ(message.find("Sekr3t-Passw0rd"), std::string::npos) << message;
        EXPECT_EQ(error.hint().find("Sekr3t-Passw0rd"), std::string::npos) << error.hint();
    }
    moodle.conninfo = "host=127.0.0.1 password='Sekr3t-Passw0rd"; // unterminated quote
    try {
        check_connection(moodle);
        FAIL() << "an unparsable conninfo was accepted";
    } catch (const TargetError& error) {
        EXPECT_EQ(std::string(error.what()).find("Sekr3t-Passw0rd"), std::string::npos) << error.what();
    }
}

TEST_F(MoodleDb, CheckConnectionDescribesTheServerOrSaysWhatIsMissing) {
    const auto description = check_connection(config());
    // The server's version, whichever the release ships (15 on Debian 12, 17 on Debian 13):
    // its shape, "PostgreSQL 17.12 (Debian 17.12-1)", not its number.
    EXPECT_TRUE(std::regex_search(description, std::regex("^PostgreSQL [0-9]+\\.[0-9]+[ ,]"))) << description;
    EXPECT_NE(description.find("database 'moodle' as user 'cohort_admin'"), std::string::npos) << description;
    EXPECT_NE(description.find("0 cohorts in \"public\".\"mdl_cohort\""), std::string::npos) << description;

    auto wrong = config();
    wrong.prefix = "m_";
    try {
        check_connection(wrong);
        FAIL() << "a missing m_cohort table was not reported";
    } catch (const TargetError& error) {
        EXPECT_EQ(error.sqlstate(), "42P01");
        EXPECT_EQ(error.statement(), "check");
        EXPECT_NE(error.hint().find("moodle.prefix ('m_')"), std::string::npos) << error.hint();
    }
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/false);
}
