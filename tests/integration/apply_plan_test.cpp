// `--plan-out` and `apply-plan`: a reviewed plan is applied exactly, and only while Moodle still
// holds what it was computed from.
#include "e2e_support.hpp"
#include "servers.hpp"

#include <gtest/gtest.h>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;

class ApplyPlan : public SiteTest {
protected:
    void SetUp() override {
        open_site("apply-plan");
        m_plan = m_dir + "/plan.json";
        std::string ldif;
        std::vector<MoodleAccount> accounts;
        for (int i = 1; i <= 6; ++i) {
            const auto number = std::to_string(22700000 + i);
            ldif += cst::make_student_ldif("etu" + number, number, {"L1INFO"}) + "\n";
            accounts.push_back({"etu" + number, number});
            m_rows.push_back({number, "L1INFO", "Licence 1 Informatique"});
        }
        cst::servers().ldap_add_ldif(ldif);
        add_moodle_users(accounts);
        write_export(m_export, m_rows);
    }

    std::string members() { return cst::servers().query_value("SELECT count(*) FROM mdl_cohort_members"); }

    std::string m_plan;
    std::vector<ExportRow> m_rows;
};

TEST_F(ApplyPlan, AppliesExactlyTheSavedPlanOnce) {
    const auto dry = run({"--dry-run", "--plan-out", m_plan});
    ASSERT_EQ(dry.exit_code, 0) << dry.describe();
    EXPECT_EQ(members(), "0") << "a dry run with --plan-out writes nothing to Moodle";

    // The export changes after the review: the saved plan, not the new export, is applied.
    write_export(m_export, {m_rows.begin(), m_rows.begin() + 2});
    const auto applied = run({"apply-plan", m_plan});
    ASSERT_EQ(applied.exit_code, 0) << applied.describe();
    EXPECT_EQ(members(), "6");
    EXPECT_EQ(cst::servers().query_value("SELECT count(*) FROM cohort_sync.runs WHERE outcome = 'applied'"),
              "1");

    // Applied once: the cohort it created now exists, so the plan is stale.
    const auto again = run({"apply-plan", m_plan});
    EXPECT_EQ(again.exit_code, 3) << again.describe();
    EXPECT_TRUE(contains(again.err, "cohort 'etape-L1INFO'")) << again.err;
    EXPECT_TRUE(contains(again.err, "appeared since the plan was made")) << again.err;
    EXPECT_EQ(members(), "6");
}

TEST_F(ApplyPlan, RefusesAPlanWhoseCohortsMovedAndSaysWhat) {
    ASSERT_EQ(run().exit_code, 0);
    m_rows.pop_back();
    write_export(m_export, m_rows);
    ASSERT_EQ(run({"--dry-run", "--plan-out", m_plan}).exit_code, 0);
    // A member leaves by another way (a manual SQL fix, another tool) before the plan is applied.
    cst::servers().psql("DELETE FROM mdl_cohort_members WHERE id = (SELECT min(id) FROM mdl_cohort_members)");
    const auto before = moodle_fingerprint();

    const auto stale = run({"apply-plan", m_plan});
    EXPECT_EQ(stale.exit_code, 3) << stale.describe();
    EXPECT_TRUE(contains(stale.err, "the members of cohort 'etape-L1INFO' changed: 6 when planned, 5 now"))
        << stale.err;
    EXPECT_TRUE(contains(stale.err, "--plan-out")) << "the hint says how to get a fresh plan\n" << stale.err;
    EXPECT_EQ(moodle_fingerprint(), before);
}

TEST_F(ApplyPlan, APlanRefusedByItsGuardsNeedsForce) {
    ASSERT_EQ(run().exit_code, 0);
    configure({{"guards", {{"max_removals", 0}}}});
    m_rows.pop_back();
    write_export(m_export, m_rows);
    ASSERT_EQ(run({"--dry-run", "--plan-out", m_plan}).exit_code, 0);

    const auto refused = run({"apply-plan", m_plan});
    EXPECT_EQ(refused.exit_code, 3) << refused.describe();
    EXPECT_EQ(members(), "6");
    const auto forced = run({"apply-plan", "--force", m_plan});
    EXPECT_EQ(forced.exit_code, 0) << forced.describe();
    EXPECT_EQ(members(), "5");
}

TEST_F(ApplyPlan, RefusesADamagedOrForeignFile) {
    write_text(m_plan, "{\"format\": \"something else\"}");
    const auto damaged = run({"apply-plan", m_plan});
    EXPECT_EQ(damaged.exit_code, 2) << damaged.describe();
    EXPECT_TRUE(contains(damaged.err, "not a cohort-sync plan file")) << damaged.err;
    EXPECT_EQ(members(), "0");
}

} // namespace

int main(int argc, char** argv) {
    return cst::run_integration_tests(argc, argv, true, true);
}
