// A soak: thirty nights of a generated university of 2,000 students (bench/generator, --night K:
// withdrawals, changes of étape, newcomers, with the noise of real sources), each night's
// directory, export and new Moodle accounts put in place as the real jobs would, then one
// cohort-sync run. Every night must apply without a guard tripping, and after the last one
// Moodle's cohorts must equal the truth computed here from the generator's files alone (not
// with cohort-sync's code), with a dry run finding nothing left to do.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef COHORT_SYNC_GENERATOR
#error "COHORT_SYNC_GENERATOR must name the generate-university binary (tests/CMakeLists.txt sets it)"
#endif

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using nlohmann::json;

constexpr int k_students = 2000;
constexpr int k_etapes = 60;
constexpr int k_nights = 30;
constexpr const char* k_uai = "0141408E";

// ---------------------------------------------------------------------------------------------
// The generator's files

std::string generate(const std::string& out, int night) {
    const auto run = [&] {
        std::vector<std::string> argv = {COHORT_SYNC_GENERATOR,
                                         "--out",
                                         out,
                                         "--students",
                                         std::to_string(k_students),
                                         "--etapes",
                                         std::to_string(k_etapes),
                                         "--year",
                                         std::to_string(current_academic_year()),
                                         "--uai",
                                         k_uai,
                                         "--night",
                                         std::to_string(night)};
        std::string command;
        for (const auto& arg : argv) {
            command += (command.empty() ? "" : " ") + arg;
        }
        return std::system((command + " >/dev/null 2>&1").c_str());
    }();
    if (run != 0) {
        throw std::runtime_error("generate-university failed for night " + std::to_string(night) + " into " +
                                 out);
    }
    return out;
}

// people.ldif as records by DN, each record's text as written.
std::map<std::string, std::string> ldif_records(const std::string& path) {
    std::map<std::string, std::string> records;
    std::istringstream in(cst::read_file(path));
    std::string record;
    std::string dn;
    const auto flush = [&] {
        if (!dn.empty()) {
            records[dn] = record;
        }
        record.clear();
        dn.clear();
    };
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) {
            flush();
            continue;
        }
        if (line.starts_with("dn: ")) {
            dn = line.substr(4);
        }
        record += line + "\n";
    }
    flush();
    return records;
}

// The value of a plain (not base64) attribute line of a record, or "".
std::vector<std::string> values_of(const std::string& record, const std::string& attribute) {
    std::vector<std::string> values;
    std::istringstream in(record);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(attribute + ": ")) {
            values.push_back(line.substr(attribute.size() + 2));
        }
    }
    return values;
}

// One CSV record of the export, quotes honoured (the generator quotes labels with ';' or '"').
std::vector<std::string> csv_fields(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ';') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

std::string trim_upper(std::string text) {
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
    while (!text.empty() && text.front() == ' ') {
        text.erase(0, 1);
    }
    for (char& c : text) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return text;
}

// The truth for membership rule "both", from the files: an active inscription of this year in the
// export, of a student who has a student entry in the directory, with a live Moodle account
// whose username is the entry's login.
cst::Rows truth(const std::string& data) {
    std::map<std::string, std::string> login_of_number;
    for (const auto& [dn, record] : ldif_records(data + "/people.ldif")) {
        const auto affiliations = values_of(record, "eduPersonAffiliation");
        const auto numbers = values_of(record, "supannEtuId");
        const auto uids = values_of(record, "uid");
        if (std::find(affiliations.begin(), affiliations.end(), "student") != affiliations.end() &&
            numbers.size() == 1 && uids.size() == 1) {
            login_of_number[numbers.front()] = uids.front();
        }
    }
    std::set<std::string> live_accounts;
    for (const auto& row :
         cst::servers().query("SELECT username FROM mdl_user WHERE deleted = 0 AND mnethostid = 1")) {
        live_accounts.insert(row[0]);
    }
    const std::string year = std::to_string(current_academic_year());
    std::set<std::pair<std::string, std::string>> pairs;
    std::istringstream in(cst::read_file(data + "/apogee.csv"));
    std::string line;
    std::getline(in, line);
    const auto header = csv_fields(line);
    const auto column = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) {
            throw std::runtime_error("apogee.csv has no column " + name);
        }
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t year_column = column("COD_ANU");
    const std::size_t number_column = column("COD_ETU");
    const std::size_t etape_column = column("COD_ETP");
    const std::size_t status_column = column("ETA_IAE");
    while (std::getline(in, line)) {
        const auto fields = csv_fields(line);
        if (fields.size() != header.size() || fields[year_column] != year || fields[status_column] != "E") {
            continue;
        }
        const auto login = login_of_number.find(fields[number_column]);
        if (login == login_of_number.end() || !live_accounts.contains(login->second)) {
            continue;
        }
        pairs.insert({"etape-" + trim_upper(fields[etape_column]), login->second});
    }
    cst::Rows rows;
    for (const auto& [idnumber, username] : pairs) {
        rows.push_back({idnumber, username});
    }
    return rows;
}

// ---------------------------------------------------------------------------------------------
// Putting a night in place

// What the directory's feed does overnight: entries that went away are deleted, new ones added,
// changed ones replaced.
void update_directory(const std::map<std::string, std::string>& before,
                      const std::map<std::string, std::string>& after) {
    std::string ldif;
    for (const auto& [dn, record] : before) {
        const auto now = after.find(dn);
        if (now == after.end() || now->second != record) {
            ldif += "dn: " + dn + "\nchangetype: delete\n\n";
        }
    }
    for (const auto& [dn, record] : after) {
        const auto then = before.find(dn);
        if (then == before.end() || then->second != record) {
            ldif += record + "\n";
        }
    }
    if (!ldif.empty()) {
        cst::servers().ldap_add_ldif(ldif);
    }
}

// COPY text format: tab-separated, \\ \t \n \r escaped.
std::vector<std::string> copy_fields(const std::string& line) {
    std::vector<std::string> fields(1);
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\t') {
            fields.emplace_back();
        } else if (line[i] == '\\' && i + 1 < line.size()) {
            const char next = line[++i];
            fields.back() += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next;
        } else {
            fields.back() += line[i];
        }
    }
    return fields;
}

// The accounts of `data` that `loaded` does not have yet (the night's newcomers who logged in).
void add_new_accounts(const std::string& data, std::set<std::string>& loaded) {
    const std::string columns = [&] {
        std::string text = cst::read_file(data + "/moodle-users.columns");
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
            text.pop_back();
        }
        return text;
    }();
    std::istringstream in(cst::read_file(data + "/moodle-users.copy"));
    std::string values;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || !loaded.insert(line).second) {
            continue;
        }
        std::string row;
        for (const auto& field : copy_fields(line)) {
            row += (row.empty() ? "" : ", ") + sql_literal(field);
        }
        values += (values.empty() ? "" : ", ") + std::string("(") + row + ")";
    }
    if (!values.empty()) {
        cst::servers().psql("INSERT INTO mdl_user (" + columns + ") VALUES " + values);
    }
}

cst::Rows members() {
    return cst::servers().query(
        "SELECT c.idnumber, u.username FROM mdl_cohort_members m JOIN mdl_cohort c ON c.id = m.cohortid"
        " JOIN mdl_user u ON u.id = m.userid WHERE c.component = 'local_cohortsync'"
        " ORDER BY c.idnumber COLLATE \"C\", u.username COLLATE \"C\"");
}

// Two nights go wrong first, and are run again once the fault is gone, as the next night would.
constexpr int k_ldap_down_night = 10;
constexpr int k_backend_lost_night = 20;

void night_with_slapd_down(const std::string& config_path) {
    const auto before = database_fingerprint({"public"});
    cst::servers().stop_slapd();
    const auto run = run_cohort_sync({"--config", config_path});
    cst::servers().start_slapd();
    EXPECT_EQ(run.exit_code, 1) << run.describe();
    EXPECT_EQ(database_fingerprint({"public"}), before);
}

void night_with_backend_lost(const std::string& config_path) {
    const auto before = database_fingerprint({"public"});
    cst::servers().psql("CREATE FUNCTION soak_sleep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                        " PERFORM pg_sleep(30); RETURN NULL; END $$;"
                        "CREATE TRIGGER soak_sleep BEFORE INSERT ON mdl_cohort_members FOR EACH STATEMENT"
                        " EXECUTE FUNCTION soak_sleep()");
    auto running = start_cohort_sync({"--config", config_path});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline &&
           cst::servers().query_value("SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                                      " 'cohort-sync' AND wait_event = 'PgSleep'") == "0") {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    cst::servers().query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name ="
                         " 'cohort-sync'");
    const auto run = running.wait();
    cst::servers().psql("DROP TRIGGER soak_sleep ON mdl_cohort_members; DROP FUNCTION soak_sleep()");
    EXPECT_EQ(run.exit_code, 1) << run.describe();
    EXPECT_EQ(database_fingerprint({"public"}), before);
}

TEST(Soak, ThirtyNightsOfChurnEndWithCohortsEqualToTheTruth) {
    const auto started = std::chrono::steady_clock::now();
    cst::servers().reset_moodle();
    cst::servers().reset_ldap_people();
    const std::string dir = make_temp_dir("soak-");
    const std::string config_path = dir + "/cohort-sync.json";
    json config = base_config(dir, "");
    config["ldap"]["institution_uai"] = k_uai;
    config["ldap"]["page_size"] = 100; // the reader's size limit: pages of exactly that

    std::map<std::string, std::string> directory;
    std::set<std::string> accounts;
    std::string data;
    int applied_adds = 0;
    int applied_removes = 0;
    for (int night = 0; night <= k_nights; ++night) {
        data = generate(dir + "/night-" + std::to_string(night), night);
        auto records = ldif_records(data + "/people.ldif");
        update_directory(directory, records);
        directory = std::move(records);
        add_new_accounts(data, accounts);
        config["apogee"]["path"] = data + "/apogee.csv";
        write_config(config_path, config);

        if (night == k_ldap_down_night) {
            night_with_slapd_down(config_path);
        } else if (night == k_backend_lost_night) {
            night_with_backend_lost(config_path);
        }
        const auto run = run_cohort_sync({"--config", config_path});

        ASSERT_EQ(run.exit_code, 0) << "night " << night << ":\n" << run.describe();
        const auto plan = line_with(run.err, "plan: +");
        ASSERT_FALSE(plan.empty()) << run.describe();
        const auto plus = plan.find("plan: +") + 7;
        applied_adds += std::stoi(plan.substr(plus));
        applied_removes += std::stoi(plan.substr(plan.find(" -", plus) + 2));
    }

    // The churn really happened: students came and went every night.
    EXPECT_GT(applied_removes, k_nights * 5) << "too little churn to mean anything";
    EXPECT_GT(applied_adds, 4000);
    const cst::Rows expected = truth(data);
    const cst::Rows actual = members();
    EXPECT_EQ(actual.size(), expected.size());
    EXPECT_TRUE(actual == expected) << "Moodle's cohorts differ from the truth of night " << k_nights;
    if (actual != expected) {
        std::vector<std::vector<std::string>> missing;
        std::vector<std::vector<std::string>> extra;
        std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                            std::back_inserter(missing));
        std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                            std::back_inserter(extra));
        for (std::size_t i = 0; i < std::min<std::size_t>(missing.size(), 10); ++i) {
            ADD_FAILURE() << "missing: " << missing[i][0] << " " << missing[i][1];
        }
        for (std::size_t i = 0; i < std::min<std::size_t>(extra.size(), 10); ++i) {
            ADD_FAILURE() << "extra: " << extra[i][0] << " " << extra[i][1];
        }
    }
    const auto dry = run_cohort_sync({"--config", config_path, "--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_TRUE(contains(dry.err, "plan: +0 -0")) << dry.describe();
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM cohort_sync.runs WHERE outcome = 'applied'"),
              std::to_string(k_nights + 1));
    // The two failed runs could not record themselves; their reports are on disk.
    EXPECT_EQ(report_files(dir).size(), static_cast<std::size_t>(k_nights + 1 + 2 + 1));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "soak: " << k_nights << " nights of " << k_students << " students in " << seconds << " s, +"
              << applied_adds << " -" << applied_removes << " memberships applied, " << actual.size()
              << " at the end\n";
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
