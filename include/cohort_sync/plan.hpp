// The plan: what a run will change in Moodle, computed by plain functions from the desired
// and current states. `--dry-run` renders it and stops; a real run hands it to apply().
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cohort_sync {

struct PlannedMember {
    PlannedMember() = default;
    // Not an aggregate, so that the many {id, username, number} of removals and tests stay valid.
    PlannedMember(std::int64_t id, std::string name, std::string number, std::vector<Reason> why = {})
        : user_id(id)
        , username(std::move(name))
        , student_number(std::move(number))
        , reasons(std::move(why)) {}

    std::int64_t user_id = 0;
    std::string username;
    std::string student_number;
    // Adds only: why the sources place the student in the cohort (export line, directory DN), so
    // that whoever reviews the plan sees it without rerunning `explain`. Removals have none: the
    // sources no longer speak of the student there.
    std::vector<Reason> reasons;

    friend auto operator<=>(const PlannedMember&, const PlannedMember&) = default;
};

struct CohortPlan {
    std::optional<std::int64_t> cohort_id; // empty: the cohort is to be created
    std::string idnumber;
    std::string kind = "etape"; // its CohortKind's name; "etape" for a vanished cohort too
    std::string etape;          // its key in its kind (DesiredCohort::etape); empty: vanished
    std::string name;           // the desired name
    std::string description;
    std::optional<std::string> rename_from; // set when an existing cohort's name changes
    // Set when a site manager changed the cohort's idnumber in Moodle: their value, which the
    // recorded key (`idnumber`) replaces.
    std::optional<std::string> restore_idnumber_from = std::nullopt;
    // Set when the cohort is created again: the id of the managed cohort that was deleted in Moodle.
    std::optional<std::int64_t> recreates = std::nullopt;
    int current_size = 0;
    int desired_size = 0;
    std::vector<PlannedMember> adds;     // sorted by user id
    std::vector<PlannedMember> removes;  // sorted by user id
    std::vector<PlannedMember> deferred; // absent, kept for now by the grace period
    // Absent, but a source defect may concern them: kept tonight whatever the grace period says.
    // Their reasons are the defects that hold them (export line, directory DN).
    std::vector<PlannedMember> held_back;

    bool creates() const { return !cohort_id.has_value(); }
    bool changes() const {
        return creates() || rename_from || restore_idnumber_from || !adds.empty() || !removes.empty();
    }
    // Whether a report shows it: what it changes, or removals it keeps for now.
    bool reported() const { return changes() || !deferred.empty() || !held_back.empty(); }
};

// A student who belongs in a cohort but cannot be placed in it.
enum class UnplacedReason { no_account, deleted_account, other_key_only, several_accounts };

struct Unplaced {
    std::string student_number;
    std::string login;
    std::string etape;
    UnplacedReason reason = UnplacedReason::no_account;
};

const char* to_string(UnplacedReason reason);

// A Moodle account provisioning creates (provisioning.enabled), as external-auth users look.
struct NewAccount {
    std::string username; // the LDAP login, lower-cased
    std::string idnumber; // the student number
    std::string first_name;
    std::string last_name;
    std::string mail;
    std::string auth; // provisioning.auth when the plan was made

    friend auto operator<=>(const NewAccount&, const NewAccount&) = default;
};

// Why provisioning will not create an account for a student; empty when it may.
std::string provisioning_refusal(const DesiredStudent& student);

struct PlanTotals {
    int adds = 0;
    int removes = 0;
    int creates = 0;
    int renames = 0;
    int restores = 0;  // idnumbers edited in Moodle, restored
    int recreates = 0; // managed cohorts deleted in Moodle, created again
    int deferred = 0;
    int held_back = 0;
    int accounts = 0;
    int cohorts_changed = 0;
    int managed_memberships = 0; // current members of all managed cohorts
};

// One cohort kind's share of a plan.
struct KindChanges {
    std::string_view kind; // a CohortKind's name
    int adds = 0;          // in its cohorts the plan reports (CohortPlan::reported)
    int removes = 0;
    int cohorts_changed = 0; // its cohorts the plan reports
};

struct Plan {
    std::vector<CohortPlan> cohorts;     // sorted by idnumber; only cohorts we manage or create
    std::vector<Unplaced> unplaced;      // sorted by etape, then student number
    std::vector<std::string> left_alone; // managed cohorts whose étape vanished, not emptied
    std::vector<NewAccount> accounts;    // to create first; their adds carry user id 0
    std::vector<PendingRemoval> pending; // grace state to store if this plan is applied
    Issues issues;                       // refused étapes (idnumber taken), ...
    std::vector<Hold> holds;             // the night's source defects that hold removals back
    int managed_memberships = 0;         // members of all managed cohorts before the plan
    int managed_cohorts = 0;             // cohorts cohort-sync managed before the plan

    PlanTotals totals() const;
    // Per cohort kind that has a cohort in the plan, in the kinds' registry order; empty when every
    // cohort is an étape's, so that such a site's text, summary and review page read as they
    // always did.
    std::vector<KindChanges> changes_by_kind() const;
};

// Diffs desired against current. Pure and deterministic: same inputs, same plan.
Plan make_plan(const Desired& desired, const Current& current, const MoodleConfig& config,
               const ProvisioningConfig& provisioning = {});

} // namespace cohort_sync
