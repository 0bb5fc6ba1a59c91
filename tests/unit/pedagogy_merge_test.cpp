// The element and group cohorts' membership rules, and their kinds' counts and guards.
#include "cohort_sync/guard.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/plan.hpp"
#include "test_builders.hpp"

#include <gtest/gtest.h>

namespace cohort_sync {
namespace {

using testing::inscription;
using testing::student;
using testing::test_config;

// The rows' texts live in one pool for the whole test program, as an extract's live in its read's.
std::string_view kept(const std::string& text) {
    static TextPool pool;
    return pool.intern(text);
}

ContractRow contract(const std::string& number, const std::string& etape, const std::string& element,
                     int line, int year = 2026, bool carried_over = false, const std::string& label = "") {
    ContractRow row;
    row.year = year;
    row.student_number = kept(number);
    row.etape = kept(etape);
    row.version = kept("1");
    row.element = kept(element);
    row.label = kept(label);
    row.nature = kept("MATI");
    row.carried_over = carried_over;
    row.line = line;
    return row;
}

GroupRow assignment(const std::string& number, const std::string& element, const std::string& group, int line,
                    int year = 2026) {
    GroupRow row;
    row.year = year;
    row.student_number = kept(number);
    row.element = kept(element);
    row.group = kept(group);
    row.label = kept("Groupe " + group);
    row.type = kept("TD");
    row.line = line;
    return row;
}

Config pedagogy_config(MembershipRule rule = MembershipRule::both) {
    auto config = test_config(rule);
    config.element_cohorts.enabled = true;
    config.group_cohorts.enabled = true;
    return config;
}

struct Sources {
    DirectoryRead directory;
    ExportRead apogee;
    PedagogyRead contracts;
    PedagogyRead groups;

    Desired merge_with(const Config& config) {
        apogee.path = "export.csv";
        contracts.path = "contracts.csv";
        groups.path = "groups.csv";
        const std::vector<SourceRead> reads = {{"ldap", directory, std::nullopt},
                                               {"export", apogee, std::nullopt},
                                               {"contracts", contracts, std::nullopt},
                                               {"groups", groups, std::nullopt}};
        return merge({reads, {2026}}, config);
    }
};

const DesiredCohort* cohort(const Desired& desired, const std::string& idnumber) {
    for (const auto& c : desired.cohorts) {
        if (c.idnumber == idnumber) {
            return &c;
        }
    }
    return nullptr;
}

std::vector<std::string> members_of(const Desired& desired, const std::string& idnumber) {
    std::vector<std::string> logins;
    if (const auto* c = cohort(desired, idnumber)) {
        for (const auto& member : c->members) {
            logins.push_back(desired.students.at(static_cast<std::size_t>(member.student)).login);
        }
    }
    return logins;
}

using Logins = std::vector<std::string>;

TEST(ElementCohorts, FollowedThisYearWithAnActiveInscriptionInItsEtape) {
    Sources s;
    s.directory.entries = {student("alice", "1"), student("bob", "2"), student("carol", "3"),
                           student("dan", "4"), student("erin", "5")};
    s.apogee.rows = {inscription("1", "L1DROIT", 2), inscription("2", "L1DROIT", 3),
                     inscription("3", "L1DROIT", 4, 2026, "A"), // cancelled administrative inscription
                     inscription("4", "L1DROIT", 5), inscription("5", "L2DROIT", 6)};
    s.contracts.contracts = {
        contract("1", "L1DROIT", "UE12", 2, 2026, false, "Droit constitutionnel"),
        contract("2", "L1DROIT", "UE12", 3, 2026, true), // carried over: not followed this year
        contract("3", "L1DROIT", "UE12", 4),             // its inscription was cancelled
        contract("4", "L1DROIT", "UE12", 5, 2025),       // last year's
        contract("5", "L1DROIT", "UE12", 6),             // no inscription in L1DROIT
        contract("1", "L1DROIT", "UE12", 7),             // a duplicate line
    };
    const auto desired = s.merge_with(pedagogy_config());
    EXPECT_EQ(members_of(desired, "element-UE12"), Logins{"alice"});
    const auto* ue12 = cohort(desired, "element-UE12");
    ASSERT_NE(ue12, nullptr);
    EXPECT_EQ(ue12->kind, "element");
    EXPECT_EQ(ue12->etape, "UE12");
    EXPECT_EQ(ue12->name, "UE12: Droit constitutionnel");
    // A contract repeated on two lines: its first line is the reason.
    EXPECT_EQ(desired.reasons_of(ue12->members[0]), (std::vector<Reason>{{"contracts", 2, {}}}));
    // The contracts that count (followed this year, whatever the inscriptions say), each
    // (student, element) once: alice, carol and erin.
    EXPECT_EQ(desired.counts.records_of("pedagogy_contracts"), 3);
    EXPECT_EQ(desired.counts.per_kind.at("element").at("UE12"), 1);
    // The étape cohorts are what they were.
    EXPECT_EQ(members_of(desired, "etape-L1DROIT"), (Logins{"alice", "bob", "dan"}));
    EXPECT_EQ(desired.counts.per_etape.at("L1DROIT"), 3);
}

TEST(ElementCohorts, AnElementSharedByTwoEtapesIsOneCohort) {
    Sources s;
    s.directory.entries = {student("alice", "1"), student("bob", "2")};
    s.apogee.rows = {inscription("1", "L1DROIT", 2), inscription("2", "L1AES", 3)};
    s.contracts.contracts = {contract("1", "L1DROIT", "LANG1", 2), contract("2", "L1AES", "LANG1", 3)};
    const auto desired = s.merge_with(pedagogy_config());
    EXPECT_EQ(members_of(desired, "element-LANG1"), (Logins{"alice", "bob"}));
}

TEST(ElementCohorts, RuleBothNeedsTheDirectoryAsTheEtapesDo) {
    Sources s;
    s.directory.entries = {student("alice", "1")};
    s.apogee.rows = {inscription("1", "L1", 2), inscription("9", "L1", 3)};
    s.contracts.contracts = {contract("1", "L1", "UE1", 2), contract("9", "L1", "UE1", 3)};
    EXPECT_EQ(members_of(s.merge_with(pedagogy_config()), "element-UE1"), Logins{"alice"});
    const auto exportonly = s.merge_with(pedagogy_config(MembershipRule::exportonly));
    const auto* ue1 = cohort(exportonly, "element-UE1");
    ASSERT_NE(ue1, nullptr);
    EXPECT_EQ(ue1->members.size(), 2u);
}

TEST(ElementCohorts, FiltersOnElementNatureAndEtapeEvenOutsideTheManagedEtapes) {
    Sources s;
    s.directory.entries = {student("alice", "1")};
    s.apogee.rows = {inscription("1", "L1", 2)};
    s.contracts.contracts = {contract("1", "L1", "UE1", 2), contract("1", "L1", "SPORT", 3)};
    auto config = pedagogy_config();
    config.membership.etape_patterns = {"M*"}; // no étape cohort of L1...
    config.element_cohorts.element_patterns = {"UE*"};
    const auto desired = s.merge_with(config);
    EXPECT_EQ(cohort(desired, "etape-L1"), nullptr);
    EXPECT_EQ(members_of(desired, "element-UE1"), Logins{"alice"}); // ...but its elements may have one
    EXPECT_EQ(cohort(desired, "element-SPORT"), nullptr);
    config.element_cohorts.etape_patterns = {"L2*"};
    EXPECT_EQ(cohort(s.merge_with(config), "element-UE1"), nullptr);
    config.element_cohorts.etape_patterns.clear();
    config.element_cohorts.natures = {"CM"};
    EXPECT_EQ(cohort(s.merge_with(config), "element-UE1"), nullptr);
}

TEST(ElementCohorts, OffByDefault) {
    Sources s;
    s.directory.entries = {student("alice", "1")};
    s.apogee.rows = {inscription("1", "L1", 2)};
    s.contracts.contracts = {contract("1", "L1", "UE1", 2)};
    const auto desired = s.merge_with(test_config());
    EXPECT_EQ(desired.cohorts.size(), 1u);
    EXPECT_TRUE(desired.counts.per_kind.empty());
}

TEST(GroupCohorts, MembersOfTheElementAssignedToTheGroup) {
    Sources s;
    s.directory.entries = {student("alice", "1"), student("bob", "2"), student("carol", "3")};
    s.apogee.rows = {inscription("1", "L1", 2), inscription("2", "L1", 3), inscription("3", "L1", 4)};
    s.contracts.contracts = {contract("1", "L1", "UE12", 2), contract("2", "L1", "UE12", 3),
                             contract("3", "L1", "UE12", 4, 2026, true)};
    s.groups.groups = {assignment("1", "UE12", "TD1", 2), assignment("2", "UE12", "TD2", 3),
                       assignment("3", "UE12", "TD1", 4), // carol carried UE12 over: not in its cohort
                       assignment("1", "UE99", "TD1", 5), // alice does not follow UE99
                       assignment("2", "UE12", "TD1", 6, 2025)};
    const auto desired = s.merge_with(pedagogy_config());
    EXPECT_EQ(members_of(desired, "group-UE12-TD1"), Logins{"alice"});
    EXPECT_EQ(members_of(desired, "group-UE12-TD2"), Logins{"bob"});
    EXPECT_EQ(cohort(desired, "group-UE99-TD1"), nullptr);
    const auto* td1 = cohort(desired, "group-UE12-TD1");
    ASSERT_NE(td1, nullptr);
    EXPECT_EQ(td1->kind, "group");
    EXPECT_EQ(td1->etape, "UE12/TD1");
    EXPECT_EQ(td1->name, "UE12 TD1: Groupe TD1");
    EXPECT_EQ(desired.counts.records_of("pedagogy_groups"), 4);
    EXPECT_EQ(desired.counts.per_kind.at("group").at("UE12/TD1"), 1);
    EXPECT_EQ(desired.cohorts_per_student.at("group").size(), desired.students.size());
}

// The merge knows a code by its text, whatever memory holds it: rows read into two pools (or
// made by hand) that name one element and one group make one cohort of each.
TEST(GroupCohorts, OneCodeHeldInTwoPlacesIsOneCohort) {
    // Bob's group assignments are held by another pool than his contract: the group rule must find
    // his UE12 contract by its text, not by where the text is.
    TextPool other;
    const auto elsewhere = [&other](GroupRow row) {
        row.student_number = other.intern(std::string(row.student_number));
        row.element = other.intern(std::string(row.element));
        row.group = other.intern(std::string(row.group));
        return row;
    };
    Sources s;
    s.directory.entries = {student("alice", "1"), student("bob", "2")};
    s.apogee.rows = {inscription("1", "L1", 2), inscription("2", "L1", 3)};
    s.contracts.contracts = {contract("1", "L1", "UE12", 2), contract("2", "L1", "UE12", 3)};
    s.groups.groups = {assignment("1", "UE12", "TD1", 2), elsewhere(assignment("2", "UE12", "TD1", 3)),
                       elsewhere(assignment("2", "UE13", "TD1", 4))}; // bob does not follow UE13
    const auto desired = s.merge_with(pedagogy_config());
    EXPECT_EQ(members_of(desired, "element-UE12"), (Logins{"alice", "bob"}));
    EXPECT_EQ(members_of(desired, "group-UE12-TD1"), (Logins{"alice", "bob"}));
    EXPECT_EQ(cohort(desired, "group-UE13-TD1"), nullptr)
        << "a group code means something only under its element";
    EXPECT_EQ(desired.cohorts.size(), 3u) << "the étape, the element and the group";
}

TEST(PedagogyGuards, EachKindHasItsShrinkAndPerStudentGuards) {
    SourceCounts last;
    last.per_etape = {{"L1", 100}};
    last.per_kind["element"] = {{"UE12", 100}};
    SourceCounts now;
    now.per_etape = {{"L1", 100}};
    now.per_kind["element"] = {{"UE12", 10}};
    const Plan plan;
    Desired desired;
    desired.students.resize(1);
    desired.cohorts_per_student["etape"] = {1};
    desired.cohorts_per_student["element"] = {41};
    const std::optional<SourceCounts> last_success = last;
    const auto verdicts = evaluate_guards({plan, now, last_success, {}, &desired}, GuardConfig{});
    std::map<std::string, bool> tripped;
    for (const auto& verdict : verdicts) {
        tripped[verdict.guard] = verdict.tripped;
    }
    EXPECT_FALSE(tripped.at("etape_shrink"));
    EXPECT_TRUE(tripped.at("element_shrink"));
    EXPECT_FALSE(tripped.contains("group_shrink")); // no group cohort, then or now
    EXPECT_FALSE(tripped.at("max_cohorts_per_student"));
    EXPECT_TRUE(tripped.at("max_elements_per_student"));
}

TEST(PedagogyHolds, ABadContractRowHoldsItsElementAndGroupsOnly) {
    Desired desired;
    Hold hold;
    hold.element = "UE12";
    hold.defect = {"contracts", 9, {}};
    desired.holds = {hold};
    Current current;
    current.users = {testing::user(1, "alice", "1")};
    const auto managed = [](std::int64_t id, std::string idnumber) {
        ManagedCohort c;
        c.id = id;
        c.idnumber = std::move(idnumber);
        c.members = {1};
        return c;
    };
    current.cohorts = {managed(10, "element-UE12"), managed(11, "etape-L1"), managed(12, "group-UE12-TD1"),
                       managed(13, "element-UE13")};
    const auto desire = [&](std::string kind, std::string key, std::string idnumber) {
        DesiredCohort c;
        c.kind = std::move(kind);
        c.etape = std::move(key);
        c.idnumber = std::move(idnumber);
        c.name = c.idnumber;
        desired.cohorts.push_back(c);
    };
    desire("element", "UE12", "element-UE12");
    desire("etape", "L1", "etape-L1");
    desire("group", "UE12/TD1", "group-UE12-TD1");
    desire("element", "UE13", "element-UE13");
    const auto plan = make_plan(desired, current, MoodleConfig{});
    std::map<std::string, std::pair<std::size_t, std::size_t>> removes_held;
    for (const auto& c : plan.cohorts) {
        removes_held[c.idnumber] = {c.removes.size(), c.held_back.size()};
    }
    EXPECT_EQ(removes_held.at("element-UE12"), (std::pair<std::size_t, std::size_t>{0, 1}));
    EXPECT_EQ(removes_held.at("group-UE12-TD1"), (std::pair<std::size_t, std::size_t>{0, 1}));
    EXPECT_EQ(removes_held.at("etape-L1"), (std::pair<std::size_t, std::size_t>{1, 0}));
    EXPECT_EQ(removes_held.at("element-UE13"), (std::pair<std::size_t, std::size_t>{1, 0}));
}

// An element's members come from étapes it does not know: any étape hold holds it. A vanished
// cohort's key is unknown: an étape hold holds it only when that étape has no cohort tonight, and
// any pedagogical hold does.
TEST(PedagogyHolds, AnEtapeHoldHoldsElementsAndAVanishedCohortOnlyWithoutItsEtapeTonight) {
    Desired desired;
    Hold on_etape;
    on_etape.etape = "L1";
    on_etape.defect = {"export", 7, {}};
    desired.holds = {on_etape};
    Current current;
    current.users = {testing::user(1, "alice", "1")};
    for (const auto& [id, idnumber] :
         {std::pair<std::int64_t, std::string>{10, "etape-L1"}, {11, "element-UE12"}, {12, "element-OLD"}}) {
        ManagedCohort c;
        c.id = id;
        c.idnumber = idnumber;
        c.members = {1};
        current.cohorts.push_back(c);
    }
    for (const auto& [kind, key] :
         {std::pair<std::string, std::string>{"etape", "L1"}, {"element", "UE12"}}) {
        DesiredCohort c;
        c.kind = kind;
        c.etape = key;
        c.idnumber = kind + "-" + key;
        c.name = c.idnumber;
        desired.cohorts.push_back(c);
    }
    MoodleConfig moodle;
    moodle.empty_vanished_cohorts = true;
    const auto held = [&](const Plan& plan) {
        std::map<std::string, bool> out;
        for (const auto& c : plan.cohorts) {
            out[c.idnumber] = c.removes.empty() && c.held_back.size() == 1;
        }
        return out;
    };
    const auto etape_only = held(make_plan(desired, current, moodle));
    EXPECT_TRUE(etape_only.at("etape-L1"));
    EXPECT_TRUE(etape_only.at("element-UE12"));
    EXPECT_FALSE(etape_only.at("element-OLD")) << "L1 still has its cohort: it is not the vanished one";

    Hold on_element;
    on_element.element = "UE12";
    on_element.defect = {"contracts", 9, {}};
    desired.holds.push_back(on_element);
    EXPECT_TRUE(held(make_plan(desired, current, moodle)).at("element-OLD"));
}

} // namespace
} // namespace cohort_sync
