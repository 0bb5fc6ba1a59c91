#include "cohort_sync/plan.hpp"

#include "cohort_sync/cohort_kind.hpp"
#include "cohort_sync/text.hpp"
#include "cohort_sync/utf8.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <fmt/format.h>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace cohort_sync {
namespace {

constexpr std::size_t k_cohort_idnumber_length = 100;
constexpr std::size_t k_cohort_name_length = 254;

// Finds the Moodle account of a desired student, by the configured key; tells why when it can't.
// Keys are views into the loaded users: a site has a hundred thousand of them.
class UserIndex {
public:
    explicit UserIndex(const std::vector<MoodleUser>& users) {
        m_by_id.reserve(users.size());
        m_by_username.reserve(users.size());
        m_by_idnumber.reserve(users.size());
        for (const auto& user : users) {
            m_by_id.emplace(user.id, &user);
            auto& by_name = user.deleted ? m_deleted_by_username : m_by_username;
            by_name.emplace(lower_case(user.username), &user);
            if (!user.idnumber.empty()) {
                auto& accounts = (user.deleted ? m_deleted_by_idnumber : m_by_idnumber)[user.idnumber];
                accounts.first = accounts.first ? accounts.first : &user;
                ++accounts.count;
            }
        }
    }

    struct Match {
        const MoodleUser* user = nullptr;
        UnplacedReason reason = UnplacedReason::no_account;
    };

    Match find(const DesiredStudent& member, MatchBy match_by) const {
        if (match_by == MatchBy::username) {
            if (const auto* user = by_username(member.login)) {
                return {user, {}};
            }
            if (deleted_by_username(member.login) || deleted_by_idnumber(member.student_number)) {
                return {nullptr, UnplacedReason::deleted_account};
            }
            if (by_idnumber(member.student_number).count > 0) {
                return {nullptr, UnplacedReason::other_key_only};
            }
            return {nullptr, UnplacedReason::no_account};
        }
        const auto matches = by_idnumber(member.student_number);
        if (matches.count == 1) {
            return {matches.first, {}};
        }
        if (matches.count > 1) {
            return {nullptr, UnplacedReason::several_accounts};
        }
        if (deleted_by_idnumber(member.student_number) || deleted_by_username(member.login)) {
            return {nullptr, UnplacedReason::deleted_account};
        }
        if (by_username(member.login)) {
            return {nullptr, UnplacedReason::other_key_only};
        }
        return {nullptr, UnplacedReason::no_account};
    }

    const MoodleUser* by_id(std::int64_t id) const {
        const auto it = m_by_id.find(id);
        return it == m_by_id.end() ? nullptr : it->second;
    }

private:
    // Accounts sharing one idnumber: Moodle does not make idnumbers unique.
    struct Accounts {
        const MoodleUser* first = nullptr;
        int count = 0;
    };

    // Moodle stores usernames lower-cased; a copy is kept only for one that is not.
    std::string_view lower_case(const std::string& username) {
        if (std::ranges::none_of(username, [](char c) { return c >= 'A' && c <= 'Z'; })) {
            return username;
        }
        return m_lowered.emplace_back(to_lower_ascii(username));
    }

    const MoodleUser* by_username(std::string_view login) const {
        const auto it = login.empty() ? m_by_username.end() : m_by_username.find(login);
        return it == m_by_username.end() ? nullptr : it->second;
    }
    bool deleted_by_username(std::string_view login) const {
        return !login.empty() && m_deleted_by_username.contains(login);
    }
    bool deleted_by_idnumber(std::string_view idnumber) const {
        return !idnumber.empty() && m_deleted_by_idnumber.contains(idnumber);
    }
    Accounts by_idnumber(std::string_view idnumber) const {
        const auto it = idnumber.empty() ? m_by_idnumber.end() : m_by_idnumber.find(idnumber);
        return it == m_by_idnumber.end() ? Accounts{} : it->second;
    }

    std::deque<std::string> m_lowered; // stable addresses for the views below
    std::unordered_map<std::int64_t, const MoodleUser*> m_by_id;
    std::unordered_map<std::string_view, const MoodleUser*> m_by_username;
    std::unordered_map<std::string_view, const MoodleUser*> m_deleted_by_username;
    std::unordered_map<std::string_view, Accounts> m_by_idnumber;
    std::unordered_map<std::string_view, Accounts> m_deleted_by_idnumber;
};

PlannedMember planned(const UserIndex& users, std::int64_t user_id, std::vector<Reason> reasons = {}) {
    const auto* user = users.by_id(user_id);
    return {user_id, user ? user->username : std::string(), user ? user->idnumber : std::string(),
            std::move(reasons)};
}

// A Moodle account the sources want in a cohort, with the desired member that wants it.
struct Wanted {
    std::int64_t user_id = 0;
    const DesiredMember* member = nullptr;
};

// Compares the wanted with the present members (plain user ids) for std::set_difference.
struct ByUserId {
    bool operator()(const Wanted& a, std::int64_t b) const { return a.user_id < b; }
    bool operator()(std::int64_t a, const Wanted& b) const { return a < b.user_id; }
};

// Names a Moodle site reserves or that an administrator would never expect a sync to create.
constexpr std::array<std::string_view, 8> k_reserved_usernames = {
    "guest", "admin", "administrator", "root", "moodle", "webservice", "nobody", "system"};

// Moodle's default username rule (without $CFG->extendedusernamechars): lower-case letters,
// digits and _ - . @.
bool moodle_username(std::string_view name) {
    return !name.empty() && name.size() <= 100 && std::ranges::all_of(name, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
               c == '@';
    });
}

class Planner {
public:
    Planner(const Desired& desired, const Current& current, const MoodleConfig& config,
            const ProvisioningConfig& provisioning)
        : m_desired(desired)
        , m_current(current)
        , m_config(config)
        , m_provisioning(provisioning)
        , m_users(current.users) {
        // Once per student, not per membership: most students are in two or three cohorts.
        m_matches.reserve(desired.students.size());
        for (const auto& student : desired.students) {
            m_matches.push_back(m_users.find(student, config.match_by));
        }
        // Each managed cohort answers to its recorded key, whatever its idnumber in Moodle now says.
        for (const auto& cohort : current.cohorts) {
            const auto [it, first] = m_managed.emplace(cohort.key(), &cohort);
            if (!first && !cohort.key().empty()) {
                auto& claimants = m_shared_keys[cohort.key()];
                if (claimants.empty()) {
                    claimants.push_back(it->second);
                }
                claimants.push_back(&cohort);
            }
        }
        for (const auto& cohort : current.gone) {
            m_gone.emplace(cohort.idnumber, &cohort);
        }
        for (const auto& cohort : current.foreign) {
            m_foreign.emplace(cohort.idnumber, &cohort);
        }
        for (const auto& pending : current.pending) {
            m_absent_runs[{pending.cohort_id, pending.user_id}] = pending.absent_runs;
        }
        std::unordered_set<std::string_view> desired_etapes;
        for (const auto& cohort : desired.cohorts) {
            if (cohort.kind == k_etape_kind) {
                desired_etapes.insert(cohort.etape);
            }
        }
        for (const auto& hold : desired.holds) {
            if (!hold.student_number.empty()) {
                m_hold_by_number.try_emplace(hold.student_number, &hold);
            }
            if (!hold.login.empty()) {
                m_hold_by_login.try_emplace(hold.login, &hold);
            }
            if (hold.student_number.empty() && hold.login.empty() && !hold.etape.empty()) {
                m_hold_by_etape.try_emplace(hold.etape, &hold);
                m_first_etape_hold = m_first_etape_hold ? m_first_etape_hold : &hold;
                // An étape that still has its cohort tonight is not one that vanished: only the
                // others may be behind a vanished cohort.
                if (!m_vanished_etape_hold && !desired_etapes.contains(hold.etape)) {
                    m_vanished_etape_hold = &hold;
                }
            }
            if (hold.student_number.empty() && hold.login.empty() && hold.etape.empty() &&
                !hold.element.empty()) {
                m_hold_by_element.try_emplace(hold.element, &hold);
                m_first_element_hold = m_first_element_hold ? m_first_element_hold : &hold;
            }
            if (hold.holds_everything() && !m_hold_everything) {
                m_hold_everything = &hold;
            }
        }
        m_plan.holds = desired.holds;
    }

    Plan run() {
        std::set<std::string> desired_idnumbers;
        for (const auto& cohort : m_desired.cohorts) {
            desired_idnumbers.insert(cohort.idnumber);
            plan_desired(cohort);
        }
        m_plan.managed_cohorts = static_cast<int>(m_current.cohorts.size());
        for (const auto& cohort : m_current.cohorts) {
            m_plan.managed_memberships += static_cast<int>(cohort.members.size());
            if (m_shared_keys.contains(cohort.key())) {
                continue; // refused below (or with its étape): neither cohort is touched
            }
            if (!desired_idnumbers.contains(cohort.key())) {
                plan_vanished(cohort);
            }
        }
        for (const auto& [key, claimants] : m_shared_keys) {
            if (!desired_idnumbers.contains(key)) {
                refuse_shared_key(key, claimants, {});
            }
        }
        for (const auto& gone : m_current.gone) {
            if (!desired_idnumbers.contains(gone.idnumber) && !m_managed.contains(gone.idnumber)) {
                m_plan.issues.push_back(
                    {Severity::warning, gone.idnumber,
                     fmt::format("cohort id {}, which cohort-sync created, is no longer in Moodle (deleted, "
                                 "or no longer marked as cohort-sync's); no student of tonight's sources "
                                 "belongs in it, so it is not created again",
                                 gone.id)});
            }
        }
        std::ranges::sort(m_plan.cohorts, {}, &CohortPlan::idnumber);
        std::ranges::sort(m_plan.unplaced, [](const Unplaced& a, const Unplaced& b) {
            return std::tie(a.etape, a.student_number, a.login) <
                   std::tie(b.etape, b.student_number, b.login);
        });
        std::ranges::sort(m_plan.pending);
        if (m_renames_held > 0) {
            m_plan.issues.push_back(
                {Severity::warning, "labels",
                 fmt::format(
                     "{} cohort rename(s) held back: the export's labels are in doubt (see its encoding "
                     "warning), so cohorts keep their names tonight",
                     m_renames_held)});
        }
        for (auto& [username, account] : m_accounts) {
            m_plan.accounts.push_back(std::move(account));
        }
        return std::move(m_plan);
    }

private:
    void plan_desired(const DesiredCohort& desired) {
        if (const auto shared = m_shared_keys.find(desired.idnumber); shared != m_shared_keys.end()) {
            refuse_shared_key(desired.idnumber, shared->second, cohort_subject(desired.kind, desired.etape));
            return;
        }
        const auto managed = m_managed.find(desired.idnumber);
        const auto foreign = m_foreign.find(desired.idnumber);
        // A cohort whose idnumber is restored must not end up sharing it with somebody else's.
        const bool restores = managed != m_managed.end() && managed->second->idnumber_edited();
        if (foreign != m_foreign.end() && (managed == m_managed.end() || restores)) {
            refuse_taken_idnumber(desired, *foreign->second,
                                  restores ? managed->second : static_cast<const ManagedCohort*>(nullptr));
            return;
        }
        if (!fits_moodle(desired)) {
            return;
        }
        CohortPlan plan;
        plan.idnumber = desired.idnumber;
        plan.kind = desired.kind;
        plan.etape = desired.etape;
        plan.name = std::string(truncate_utf8(desired.name, k_cohort_name_length));
        plan.description = desired.description;
        plan.desired_size = static_cast<int>(desired.members.size());

        // Sorted vectors and set differences: a cohort of thousands costs no tree nodes.
        std::vector<Wanted> wanted;
        wanted.reserve(desired.members.size());
        std::vector<PlannedMember> to_create; // members whose account this plan creates
        for (const auto& desired_member : desired.members) {
            const auto& member = m_desired.students[static_cast<std::size_t>(desired_member.student)];
            const auto& match = m_matches[static_cast<std::size_t>(desired_member.student)];
            if (match.user) {
                wanted.push_back({match.user->id, &desired_member});
            } else if (match.reason == UnplacedReason::no_account && m_provisioning.enabled &&
                       provisioning_refusal(member).empty()) {
                m_accounts.try_emplace(member.login,
                                       NewAccount{member.login, member.student_number, member.first_name,
                                                  member.last_name, member.mail, m_provisioning.auth});
                to_create.push_back(
                    {0, member.login, member.student_number, m_desired.reasons_of(desired_member)});
            } else {
                m_plan.unplaced.push_back({member.student_number, member.login, desired.etape, match.reason});
            }
        }
        // Stable: of two students matched to one account, the first (by student) gives the reasons.
        std::ranges::stable_sort(wanted, {}, &Wanted::user_id);
        // std::unique, not std::ranges::unique: clang 14 (the fuzz build) cannot instantiate the
        // std::ranges::subrange that libstdc++ 12's returns.
        wanted.erase(std::unique(wanted.begin(), wanted.end(),
                                 [](const Wanted& a, const Wanted& b) { return a.user_id == b.user_id; }),
                     wanted.end());
        static const std::vector<std::int64_t> k_nobody;
        const std::vector<std::int64_t>* present = &k_nobody; // sorted, as load() returns them
        if (managed != m_managed.end()) {
            const auto& cohort = *managed->second;
            plan.cohort_id = cohort.id;
            plan.current_size = static_cast<int>(cohort.members.size());
            if (cohort.name != plan.name && m_desired.labels_in_doubt) {
                plan.name = cohort.name;
                ++m_renames_held;
            } else if (cohort.name != plan.name) {
                plan.rename_from = cohort.name;
            }
            if (restores) {
                restore_idnumber(plan, cohort);
            }
            present = &cohort.members;
        } else if (const auto gone = m_gone.find(desired.idnumber); gone != m_gone.end()) {
            plan.recreates = gone->second->id;
            m_plan.issues.push_back(
                {Severity::warning, desired.idnumber,
                 fmt::format("cohort id {} ({}), which cohort-sync created, is no longer in Moodle "
                             "(deleted, or no longer marked as cohort-sync's): it is created again; HINT: "
                             "Moodle removes or disables a deleted cohort's enrolment methods: add the new "
                             "cohort to the courses that enrolled cohort id {}",
                             gone->second->id, cohort_subject(desired.kind, desired.etape),
                             gone->second->id)});
        }
        std::vector<Wanted> joining;
        std::set_difference(wanted.begin(), wanted.end(), present->begin(), present->end(),
                            std::back_inserter(joining), ByUserId{});
        plan.adds.reserve(joining.size() + to_create.size());
        for (const auto& joiner : joining) {
            plan.adds.push_back(planned(m_users, joiner.user_id, m_desired.reasons_of(*joiner.member)));
        }
        plan.adds.insert(plan.adds.end(), std::make_move_iterator(to_create.begin()),
                         std::make_move_iterator(to_create.end()));
        std::vector<std::int64_t> leaving;
        std::set_difference(present->begin(), present->end(), wanted.begin(), wanted.end(),
                            std::back_inserter(leaving), ByUserId{});
        for (const auto id : leaving) {
            remove_or_defer(plan, id);
        }
        m_plan.cohorts.push_back(std::move(plan));
    }

    // A managed cohort none of whose étape's students remain in the sources. Its key is restored
    // all the same: the étape may come back.
    void plan_vanished(const ManagedCohort& cohort) {
        // Not onto a foreign cohort's idnumber: if the étape comes back, plan_desired says so.
        const bool restores = cohort.idnumber_edited() && !m_foreign.contains(cohort.key());
        if (cohort.members.empty() && !restores) {
            return;
        }
        const bool empties = m_config.empty_vanished_cohorts && !cohort.members.empty();
        if (!m_config.empty_vanished_cohorts && !cohort.members.empty()) {
            m_plan.left_alone.push_back(cohort.key());
        }
        if (!empties && !restores) {
            return;
        }
        CohortPlan plan;
        plan.cohort_id = cohort.id;
        plan.idnumber = cohort.key();
        plan.name = cohort.name;
        plan.description = cohort.description;
        plan.current_size = static_cast<int>(cohort.members.size());
        if (restores) {
            restore_idnumber(plan, cohort);
        }
        if (empties) {
            for (const auto id : cohort.members) {
                remove_or_defer(plan, id);
            }
        }
        m_plan.cohorts.push_back(std::move(plan));
    }

    // A site manager changed the idnumber in Moodle: cohort-sync puts its key back rather than
    // lose the cohort (and its members and course links) and create a second one for the étape.
    void restore_idnumber(CohortPlan& plan, const ManagedCohort& cohort) {
        plan.restore_idnumber_from = cohort.idnumber;
        m_plan.issues.push_back(
            {Severity::warning, plan.idnumber,
             fmt::format("cohort id {}'s idnumber was changed in Moodle to '{}' ({}): cohort-sync restores "
                         "'{}', the idnumber it knows the cohort by; HINT: the idnumbers of cohort-sync's "
                         "cohorts come from membership.idnumber_template; leave them as they are in Moodle",
                         cohort.id, cohort.idnumber,
                         plan.etape.empty() ? std::string("no étape in tonight's sources")
                                            : cohort_subject(plan.kind, plan.etape),
                         plan.idnumber)});
    }

    // The defect that may concern this removal, if any. A vanished cohort's key is not known here:
    // a hold on an étape without a cohort tonight, or else any pedagogical hold, holds it whole.
    const Hold* hold_on(const CohortPlan& plan, const PlannedMember& member) const {
        if (m_hold_everything) {
            return m_hold_everything;
        }
        if (const auto it = m_hold_by_number.find(member.student_number); it != m_hold_by_number.end()) {
            return it->second;
        }
        if (const auto it = m_hold_by_login.find(to_lower_ascii(member.username));
            it != m_hold_by_login.end()) {
            return it->second;
        }
        if (plan.etape.empty()) {
            return m_vanished_etape_hold ? m_vanished_etape_hold : m_first_element_hold;
        }
        if (plan.kind == k_etape_kind) {
            const auto it = m_hold_by_etape.find(plan.etape);
            return it == m_hold_by_etape.end() ? nullptr : it->second;
        }
        // An element's or group's members are those of étapes it does not know here: any étape
        // hold holds them. A pedagogical record naming an element holds its element and groups
        // (a group's key starts with its element's, "UE12/TD1").
        if (m_first_etape_hold) {
            return m_first_etape_hold;
        }
        const auto element = std::string_view(plan.etape).substr(0, plan.etape.find('/'));
        const auto it = m_hold_by_element.find(std::string(element));
        return it == m_hold_by_element.end() ? nullptr : it->second;
    }

    // Doubt first: a removal a source defect may concern is held back, and its absence is not
    // counted towards the grace period. Then the grace period: a member is removed only once
    // absent for `grace_runs` runs in a row.
    void remove_or_defer(CohortPlan& plan, std::int64_t user_id) {
        const auto previous = m_absent_runs.find({*plan.cohort_id, user_id});
        auto member = planned(m_users, user_id);
        if (const auto* hold = hold_on(plan, member)) {
            member.reasons = {hold->defect};
            plan.held_back.push_back(std::move(member));
            if (previous != m_absent_runs.end()) {
                m_plan.pending.push_back({*plan.cohort_id, user_id, previous->second});
            }
            return;
        }
        const int absent_runs = (previous == m_absent_runs.end() ? 0 : previous->second) + 1;
        if (absent_runs >= m_config.grace_runs) {
            plan.removes.push_back(std::move(member));
        } else {
            plan.deferred.push_back(std::move(member));
            m_plan.pending.push_back({*plan.cohort_id, user_id, absent_runs});
        }
    }

    // Moodle's columns: cohort.idnumber is varchar(100), cohort.name varchar(254). A name is cut
    // (with a warning); an idnumber that does not fit leaves its étape out, since a cut one could
    // collide with another étape's.
    bool fits_moodle(const DesiredCohort& desired) {
        if (utf8_character_count(desired.idnumber) > k_cohort_idnumber_length) {
            m_plan.issues.push_back(
                {Severity::error, std::string(truncate_utf8(desired.idnumber, 40)) + "...",
                 fmt::format("{} is skipped: its cohort idnumber has {} characters, more than Moodle's {}; "
                             "HINT: shorten {}.idnumber_template",
                             cohort_subject(desired.kind, desired.etape),
                             utf8_character_count(desired.idnumber), k_cohort_idnumber_length,
                             cohort_kind(desired.kind).template_section())});
            return false;
        }
        if (utf8_character_count(desired.name) > k_cohort_name_length) {
            m_plan.issues.push_back(
                {Severity::warning, desired.idnumber,
                 fmt::format("the cohort name has {} characters, more than Moodle's {}: it is "
                             "cut; HINT: shorten membership.name_template",
                             utf8_character_count(desired.name), k_cohort_name_length)});
        }
        return true;
    }

    // `edited`: the managed cohort whose idnumber would be restored to the one `foreign` holds.
    void refuse_taken_idnumber(const DesiredCohort& desired, const ForeignCohort& foreign,
                               const ManagedCohort* edited = nullptr) {
        const std::string owner = foreign.component.empty()
                                      ? "a cohort created by hand"
                                      : fmt::format("component '{}'", foreign.component);
        if (edited) {
            m_plan.issues.push_back(
                {Severity::error, desired.idnumber,
                 fmt::format("{} is skipped: its cohort id {} had its idnumber changed in Moodle to "
                             "'{}', and '{}' is now used by cohort id {} ({}), which cohort-sync does not "
                             "manage: restoring it would give two cohorts one idnumber; HINT: give cohort "
                             "id {} another idnumber in Moodle, and cohort-sync restores its own",
                             cohort_subject(desired.kind, desired.etape), edited->id, edited->idnumber,
                             desired.idnumber, foreign.id, owner, foreign.id)});
            return;
        }
        m_plan.issues.push_back(
            {Severity::error, desired.idnumber,
             fmt::format(
                 "{} is skipped: idnumber '{}' is already used by cohort id {} ({}), which cohort-sync "
                 "does not manage and will not adopt; HINT: rename that cohort's idnumber in Moodle, or "
                 "change {}.idnumber_template",
                 cohort_subject(desired.kind, desired.etape), desired.idnumber, foreign.id, owner,
                 cohort_kind(desired.kind).template_section())});
    }

    // Two managed cohorts answer to one key (one recorded, or neither, and the other's idnumber
    // set to it in Moodle): picking one would be a guess that could empty the other.
    void refuse_shared_key(const std::string& key, const std::vector<const ManagedCohort*>& claimants,
                           const std::string& subject) {
        std::string ids;
        std::string which;
        const ManagedCohort* recorded = nullptr;
        for (const auto* cohort : claimants) {
            ids += fmt::format("{}id {}", ids.empty() ? "" : " and ", cohort->id);
            which += fmt::format(
                "{}cohort id {} {}", which.empty() ? "" : ", ", cohort->id,
                cohort->recorded_idnumber
                    ? fmt::format("is recorded under '{}' (its idnumber is '{}')", key, cohort->idnumber)
                    : fmt::format("has idnumber '{}' and is not recorded", cohort->idnumber));
            recorded = cohort->recorded_idnumber ? cohort : recorded;
        }
        const std::string hint =
            recorded
                ? fmt::format("cohort id {} is the one cohort-sync recorded for '{}': delete the other in "
                              "Moodle, or give it another idnumber",
                              recorded->id, key)
                : std::string("delete the cohort that is not the étape's in Moodle, or give it another "
                              "idnumber; cohort-sync then syncs the other");
        m_plan.issues.push_back(
            {Severity::error, key,
             fmt::format("{}cohort-sync manages two cohorts, {}, that both answer to idnumber '{}' ({}); it "
                         "will not guess which one is the étape's and leaves both as they are; HINT: {}",
                         subject.empty() ? std::string() : fmt::format("{} is skipped: ", subject), ids, key,
                         which, hint)});
    }

    const Desired& m_desired;
    const Current& m_current;
    const MoodleConfig& m_config;
    const ProvisioningConfig& m_provisioning;
    UserIndex m_users;
    std::vector<UserIndex::Match> m_matches;      // by index in m_desired.students
    std::map<std::string, NewAccount> m_accounts; // by username: one account for several cohorts
    std::unordered_map<std::string, const ManagedCohort*> m_managed;
    std::unordered_map<std::string, const ForeignCohort*> m_foreign;
    std::unordered_map<std::string, const GoneCohort*> m_gone;
    std::map<std::string, std::vector<const ManagedCohort*>> m_shared_keys; // by key: sorted, deterministic
    std::map<std::pair<std::int64_t, std::int64_t>, int> m_absent_runs;
    std::unordered_map<std::string, const Hold*> m_hold_by_number;
    std::unordered_map<std::string, const Hold*> m_hold_by_login;
    std::unordered_map<std::string, const Hold*> m_hold_by_etape;
    const Hold* m_hold_everything = nullptr;
    std::unordered_map<std::string, const Hold*> m_hold_by_element;
    // The first holds in the sources' order, so that plans are reproducible. A hold on an étape
    // that has no cohort tonight holds the removals from vanished cohorts; any étape hold holds
    // the element and group cohorts, whose members come from étapes they do not know.
    const Hold* m_first_etape_hold = nullptr;
    const Hold* m_vanished_etape_hold = nullptr;
    const Hold* m_first_element_hold = nullptr;
    int m_renames_held = 0;
    Plan m_plan;
};

} // namespace

const char* to_string(UnplacedReason reason) {
    switch (reason) {
    case UnplacedReason::no_account:
        return "no_account";
    case UnplacedReason::deleted_account:
        return "deleted_account";
    case UnplacedReason::other_key_only:
        return "other_key_only";
    case UnplacedReason::several_accounts:
        return "several_accounts";
    }
    return "unknown";
}

std::string provisioning_refusal(const DesiredStudent& member) {
    if (member.login.empty()) {
        return "no login in the directory";
    }
    if (member.student_number.empty()) {
        return "no student number";
    }
    if (!moodle_username(member.login)) {
        return fmt::format("'{}' is not a valid Moodle username", member.login);
    }
    if (std::ranges::find(k_reserved_usernames, member.login) != k_reserved_usernames.end()) {
        return fmt::format("'{}' is a reserved name", member.login);
    }
    return {};
}

std::vector<KindChanges> Plan::changes_by_kind() const {
    if (std::ranges::all_of(cohorts, [](const CohortPlan& c) { return c.kind == k_etape_kind; })) {
        return {};
    }
    std::vector<KindChanges> out;
    for (const auto* kind : cohort_kinds()) {
        KindChanges changes{kind->name()};
        bool present = false;
        for (const auto& cohort : cohorts) {
            if (cohort.kind != kind->name()) {
                continue;
            }
            present = true;
            if (cohort.reported()) {
                changes.adds += static_cast<int>(cohort.adds.size());
                changes.removes += static_cast<int>(cohort.removes.size());
                ++changes.cohorts_changed;
            }
        }
        if (present) {
            out.push_back(changes);
        }
    }
    return out;
}

PlanTotals Plan::totals() const {
    PlanTotals totals;
    totals.accounts = static_cast<int>(accounts.size());
    totals.managed_memberships = managed_memberships;
    for (const auto& cohort : cohorts) {
        totals.adds += static_cast<int>(cohort.adds.size());
        totals.removes += static_cast<int>(cohort.removes.size());
        totals.deferred += static_cast<int>(cohort.deferred.size());
        totals.held_back += static_cast<int>(cohort.held_back.size());
        totals.creates += cohort.creates() ? 1 : 0;
        totals.renames += cohort.rename_from ? 1 : 0;
        totals.restores += cohort.restore_idnumber_from ? 1 : 0;
        totals.recreates += cohort.recreates ? 1 : 0;
        totals.cohorts_changed += cohort.changes() ? 1 : 0;
    }
    return totals;
}

Plan make_plan(const Desired& desired, const Current& current, const MoodleConfig& config,
               const ProvisioningConfig& provisioning) {
    return Planner(desired, current, config, provisioning).run();
}

} // namespace cohort_sync
