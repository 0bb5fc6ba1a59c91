// The Pégase DRE as a source, end to end: the built binary against a DRE-shaped database
// (tests/data/pegase/) read by a role holding only the documented read-only grants, with the
// directory and Moodle of the throwaway servers. A DRE caught mid-rebuild must be refused with
// nothing changed in Moodle.
#include "cohort_sync/io/pegase_dre.hpp"
#include "e2e_support.hpp"

#include <libpq-fe.h>
#include <memory>
#include <regex>

namespace cohort_sync::e2e {
namespace {

constexpr const char* k_uai = "{UAI:0751717J}";
constexpr const char* k_dre_role = "cohort_sync_dre";

std::string data_file(const std::string& name) {
    return (cst::source_dir() / "tests/data/pegase" / name).string();
}

// The harness's conninfo ("... user=cohort_admin dbname=moodle") pointed at another database and
// optionally as another role.
std::string conninfo_for(const std::string& database, const std::string& role = "") {
    std::string conninfo =
        std::regex_replace(cst::servers().pg_conninfo(), std::regex("dbname=\\S+"), "dbname=" + database);
    if (!role.empty()) {
        conninfo = std::regex_replace(conninfo, std::regex("user=\\S+"), "user=" + role);
    }
    return conninfo;
}

// Runs `sql` (several statements allowed) as the cluster's superuser in `database`.
void admin_sql(const std::string& database, const std::string& sql) {
    const std::unique_ptr<PGconn, decltype(&PQfinish)> connection(PQconnectdb(conninfo_for(database).c_str()),
                                                                  &PQfinish);
    if (PQstatus(connection.get()) != CONNECTION_OK) {
        throw std::runtime_error("cannot connect to " + database + ": " + PQerrorMessage(connection.get()));
    }
    const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection.get(), sql.c_str()),
                                                               &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        throw std::runtime_error("in " + database + ": " + PQresultErrorMessage(result.get()) + "\n" + sql);
    }
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

std::string yyyymmdd(int days_ago) {
    const std::time_t when = std::time(nullptr) - static_cast<std::time_t>(days_ago) * 86400;
    std::tm local{};
    localtime_r(&when, &local);
    char text[16];
    std::strftime(text, sizeof text, "%Y%m%d", &local);
    return text;
}

// A fresh DRE, as the nightly rebuild leaves it: the schema, tonight's data and the grants.
void rebuild_dre() {
    admin_sql("postgres", "DROP DATABASE IF EXISTS dre WITH (FORCE)");
    admin_sql("postgres", "CREATE DATABASE dre");
    admin_sql("postgres", std::string("DO $$ BEGIN CREATE ROLE ") + k_dre_role +
                              " LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    const int year = current_academic_year();
    std::string data = cst::read_file(data_file("dre_data.sql"));
    data = replaced(data, "{Y-1}", std::to_string(year - 1));
    data = replaced(data, "{Y+1}", std::to_string(year + 1));
    data = replaced(data, "{Y+2}", std::to_string(year + 2));
    data = replaced(data, "{Y}", std::to_string(year));
    data = replaced(data, "{DUMP}", yyyymmdd(0));
    admin_sql("dre",
              cst::read_file(data_file("dre_schema.sql")) + data + cst::read_file(data_file("grants.sql")));
}

void dre_sql(const std::string& sql) {
    admin_sql("dre", sql);
}

struct Student {
    std::string login;
    std::string number;
};

const std::vector<Student> k_students = {
    {"aarnaud", "22600001"}, {"bbernard", "22600002"}, {"cchevalier", "22600003"}, {"ddurand", "22600004"},
    {"eeluard", "22600005"}, {"ffaure", "22600006"},   {"ggarnier", "22600007"},   {"hhugo", "22600008"},
};

class PegaseTest : public SiteTest {
protected:
    void SetUp() override {
        open_site("pegase");
        rebuild_dre();
        std::string ldif;
        std::vector<MoodleAccount> accounts;
        for (const auto& student : k_students) {
            ldif += cst::make_student_ldif(student.login, student.number, {});
            accounts.push_back({student.login, student.number});
        }
        cst::servers().ldap_add_ldif(ldif);
        add_moodle_users(accounts);
        // A university that moved to Pégase: no APOGÉE export at all.
        configure({{"apogee", nullptr},
                   {"pegase", {{"conninfo", conninfo_for("dre", k_dre_role)}}},
                   {"moodle", {{"empty_vanished_cohorts", true}}},
                   // A university of eight students: a night's churn is a large share of it.
                   {"guards", {{"max_source_shrink_ratio", 0.5}, {"max_total_removal_ratio", 0.5}}}});
    }

    static cst::Rows members() {
        return cst::servers().query(
            "SELECT c.idnumber, u.username FROM mdl_cohort_members m JOIN mdl_cohort c ON c.id = m.cohortid"
            " JOIN mdl_user u ON u.id = m.userid WHERE c.component = 'local_cohortsync'"
            " ORDER BY c.idnumber COLLATE \"C\", u.username COLLATE \"C\"");
    }

    nlohmann::json last_report() const {
        // The newest by time: two runs in the same second sort by their ids' random part.
        const auto files = report_files(m_dir);
        const auto newest = std::ranges::max_element(
            files, {}, [](const std::string& file) { return fs::last_write_time(file); });
        return nlohmann::json::parse(cst::read_file(*newest));
    }

    // A run that must be refused: exit code 1, the message, and Moodle's tables untouched.
    void expect_refused(const std::string& message) {
        const auto before = moodle_fingerprint();
        const auto run = this->run();
        EXPECT_EQ(run.exit_code, 1) << run.describe();
        EXPECT_TRUE(contains(run.err, message)) << run.describe();
        EXPECT_TRUE(contains(run.err, "HINT:")) << run.describe();
        EXPECT_EQ(moodle_fingerprint(), before) << run.describe();
    }
};

// Gaël (22600007) enrols in L2DROIT this year: a new validated inscription overnight.
void enrol_gael_in_l2droit() {
    dre_sql("INSERT INTO schema_ins.inscription (id, id_apprenant, id_odf_chemin, statut_inscription, "
            "temoin_principale) VALUES (md5('gael-now')::uuid, md5('22600007')::uuid, md5('ctx-L2DROIT-PER-" +
            std::to_string(current_academic_year()) + "')::uuid, 'VALIDEE', true)");
}

const cst::Rows k_night1 = {
    {"etape-DUIA", "bbernard"},    {"etape-L1INFO", "aarnaud"},   {"etape-L1INFO", "hhugo"},
    {"etape-L2DROIT", "bbernard"}, {"etape-M1BIO", "cchevalier"},
};

TEST_F(PegaseTest, NightOneKeepsTheValidatedInscriptionsOfThisYear) {
    const auto run = this->run();
    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(members(), k_night1);
    // This year's label, in UTF-8 from end to end.
    EXPECT_EQ(cst::servers().query_value("SELECT name FROM mdl_cohort WHERE idnumber = 'etape-L1INFO'"),
              "L1INFO: L1 – Informatique d’Œuvres");
    // Next year's period is open with its offer, and nobody is enrolled in it: no cohort of its own.
    EXPECT_EQ(
        cst::servers().query_value("SELECT count(*) FROM mdl_cohort WHERE component = 'local_cohortsync'"),
        "4");
    const auto report = last_report();
    EXPECT_EQ(report.at("counts").at("pegase_inscriptions"), 5) << report.at("counts");
    EXPECT_EQ(report.at("counts").at("export_inscriptions"), 0);
    const auto& source = report.at("sources").at(1);
    EXPECT_EQ(source.at("source"), "pegase");
    EXPECT_EQ(source.at("version"), "32.0.1");
    EXPECT_EQ(source.at("dump_date"), yyyymmdd(0));
    EXPECT_EQ(source.at("not_counted"),
              nlohmann::json::parse(
                  R"([{"reason": "other year", "rows": 1}, {"reason": "status ANNULEE", "rows": 2},
                                       {"reason": "status DEBUTEE", "rows": 1}, {"reason": "status TERMINEE", "rows": 1}])"));
    EXPECT_TRUE(contains(run.err, "version 32.0.1")) << run.describe();
}

TEST_F(PegaseTest, ChurnNightFollowsTheRuleAndARerunWritesNothing) {
    ASSERT_EQ(run().exit_code, 0);
    // Alice's inscription is cancelled, Gaël enrols in L2DROIT, Bob's DU is cancelled.
    dre_sql("UPDATE schema_ins.inscription SET statut_inscription = 'ANNULEE' WHERE id IN "
            "(md5('alice-now')::uuid, "
            "md5('bob-du')::uuid)");
    enrol_gael_in_l2droit();
    const auto churn = run();
    ASSERT_EQ(churn.exit_code, 0) << churn.describe();
    EXPECT_EQ(members(), (cst::Rows{{"etape-L1INFO", "hhugo"},
                                    {"etape-L2DROIT", "bbernard"},
                                    {"etape-L2DROIT", "ggarnier"},
                                    {"etape-M1BIO", "cchevalier"}}));
    const auto applied = last_report().at("applied");
    EXPECT_EQ(applied.at("members_added"), 1);
    EXPECT_EQ(applied.at("members_removed"), 2);

    const auto before = moodle_fingerprint();
    const auto rerun = run();
    ASSERT_EQ(rerun.exit_code, 0) << rerun.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
    EXPECT_EQ(last_report().at("applied").at("members_added"), 0);
    EXPECT_EQ(last_report().at("applied").at("members_removed"), 0);
}

// A DRE row the query gives with a NULL key is doubt, not a withdrawal: the removals it could
// concern wait (here the étape it names), the others go ahead.
TEST_F(PegaseTest, ARowWithoutItsStudentNumberHoldsBackItsEtapesRemovals) {
    ASSERT_EQ(run().exit_code, 0);
    // Alice's learner record loses its code: her L1INFO rows still name the étape, not her. Bob
    // leaves L2DROIT as Gaël joins it: an ordinary withdrawal in a cohort that stays.
    dre_sql(
        "UPDATE schema_ins.apprenant SET code_apprenant = NULL WHERE code_apprenant = '22600001';"
        "UPDATE schema_ins.inscription SET statut_inscription = 'ANNULEE' WHERE id = md5('bob-l2')::uuid");
    enrol_gael_in_l2droit();
    const auto night = run();
    ASSERT_EQ(night.exit_code, 0) << night.describe();
    EXPECT_EQ(members(), (cst::Rows{{"etape-DUIA", "bbernard"},
                                    {"etape-L1INFO", "aarnaud"},
                                    {"etape-L1INFO", "hhugo"},
                                    {"etape-L2DROIT", "ggarnier"},
                                    {"etape-M1BIO", "cchevalier"}}))
        << "Alice stays in L1INFO, Bob leaves L2DROIT";
    const auto report = last_report();
    EXPECT_EQ(report.at("plan").at("totals").at("held_back"), 1) << report.at("plan").at("totals");
    EXPECT_EQ(report.at("applied").at("members_added"), 1);
    EXPECT_EQ(report.at("applied").at("members_removed"), 1);
    EXPECT_TRUE(contains(night.err, "column 'student_number' is NULL or blank")) << night.describe();

    configure({{"pegase", {{"max_bad_rows", 1}}}});
    expect_refused("gave 2 row(s) cohort-sync cannot use, more than pegase.max_bad_rows = 1");
}

TEST_F(PegaseTest, EmptyDreIsRefused) {
    ASSERT_EQ(run().exit_code, 0);
    dre_sql("DELETE FROM schema_ins.inscription");
    expect_refused("gave no inscription");
}

TEST_F(PegaseTest, MissingSchemaIsRefused) {
    ASSERT_EQ(run().exit_code, 0);
    dre_sql("DROP SCHEMA schema_ins CASCADE");
    expect_refused("is incomplete");
}

TEST_F(PegaseTest, HalfLoadedTableIsRefused) {
    ASSERT_EQ(run().exit_code, 0);
    configure({{"pegase", {{"min_rows", 8}}}});
    dre_sql("DELETE FROM schema_ins.inscription WHERE id IN (md5('alice-last')::uuid, md5('bob-du')::uuid, "
            "md5('david-started')::uuid, md5('eve-finished')::uuid, md5('fay-cancelled')::uuid)");
    expect_refused("gave 5 row(s), fewer than pegase.min_rows = 8");
}

TEST_F(PegaseTest, FarFewerInscriptionsThanLastNightTripTheShrinkGuard) {
    ASSERT_EQ(run().exit_code, 0);
    // Only Hugo's inscription is still validated: 1 of last night's 5.
    dre_sql(
        "UPDATE schema_ins.inscription SET statut_inscription = 'ANNULEE' WHERE id <> md5('hugo-now')::uuid");
    const auto before = moodle_fingerprint();
    const auto run = this->run();
    EXPECT_EQ(run.exit_code, 3) << run.describe();
    EXPECT_TRUE(contains(run.err, "guard pegase_shrink tripped: 1 now, 5 at the last successful run"))
        << run.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
}

// A timer that starts while the DRE is being rebuilt: with pegase.retry_tries, cohort-sync reads
// it again until the rebuild has ended, and syncs then.
TEST_F(PegaseTest, ReadsAgainUntilTheRebuildEnds) {
    dre_sql("DROP SCHEMA schema_ins CASCADE");
    configure({{"pegase", {{"retry_tries", 20}, {"retry_interval_seconds", 1}}}});
    auto running = start_run();
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    rebuild_dre();
    const auto run = running.wait();
    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_TRUE(contains(run.err, "is incomplete")) << run.describe();
    EXPECT_TRUE(contains(run.err, "reading it again in 1s (read 1 of 20)")) << run.describe();
    EXPECT_EQ(members(), k_night1);
}

TEST_F(PegaseTest, StaleDumpIsRefused) {
    ASSERT_EQ(run().exit_code, 0);
    dre_sql("UPDATE public.version SET \"timestamp\" = '" + yyyymmdd(3) + "'");
    expect_refused("3 days old, more than pegase.max_age_days = 1");
}

TEST_F(PegaseTest, ConnectionLostMidReadIsRefused) {
    ASSERT_EQ(run().exit_code, 0);
    // The default query, slowed down so that the connection can be cut while it runs.
    const std::string query = m_dir + "/slow.sql";
    write_text(query, "SELECT q.* FROM (" + std::string(default_dre_query()) + ") AS q, pg_sleep(5);\n");
    configure({{"pegase", {{"query_file", query}}}});
    const auto before = moodle_fingerprint();
    auto running = start_run();
    // Wait for the query to be running, then terminate its backend as the rebuild's DROP would.
    std::string terminated = "0";
    for (int i = 0; i < 100 && terminated == "0"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        terminated = cst::servers().query_value(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'dre' AND "
            "application_name = 'cohort-sync' AND query LIKE '%pg_sleep%'");
    }
    ASSERT_EQ(terminated, "1");
    const auto run = running.wait();
    EXPECT_EQ(run.exit_code, 1) << run.describe();
    EXPECT_TRUE(contains(run.err, "unable to read the inscriptions of the Pégase DRE")) << run.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
}

TEST_F(PegaseTest, QueryWithoutStudentNumberIsAConfigurationError) {
    const std::string query = m_dir + "/no-number.sql";
    write_text(query,
               "SELECT 2026 AS year, 'L1INFO' AS formation_code, 'x' AS label, 'VALIDEE' AS status;\n");
    configure({{"pegase", {{"query_file", query}}}});
    const auto before = moodle_fingerprint();
    const auto run = this->run();
    EXPECT_EQ(run.exit_code, 2) << run.describe();
    EXPECT_TRUE(contains(run.err, "the Pégase query '" + query + "' returns no column 'student_number'"))
        << run.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
    // check says the same before any night.
    const auto check = this->run({"check"});
    EXPECT_EQ(check.exit_code, 2) << check.describe();
    EXPECT_TRUE(contains(check.all(), "no column 'student_number'")) << check.describe();
}

TEST_F(PegaseTest, CheckRunsTheQueryWithTheGrantsAndNamesTheVersion) {
    const auto check = run({"check"});
    EXPECT_EQ(check.exit_code, 0) << check.describe();
    const auto line = line_starting(check.out, "pegase");
    EXPECT_TRUE(contains(line, "ok")) << check.describe();
    EXPECT_TRUE(contains(line, "version 32.0.1")) << check.describe();
    EXPECT_TRUE(contains(line, std::string("role '") + k_dre_role + "'")) << check.describe();
    // Without the grant on one table, check names the privilege problem.
    dre_sql(std::string("REVOKE SELECT ON schema_odf.espace FROM ") + k_dre_role);
    const auto denied = run({"check"});
    EXPECT_EQ(denied.exit_code, 6) << denied.describe();
    EXPECT_TRUE(contains(denied.out, "permission denied")) << denied.describe();
}

TEST_F(PegaseTest, ApogeeAndPegaseTogetherGiveTheUnion) {
    // A university in transition: the export still lists Alice (in L1INFO) and Gaël (in L3HIST),
    // whom Pégase does not have.
    write_export(m_export, {{"22600001", "L1INFO", "Licence 1 Informatique"},
                            {"22600007", "L3HIST", "Licence 3 Histoire"}});
    configure({{"apogee", {{"path", m_export}, {"encoding", "iso-8859-1"}}}});
    const auto run = this->run();
    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_EQ(members(), (cst::Rows{{"etape-DUIA", "bbernard"},
                                    {"etape-L1INFO", "aarnaud"},
                                    {"etape-L1INFO", "hhugo"},
                                    {"etape-L2DROIT", "bbernard"},
                                    {"etape-L3HIST", "ggarnier"},
                                    {"etape-M1BIO", "cchevalier"}}));
    const auto counts = last_report().at("counts");
    EXPECT_EQ(counts.at("export_inscriptions"), 2);
    EXPECT_EQ(counts.at("pegase_inscriptions"), 5);
    // Each source is checked on its own: an empty DRE is refused although the export is fine.
    dre_sql("DELETE FROM schema_ins.inscription");
    expect_refused("gave no inscription");
}

TEST_F(PegaseTest, ExplainShowsTheStudentsPegaseInscriptions) {
    ASSERT_EQ(run().exit_code, 0);
    const auto explain = run({"explain", "cchevalier"});
    ASSERT_EQ(explain.exit_code, 0) << explain.describe();
    const auto lines = lines_after(explain.out, "pegase (");
    ASSERT_EQ(lines.size(), 3u) << explain.out;
    EXPECT_TRUE(contains(lines[0], "version 32.0.1")) << explain.out;
    EXPECT_TRUE(contains(explain.out, "formation M1BIO status 'ANNULEE'")) << explain.out;
    EXPECT_TRUE(contains(explain.out, "status not in pegase.statuses")) << explain.out;
    EXPECT_TRUE(
        contains(explain.out, "formation M1BIO status 'VALIDEE' 'Master 1 Biologie': active inscription"))
        << explain.out;
}

} // namespace
} // namespace cohort_sync::e2e

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
