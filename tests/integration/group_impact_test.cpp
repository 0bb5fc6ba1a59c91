// The course-impact preview's course groups, against the built binary, a real slapd and a real
// PostgreSQL holding Moodle's tables: a course with two TD groups, each filled by a group cohort's
// enrolment instance with "Ajouter au groupe" (mdl_enrol.customint2), as enrol_cohort left them
// after night 1. The preview of night 2 names who leaves and who joins each group, as
// enrol_cohort's next sync will: a student moved from TD1 to TD2 leaves one and joins the other,
// a student who drops the element leaves its group, and a suspend action keeps everyone's group.
#include "e2e_support.hpp"
#include "servers.hpp"
#include "small_university.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using nlohmann::json;

// grp1..grp5 in L1DROIT, all following UE12.
const std::vector<Student> k_students = {{"grp1", "32000001", "L1DROIT"},
                                         {"grp2", "32000002", "L1DROIT"},
                                         {"grp3", "32000003", "L1DROIT"},
                                         {"grp4", "32000004", "L1DROIT"},
                                         {"grp5", "32000005", "L1DROIT"}};

std::string q(const std::string& sql) {
    return cst::servers().query_value(sql);
}
void sql(const std::string& statements) {
    cst::servers().psql(statements);
}

class GroupImpact : public SiteTest {
protected:
    void SetUp() override {
        open_site("group-impact");
        m_contracts = m_dir + "/ip.csv";
        m_groups = m_dir + "/groups.csv";
        add_students(k_students);
        std::vector<ExportRow> rows;
        for (const auto& student : k_students) {
            rows.push_back({student.number, student.etape, "Licence 1 Droit", "E"});
        }
        write_export(m_export, rows);
        configure({{"pedagogy", {{"contracts_path", m_contracts}, {"groups_path", m_groups}}},
                   {"element_cohorts", {{"enabled", true}}},
                   {"group_cohorts", {{"enabled", true}}},
                   {"guards", {{"max_source_shrink_ratio", 0.5}, {"max_cohort_removal_ratio", 1.0}}}});
    }

    // Every student follows UE12 (but `without`); `td` is each one's group, "" for none.
    void write_pedagogy(const std::vector<std::pair<std::string, std::string>>& td,
                        const std::string& without = "") {
        const auto year = std::to_string(current_academic_year());
        std::string contracts =
            "COD_ANU;COD_IND;COD_ETU;COD_ETP;COD_VRS_VET;COD_ELP;LIB_ELP;COD_NEL;TEM_PRC_ICE\n";
        std::string groups = "COD_ANU;COD_IND;COD_ETU;COD_ELP;COD_GPE;COD_EXT_GPE;LIB_GPE;COD_TGR\n";
        for (const auto& student : k_students) {
            if (student.login == without) {
                continue;
            }
            contracts += year + ";9" + student.number + ";" + student.number +
                         ";L1DROIT;101;UE12;Droit constitutionnel;MATI;N\n";
        }
        for (const auto& [login, group] : td) {
            if (login == without || group.empty()) {
                continue;
            }
            const auto number = "3200000" + login.substr(3);
            groups +=
                year + ";9" + number + ";" + number + ";UE12;4" + group + ";" + group + ";" + group + ";TD\n";
        }
        write_text(m_contracts, contracts);
        write_text(m_groups, groups);
    }

    // Moodle after night 1 and enrol_cohort's sync: course UE12 with groups TD1 and TD2, one
    // instance per group cohort with customint2 set to its group, one for the element cohort
    // without a group; grp1 and grp2 in TD1, grp3 and grp4 in TD2 (component enrol_cohort), grp5
    // in no group.
    void course_as_enrol_cohort_left_it() {
        m_course = q("INSERT INTO mdl_course (category, fullname, shortname) VALUES (1, 'Droit "
                     "constitutionnel', 'UE12') RETURNING id");
        m_td1 = group("TD1");
        m_td2 = group("TD2");
        const auto element = instance("element-UE12", "0");
        const auto td1 = instance("group-UE12-TD1", m_td1);
        const auto td2 = instance("group-UE12-TD2", m_td2);
        for (const auto& student : k_students) {
            enrol(element, student.login);
        }
        for (const char* login : {"grp1", "grp2"}) {
            enrol(td1, login);
            member(m_td1, login, td1);
        }
        for (const char* login : {"grp3", "grp4"}) {
            enrol(td2, login);
            member(m_td2, login, td2);
        }
    }

    std::string group(const std::string& name) const {
        return q("INSERT INTO mdl_groups (courseid, name) VALUES (" + m_course + ", " + sql_literal(name) +
                 ") RETURNING id");
    }
    std::string instance(const std::string& cohort, const std::string& group_id) const {
        return q("INSERT INTO mdl_enrol (enrol, status, courseid, roleid, customint1, customint2) SELECT "
                 "'cohort', 0, " +
                 m_course + ", 5, id, " + group_id +
                 " FROM mdl_cohort WHERE idnumber = " + sql_literal(cohort) + " RETURNING id");
    }
    static void enrol(const std::string& enrol_id, const std::string& login) {
        sql("INSERT INTO mdl_user_enrolments (status, enrolid, userid) VALUES (0, " + enrol_id + ", " +
            user_id(login) + ")");
    }
    static void member(const std::string& group_id, const std::string& login, const std::string& enrol_id) {
        sql("INSERT INTO mdl_groups_members (groupid, userid, timeadded, component, itemid) VALUES (" +
            group_id + ", " + user_id(login) + ", 100, 'enrol_cohort', " + enrol_id + ")");
    }

    // Night 2: grp2 moved from TD1 to TD2, grp4 dropped UE12, grp5 placed in TD1.
    void night_two() {
        write_pedagogy({{"grp1", "TD1"}, {"grp2", "TD2"}, {"grp3", "TD2"}, {"grp5", "TD1"}}, "grp4");
    }

    json groups_of_course() {
        const auto result = run({"--dry-run", "--format", "json"});
        EXPECT_EQ(result.exit_code, 0) << result.describe();
        const auto impact = json::parse(result.out).at("course_impact");
        EXPECT_EQ(impact.at("courses").size(), 1U) << impact.dump();
        return impact.at("courses").at(0).at("groups");
    }

    json group_json(const std::string& id, const std::string& name, const std::vector<std::string>& joining,
                    const std::vector<std::string>& leaving) const {
        return {{"group_id", std::stoll(id)},  {"name", name},
                {"joining", joining.size()},   {"leaving", leaving.size()},
                {"students_joining", joining}, {"students_leaving", leaving}};
    }

    std::string m_contracts;
    std::string m_groups;
    std::string m_course;
    std::string m_td1;
    std::string m_td2;
};

TEST_F(GroupImpact, AStudentMovedFromTd1ToTd2LeavesOneAndJoinsTheOther) {
    write_pedagogy({{"grp1", "TD1"}, {"grp2", "TD1"}, {"grp3", "TD2"}, {"grp4", "TD2"}});
    ASSERT_EQ(run().exit_code, 0);
    course_as_enrol_cohort_left_it();
    night_two();

    const auto before = moodle_fingerprint();
    const auto groups = groups_of_course();
    EXPECT_EQ(moodle_fingerprint(), before) << "a dry run writes nothing";
    // grp4 loses the course altogether (unenrolled from both instances), so its TD2 goes too.
    EXPECT_EQ(groups, json::array({group_json(m_td1, "TD1", {"grp5"}, {"grp2"}),
                                   group_json(m_td2, "TD2", {"grp2"}, {"grp4"})}))
        << groups.dump();

    const auto text = run({"--dry-run", "-v"});
    ASSERT_EQ(text.exit_code, 0) << text.describe();
    EXPECT_TRUE(contains(text.out, "course groups (\"Ajouter au groupe\"): 2 student(s) join and 2 leave 2 "
                                   "group(s)\n"))
        << text.out;
    EXPECT_TRUE(contains(text.out, "    group TD1 (id " + m_td1 +
                                       "): 1 joining, 1 leaving; joining: grp5; leaving: grp2\n"))
        << text.out;
    EXPECT_TRUE(contains(text.out, "    group TD2 (id " + m_td2 +
                                       "): 1 joining, 1 leaving; joining: grp2; leaving: grp4\n"))
        << text.out;
}

// With a suspend action enrol_cohort suspends the enrolment and leaves the group membership as it
// is: no one leaves a group, the moved student still joins the new one.
TEST_F(GroupImpact, ASuspendActionKeepsEveryoneInTheirGroup) {
    write_pedagogy({{"grp1", "TD1"}, {"grp2", "TD1"}, {"grp3", "TD2"}, {"grp4", "TD2"}});
    ASSERT_EQ(run().exit_code, 0);
    course_as_enrol_cohort_left_it();
    night_two();
    sql("UPDATE mdl_config_plugins SET value = '2' WHERE plugin = 'enrol_cohort' AND name = 'unenrolaction'");

    EXPECT_EQ(groups_of_course(),
              json::array({group_json(m_td1, "TD1", {"grp5"}, {}), group_json(m_td2, "TD2", {"grp2"}, {})}));
}

// A student put in the group by hand (not by the instance) who keeps the course keeps the group:
// unenrol_user() takes away only the memberships its instance made.
TEST_F(GroupImpact, AMembershipMadeByHandStaysWhileTheStudentKeepsTheCourse) {
    write_pedagogy({{"grp1", "TD1"}, {"grp2", "TD1"}, {"grp3", "TD2"}, {"grp4", "TD2"}});
    ASSERT_EQ(run().exit_code, 0);
    course_as_enrol_cohort_left_it();
    sql("UPDATE mdl_groups_members SET component = '', itemid = 0 WHERE userid = " + user_id("grp2"));
    night_two();

    EXPECT_EQ(groups_of_course(), json::array({group_json(m_td1, "TD1", {"grp5"}, {}),
                                               group_json(m_td2, "TD2", {"grp2"}, {"grp4"})}));
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
