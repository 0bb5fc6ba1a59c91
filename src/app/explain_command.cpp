#include "explain_command.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/etape.hpp"
#include "cohort_sync/exit_code.hpp"
#include "cohort_sync/io/ldap_directory.hpp"
#include "cohort_sync/io/moodle_explain.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/plan.hpp"
#include "cohort_sync/source.hpp"
#include "cohort_sync/text.hpp"
#include "credentials.hpp"
#include "local_time.hpp"
#include "sources.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>
#include <iterator>
#include <map>
#include <ostream>
#include <set>
#include <type_traits>

namespace cohort_sync {
namespace {

class Explainer {
public:
    Explainer(const Config& config, std::string key, const RunClock& clock, std::ostream& out)
        : m_config(config)
        , m_key(std::move(key))
        , m_clock(clock)
        , m_out(out)
        , m_years(active_years(clock.local_date, config.apogee.rollover, config.apogee.overlap_until)) {}

    int run() {
        m_out << fmt::format("explain '{}'\n", m_key);
        read_directory();
        read_inscriptions();
        decide();
        read_moodle();
        show_changes();
        return to_int(ExitCode::success);
    }

private:
    void read_directory() {
        if (!source_kind("ldap").needed(m_config)) {
            return;
        }
        LdapDirectory directory(m_config.ldap, ldap_password(m_config));
        m_directory = directory.find(m_key);
        m_out << "\ndirectory (" << m_directory.uri << "):\n";
        if (m_directory.entries.empty()) {
            const auto anyone = directory.find(m_key, /*students_only=*/false);
            if (anyone.entries.empty()) {
                m_out << "  no entry has this login or student number\n";
            } else {
                const auto& entry = anyone.entries.front();
                m_out << fmt::format("  {} is in the directory but not selected by ldap.filter '{}': not a "
                                     "student there (any more)\n    login '{}', student number '{}'\n",
                                     entry.dn, m_config.ldap.filter, entry.login, entry.student_number);
                // Still the same person: look for them under these keys in the export and Moodle.
                m_login = to_lower_ascii(entry.login);
                m_number = entry.student_number;
            }
            return;
        }
        print(source_kind("ldap").explain({"ldap", m_directory, std::nullopt}, m_config, m_clock));
        for (const auto& entry : m_directory.entries) {
            if (m_login.empty()) {
                m_login = to_lower_ascii(entry.login);
                m_number = entry.student_number;
            }
        }
    }

    // Each inscriptions source this configuration reads (the export, the Pégase DRE), read whole,
    // accepted or refused exactly as a sync would on the same clock, then narrowed to the student.
    void read_inscriptions() {
        if (m_number.empty()) {
            m_number = m_key; // not in the directory: the key may be a student number
        }
        for (const auto* kind : needed_source_kinds(m_config)) {
            if (kind->family() == SourceFamily::directory) {
                continue;
            }
            m_out << fmt::format("\n{} ('{}'):\n", kind->name(), kind->origin(m_config));
            SourceRead narrowed;
            try {
                const auto read =
                    kind->accept(make_source_adapter(*kind, m_config, {})->read(), m_config, m_clock);
                narrowed = narrow(read);
                if (read.database) {
                    m_out << fmt::format("  version {}, dump of {}\n", read.database->version,
                                         read.database->dump_date);
                }
            } catch (const SourceError& error) {
                m_out << fmt::format("  unusable: {}\n", error.what());
                continue;
            }
            if (rows_in(narrowed) == 0) {
                m_out << fmt::format("  no row for student number '{}'\n", m_number);
            }
            print(kind->explain(narrowed, m_config, m_clock));
            m_paths[narrowed.source] =
                std::visit([](const auto& records) { return path_of(records); }, narrowed.records);
            m_inscriptions.push_back(std::move(narrowed));
        }
    }

    // A read with only the student's rows: an inscription source's, or a pedagogical extract's
    // contracts and group assignments.
    SourceRead narrow(const SourceRead& read) const {
        const auto mine = [&](const auto& rows) {
            std::remove_cvref_t<decltype(rows)> kept;
            std::ranges::copy_if(rows, std::back_inserter(kept),
                                 [&](const auto& row) { return row.student_number == m_number; });
            return kept;
        };
        if (const auto* pedagogy = pedagogy_records(read)) {
            PedagogyRead narrowed;
            narrowed.path = pedagogy->path;
            narrowed.texts = pedagogy->texts; // the rows' texts
            narrowed.contracts = mine(pedagogy->contracts);
            narrowed.groups = mine(pedagogy->groups);
            return {read.source, std::move(narrowed), std::nullopt};
        }
        const auto& all = *inscription_records(read);
        ExportRead narrowed;
        narrowed.path = all.path;
        narrowed.rows = mine(all.rows);
        return {read.source, std::move(narrowed), std::nullopt};
    }

    static std::size_t rows_in(const SourceRead& read) {
        if (const auto* pedagogy = pedagogy_records(read)) {
            return pedagogy->contracts.size() + pedagogy->groups.size();
        }
        return inscription_records(read)->rows.size();
    }

    static std::string path_of(const DirectoryRead&) { return {}; }
    static std::string path_of(const ExportRead& read) { return read.path; }
    static std::string path_of(const PedagogyRead& read) { return read.path; }

    void decide() {
        // The student's records from each source this configuration reads, merged by the rule
        // exactly as a sync merges everybody's.
        std::vector<SourceRead> reads;
        if (source_kind("ldap").needed(m_config)) {
            reads.push_back({"ldap", m_directory, std::nullopt});
        }
        reads.insert(reads.end(), m_inscriptions.begin(), m_inscriptions.end());
        m_desired = merge({reads, m_years}, m_config);
        m_out << "\nshould be in:\n";
        if (m_desired.cohorts.empty()) {
            m_out << "  no cohort\n";
        }
        for (const auto& cohort : m_desired.cohorts) {
            std::string reasons;
            for (const auto& member : cohort.members) {
                for (const auto& reason : m_desired.reasons_of(member)) {
                    reasons +=
                        fmt::format("{}{}", reasons.empty() ? "" : "; ",
                                    reason.dn.empty() ? fmt::format("{} {}:{}", reason.source,
                                                                    m_paths[reason.source], reason.line)
                                                      : "directory " + reason.dn);
                }
            }
            m_out << fmt::format("  {:<24} '{}' because: {}\n", cohort.idnumber, cohort.name, reasons);
        }
        for (const auto& check : m_desired.cross_check.all) {
            m_out << fmt::format("  cross-check: étape {} is only in the {}\n", check.etape, check.only_in);
        }
    }

    void read_moodle() {
        std::vector<std::string> idnumbers;
        for (const auto& cohort : m_desired.cohorts) {
            idnumbers.push_back(cohort.idnumber);
        }
        // First pass to find the account, second to read its memberships and courses.
        auto view = explain_in_moodle(m_config.moodle, m_login, m_number, idnumbers, 0);
        Current current;
        current.mnet_localhost_id = view.mnet_localhost_id;
        for (const auto& account : view.accounts) {
            current.users.push_back(
                {account.id, account.username, account.idnumber, account.suspended, account.deleted});
        }
        for (const auto& cohort : view.cohorts) {
            current.cohorts.push_back({cohort.id, cohort.idnumber, cohort.name, "", 0, {}});
        }
        std::ranges::sort(current.cohorts, {}, &ManagedCohort::idnumber);
        // The account the plan picks is the account cohort-sync uses.
        m_plan = make_plan(m_desired, current, m_config.moodle, m_config.provisioning);
        for (const auto& cohort : m_plan.cohorts) {
            for (const auto& add : cohort.adds) {
                m_user_id = add.user_id;
            }
        }
        m_out << "\nMoodle accounts:\n";
        if (view.accounts.empty()) {
            m_out << "  none with this username or idnumber: the student has never logged in, or the account "
                     "has another key\n";
        }
        for (const auto& account : view.accounts) {
            m_out << fmt::format("  id {} username '{}' idnumber '{}' auth {}{}{}\n", account.id,
                                 account.username, account.idnumber, account.auth,
                                 account.suspended ? ", suspended" : "", account.deleted ? ", deleted" : "");
            if (m_user_id == 0 && !account.deleted &&
                (m_config.moodle.match_by == MatchBy::username ? account.username == m_login
                                                               : account.idnumber == m_number)) {
                m_user_id = account.id;
            }
        }
        for (const auto& account : m_plan.accounts) {
            m_out << fmt::format(
                "  no account yet: the next run creates '{}' (auth {}, provisioning is on)\n",
                account.username, account.auth);
        }
        for (const auto& unplaced : m_plan.unplaced) {
            m_out << fmt::format("  cannot be placed in the {} cohort: {}\n", unplaced.etape,
                                 to_string(unplaced.reason));
        }
        m_view =
            m_user_id ? explain_in_moodle(m_config.moodle, m_login, m_number, idnumbers, m_user_id) : view;
        m_out << "\nis in now:\n";
        if (m_view.memberships.empty()) {
            m_out << "  no cohort\n";
        }
        for (const auto& membership : m_view.memberships) {
            const auto owner = membership.component == m_config.moodle.component ? "managed by cohort-sync"
                               : membership.component.empty()
                                   ? "created by hand, never touched"
                                   : "component " + membership.component + ", never touched";
            m_out << fmt::format("  {:<24} '{}' since {} ({})\n", membership.idnumber, membership.name,
                                 format_local_time(membership.timeadded, "%Y-%m-%d"), owner);
        }
    }

    void show_changes() {
        std::set<std::string> desired;
        for (const auto& cohort : m_desired.cohorts) {
            desired.insert(cohort.idnumber);
        }
        std::map<std::int64_t, char> effect; // cohort id -> '+' joins, '-' leaves, '=' stays
        m_out << "\nthe next run would:\n";
        bool any = false;
        for (const auto& membership : m_view.memberships) {
            if (membership.component == m_config.moodle.component && !desired.contains(membership.idnumber)) {
                m_out << fmt::format("  remove from {}\n", membership.idnumber);
                effect[membership.cohort_id] = '-';
                any = true;
            } else {
                effect[membership.cohort_id] = '='; // still wanted, or not ours to change
            }
        }
        for (const auto& cohort : m_view.cohorts) {
            if (!effect.contains(cohort.id) && m_user_id != 0) {
                m_out << fmt::format("  add to {}\n", cohort.idnumber);
                effect[cohort.id] = '+';
                any = true;
            }
        }
        // An account the next run creates joins its existing cohorts in the same run.
        if (m_user_id == 0 && !m_plan.accounts.empty()) {
            for (const auto& cohort : m_plan.cohorts) {
                if (!cohort.creates() && !cohort.adds.empty()) {
                    m_out << fmt::format("  add to {} (with the account it creates)\n", cohort.idnumber);
                    effect[*cohort.cohort_id] = '+';
                    any = true;
                }
            }
        }
        for (const auto& cohort : m_plan.cohorts) {
            if (cohort.creates() && !cohort.adds.empty()) {
                m_out << fmt::format("  create {} and add the student\n", cohort.idnumber);
                any = true;
            }
        }
        if (!any) {
            m_out << "  nothing\n";
        }
        m_out << "\ncourses (through enrol_cohort):\n";
        if (m_view.courses.empty()) {
            m_out << "  no course enrols these cohorts\n";
        }
        for (const auto& course : m_view.courses) {
            const std::string now = !course.enrolment_status        ? "not enrolled"
                                    : *course.enrolment_status == 0 ? "enrolled"
                                                                    : "enrolment suspended";
            m_out << fmt::format("  course {} '{}' via {}{}: {}{}\n", course.course_id, course.shortname,
                                 course.cohort_idnumber,
                                 course.instance_enabled ? "" : " (instance disabled)", now,
                                 course_effect(course, effect));
        }
    }

    // What enrol_cohort will do to this enrolment once the next run's changes are in.
    static std::string course_effect(const ExplainCourse& course,
                                     const std::map<std::int64_t, char>& effect) {
        const auto it = effect.find(course.cohort_id);
        const char change = it == effect.end() ? '-' : it->second;
        const bool enrolled = course.enrolment_status.has_value();
        const std::string grades = course.has_grades ? " (has grades in this course)" : "";
        if (change == '+' || (change == '=' && !enrolled)) {
            return course.instance_enabled ? ", will be enrolled by Moodle's next cohort sync" : "";
        }
        if (change == '-' && enrolled) {
            return ", will lose this enrolment at Moodle's next cohort sync" + grades;
        }
        return "";
    }

    void print(const std::vector<std::string>& lines) {
        for (const auto& line : lines) {
            m_out << "  " << line << '\n';
        }
    }

    const Config& m_config;
    std::string m_key;
    const RunClock& m_clock;
    std::ostream& m_out;
    std::vector<int> m_years; // on the run's local date, as a sync computes them
    DirectoryRead m_directory;
    std::vector<SourceRead> m_inscriptions;     // each usable inscriptions source, narrowed to the student
    std::map<std::string, std::string> m_paths; // each one's locator prefix, by source name
    std::string m_login;
    std::string m_number;
    Desired m_desired;
    Plan m_plan;
    std::int64_t m_user_id = 0;
    MoodleView m_view;
};

} // namespace

int explain_command(const Config& config, const std::string& key, const RunClock& clock, std::ostream& out) {
    return Explainer(config, key, clock, out).run();
}

} // namespace cohort_sync
