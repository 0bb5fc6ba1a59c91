#include "cohort_sync/io/moodle_db.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/io/moodle_site.hpp"
#include "cohort_sync/moodle_auth.hpp"
#include "cohort_sync/moodle_version.hpp"
#include "cohort_sync/redact.hpp"
#include "cohort_sync/source_counts_json.hpp"
#include "moodle_session.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace cohort_sync {

using namespace pgio;

MoodleSession::MoodleSession(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}

MoodleSession::~MoodleSession() = default;

int MoodleSession::backend_pid() const {
    return PQbackendPID(m_impl->connection.get());
}

Current MoodleSession::load() {
    auto& impl = *m_impl;
    Current current;

    // Site settings that decide who is a local user and who must never be placed in a cohort.
    const auto settings = impl.run(sql::Id::load_config, {}, PGRES_TUPLES_OK, "read Moodle's site settings");
    const int c_name = settings.column("name");
    const int c_value = settings.column("value");
    std::optional<std::int64_t> mnet_host;
    std::vector<std::int64_t> excluded;
    for (int row = 0; row < settings.rows(); ++row) {
        const auto name = settings.text(row, c_name);
        const auto value = settings.text(row, c_value);
        if (name == "release") {
            current.moodle_release = value;
        } else if (name == "version") {
            current.moodle_version = value;
        } else if (name == "mnet_localhost_id") {
            mnet_host = parse_id(value);
            if (!mnet_host) {
                throw_bad_value(impl.statement(sql::Id::load_config), "config.value of mnet_localhost_id",
                                value);
            }
        } else if (name == "siteguest") {
            if (const auto id = parse_id(value)) {
                excluded.push_back(*id);
            }
        } else if (name == "siteadmins") {
            // A comma list. An id we cannot read could be an admin we would then put in a cohort.
            std::string_view rest = value;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                const auto item = rest.substr(0, comma);
                const auto id = parse_id(item);
                if (!id) {
                    throw_bad_value(impl.statement(sql::Id::load_config), "config.value of siteadmins",
                                    value);
                }
                excluded.push_back(*id);
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
        }
    }
    if (!mnet_host) {
        throw TargetError(
            fmt::format("unable to read Moodle's site settings (statement 'load_config'): {}.{} has no "
                        "'mnet_localhost_id' row",
                        sql::quote_identifier(impl.config.schema),
                        sql::quote_identifier(impl.config.prefix + "config")),
            {}, "load_config",
            fmt::format("check moodle.prefix ('{}') and moodle.schema ('{}'): is this Moodle's database?",
                        impl.config.prefix, impl.config.schema));
    }
    current.mnet_localhost_id = *mnet_host;
    impl.mnet_localhost_id = *mnet_host;
    // Before anything else is read: a newer Moodle may have changed the tables this run writes.
    const auto verdict = judge_moodle_release(current.moodle_release, current.moodle_version,
                                              impl.config.accept_untested_version);
    if (verdict.support == MoodleSupport::refused) {
        throw TargetError("refusing to sync: " + verdict.message, {}, "load_config", verdict.hint);
    }
    const auto plugins =
        impl.run(sql::Id::auth_plugins, {}, PGRES_TUPLES_OK, "read the site's authentication plugins");
    current.auth_plugins = usable_auth_plugins(plugins.text(0, plugins.column("enabled")),
                                               plugins.text(0, plugins.column("installed")));

    const auto& users_statement = impl.statement(sql::Id::load_users);
    const auto users =
        impl.run(sql::Id::load_users, {std::to_string(*mnet_host), sql::int_array_literal(excluded)},
                 PGRES_TUPLES_OK, "read Moodle's users");
    current.users.reserve(static_cast<std::size_t>(users.rows()));
    const int u_id = users.column("id");
    const int u_username = users.column("username");
    const int u_idnumber = users.column("idnumber");
    const int u_suspended = users.column("suspended");
    const int u_deleted = users.column("deleted");
    for (int row = 0; row < users.rows(); ++row) {
        MoodleUser user;
        user.id = number_at<std::int64_t>(users, row, u_id, users_statement, "user.id");
        user.username = users.text(row, u_username);
        user.idnumber = users.text(row, u_idnumber);
        user.suspended = number_at<int>(users, row, u_suspended, users_statement, "user.suspended") != 0;
        user.deleted = number_at<int>(users, row, u_deleted, users_statement, "user.deleted") != 0;
        current.users.push_back(std::move(user));
    }

    const auto& cohorts_statement = impl.statement(sql::Id::load_cohorts);
    const auto cohorts =
        impl.run(sql::Id::load_cohorts, {impl.config.component}, PGRES_TUPLES_OK, "read Moodle's cohorts");
    const int k_id = cohorts.column("id");
    const int k_idnumber = cohorts.column("idnumber");
    const int k_name = cohorts.column("name");
    const int k_description = cohorts.column("description");
    const int k_contextid = cohorts.column("contextid");
    const int k_component = cohorts.column("component");
    for (int row = 0; row < cohorts.rows(); ++row) {
        const auto id = number_at<std::int64_t>(cohorts, row, k_id, cohorts_statement, "cohort.id");
        const auto component = cohorts.text(row, k_component);
        if (component == impl.config.component) {
            ManagedCohort cohort;
            cohort.id = id;
            cohort.idnumber = cohorts.text(row, k_idnumber);
            cohort.name = cohorts.text(row, k_name);
            cohort.description = cohorts.text(row, k_description);
            cohort.context_id =
                number_at<std::int64_t>(cohorts, row, k_contextid, cohorts_statement, "cohort.contextid");
            current.cohorts.push_back(std::move(cohort));
        } else {
            current.foreign.push_back(
                ForeignCohort{id, std::string(cohorts.text(row, k_idnumber)), std::string(component)});
        }
    }
    // Sorted here rather than in SQL: byte order, whatever the database's collation.
    std::ranges::sort(current.cohorts, [](const ManagedCohort& a, const ManagedCohort& b) {
        return std::tie(a.idnumber, a.id) < std::tie(b.idnumber, b.id);
    });
    std::ranges::sort(current.foreign, [](const ForeignCohort& a, const ForeignCohort& b) {
        return std::tie(a.idnumber, a.id) < std::tie(b.idnumber, b.id);
    });

    std::unordered_map<std::int64_t, ManagedCohort*> by_id;
    by_id.reserve(current.cohorts.size());
    for (auto& cohort : current.cohorts) {
        by_id.emplace(cohort.id, &cohort);
    }
    const char* const reading_members = "read the members of the managed cohorts";
    impl.run(sql::Id::set_component, {impl.config.component}, PGRES_TUPLES_OK, reading_members);
    const auto& members_statement = impl.statement(sql::Id::load_members);
    ManagedCohort* cohort = nullptr;
    impl.copy_out(sql::Id::load_members, reading_members, [&](std::string_view line) {
        const auto tab = line.find('\t');
        const auto cohort_id = tab == std::string_view::npos ? std::nullopt : parse_id(line.substr(0, tab));
        const auto user_id = cohort_id ? parse_id(line.substr(tab + 1)) : std::nullopt;
        if (!user_id) {
            throw_bad_value(members_statement, "cohort_members.cohortid, userid", line);
        }
        // Rows come ordered by cohort, so the lookup happens once per cohort. Each statement has
        // its own snapshot (READ COMMITTED): a cohort that became ours since load_cohorts is
        // skipped.
        if (cohort == nullptr || cohort->id != *cohort_id) {
            const auto it = by_id.find(*cohort_id);
            cohort = it == by_id.end() ? nullptr : it->second;
        }
        if (cohort != nullptr) {
            cohort->members.push_back(*user_id);
        }
    });

    // cohort-sync's record of its cohorts: the key of each managed cohort, and those gone.
    const auto& recorded_statement = impl.statement(sql::Id::load_recorded);
    const auto recorded =
        impl.run(sql::Id::load_recorded, {}, PGRES_TUPLES_OK, "read cohort-sync's record of its cohorts");
    const int r_cohortid = recorded.column("cohortid");
    const int r_idnumber = recorded.column("idnumber");
    for (int row = 0; row < recorded.rows(); ++row) {
        const auto cohort_id =
            number_at<std::int64_t>(recorded, row, r_cohortid, recorded_statement, "cohorts.cohortid");
        std::string idnumber(recorded.text(row, r_idnumber));
        if (const auto it = by_id.find(cohort_id); it != by_id.end()) {
            it->second->recorded_idnumber = std::move(idnumber);
        } else {
            current.gone.push_back({cohort_id, std::move(idnumber)});
        }
    }
    std::ranges::sort(current.gone, [](const GoneCohort& a, const GoneCohort& b) {
        return std::tie(a.idnumber, a.id) < std::tie(b.idnumber, b.id);
    });
    impl.record_complete =
        current.gone.empty() && std::ranges::all_of(current.cohorts, [](const ManagedCohort& managed) {
            return managed.idnumber.empty() || managed.recorded_idnumber.has_value();
        });

    const auto& pending_statement = impl.statement(sql::Id::load_pending);
    const auto pending = impl.run(sql::Id::load_pending, {}, PGRES_TUPLES_OK, "read the grace-period state");
    current.pending.reserve(static_cast<std::size_t>(pending.rows()));
    const int p_cohortid = pending.column("cohortid");
    const int p_userid = pending.column("userid");
    const int p_absent = pending.column("absent_runs");
    for (int row = 0; row < pending.rows(); ++row) {
        current.pending.push_back(PendingRemoval{
            number_at<std::int64_t>(pending, row, p_cohortid, pending_statement, "pending.cohortid"),
            number_at<std::int64_t>(pending, row, p_userid, pending_statement, "pending.userid"),
            number_at<int>(pending, row, p_absent, pending_statement, "pending.absent_runs"),
        });
    }

    const auto last =
        impl.run(sql::Id::load_last_success, {}, PGRES_TUPLES_OK, "read the last successful run");
    if (last.rows() > 0) {
        std::string error;
        current.last_success = source_counts_from_json(last.text(0, last.column("counts")), error);
        // The guards compare against these counts: a damaged row must stop the run, not disarm them.
        if (!current.last_success) {
            throw TargetError(
                fmt::format("unable to read the last successful run (statement 'load_last_success'): "
                            "{}.runs.counts is damaged: {}",
                            sql::quote_identifier(impl.config.state_schema), error),
                {}, "load_last_success",
                "correct or delete that row; `cohort-sync status` shows the run history");
        }
    }
    return current;
}

ApplyStats MoodleSession::apply(const Plan& plan, long long now) {
    auto& impl = *m_impl;
    if (impl.applied) {
        throw std::logic_error("apply() runs once per session");
    }
    impl.applied = true;
    ApplyStats stats;
    const std::string now_text = std::to_string(now);
    const std::string& component = impl.config.component;

    // Text parameters cannot carry a NUL byte; say which cohort holds one.
    const auto array_of = [](const std::vector<std::string_view>& values, std::string_view what) {
        try {
            return sql::text_array_literal(values);
        } catch (const std::invalid_argument&) {
            throw TargetError(fmt::format("unable to write the cohorts: a cohort {} holds a NUL byte", what));
        }
    };

    // 0. New accounts (provisioning), in one INSERT; their additions below find them by username.
    std::map<std::string, std::int64_t, std::less<>> new_accounts;
    if (!plan.accounts.empty()) {
        // Accounts are created only with a plugin the site lets them log in with, checked in the run's
        // transaction before the first write: a refusal leaves nothing behind.
        const auto plugins =
            impl.run(sql::Id::auth_plugins, {}, PGRES_TUPLES_OK, "read the site's authentication plugins");
        const auto usable = usable_auth_plugins(plugins.text(0, plugins.column("enabled")),
                                                plugins.text(0, plugins.column("installed")));
        const auto& auth = plan.accounts.front().auth;
        if (std::ranges::find(usable, auth) == usable.end()) {
            throw TargetError(
                fmt::format(
                    "refusing to create {} Moodle account(s) with authentication plugin '{}': it is not "
                    "enabled on this Moodle site (enabled: {}); nothing was written",
                    plan.accounts.size(), auth, join_plugins(usable)),
                {}, "auth_plugins",
                fmt::format("set provisioning.auth to the plugin the students log in with, or enable '{}' in "
                            "Site administration > Plugins > Authentication > Manage authentication",
                            auth));
        }
        std::vector<std::string_view> usernames, idnumbers, first_names, last_names, mails;
        for (const auto& account : plan.accounts) {
            usernames.push_back(account.username);
            idnumbers.push_back(account.idnumber);
            first_names.push_back(account.first_name);
            last_names.push_back(account.last_name);
            mails.push_back(account.mail);
        }
        const auto& statement = impl.statement(sql::Id::create_accounts);
        const auto result = impl.run(
            sql::Id::create_accounts,
            {array_of(usernames, "username"), array_of(idnumbers, "idnumber"),
             array_of(first_names, "first name"), array_of(last_names, "last name"), array_of(mails, "mail"),
             plan.accounts.front().auth, std::to_string(impl.mnet_localhost_id), now_text},
            PGRES_TUPLES_OK, fmt::format("create {} Moodle accounts", usernames.size()));
        std::vector<std::int64_t> ids;
        const int a_id = result.column("id");
        const int a_username = result.column("username");
        for (int row = 0; row < result.rows(); ++row) {
            ids.push_back(number_at<std::int64_t>(result, row, a_id, statement, "user.id"));
            new_accounts.emplace(result.text(row, a_username), ids.back());
        }
        stats.accounts_created = result.rows();
        if (!ids.empty()) {
            const auto id_list = sql::int_array_literal(ids);
            impl.run(sql::Id::create_user_contexts, {id_list}, PGRES_COMMAND_OK,
                     "create the new users' contexts");
            impl.run(sql::Id::set_user_context_paths, {id_list}, PGRES_COMMAND_OK,
                     "complete the new users' contexts");
        }
    }
    // A member whose account was to be created: its id, or 0 when the account was not created
    // (its username or student number was taken meanwhile), and then it is not added.
    const auto user_of = [&](const PlannedMember& member) -> std::int64_t {
        if (member.user_id != 0) {
            return member.user_id;
        }
        const auto it = new_accounts.find(member.username);
        return it == new_accounts.end() ? 0 : it->second;
    };

    // 1. New cohorts, in one INSERT, as cohort_add_cohort() would write them.
    std::map<std::string, std::int64_t, std::less<>> created;
    {
        std::vector<std::string_view> idnumbers;
        std::vector<std::string_view> names;
        std::vector<std::string_view> descriptions;
        for (const auto& cohort : plan.cohorts) {
            if (cohort.creates()) {
                idnumbers.push_back(cohort.idnumber);
                names.push_back(cohort.name);
                descriptions.push_back(cohort.description);
            }
        }
        if (!idnumbers.empty()) {
            const auto& statement = impl.statement(sql::Id::create_cohorts);
            const auto result =
                impl.run(sql::Id::create_cohorts,
                         {array_of(idnumbers, "idnumber"), array_of(names, "name"),
                          array_of(descriptions, "description"), std::to_string(impl.config.context_id),
                          impl.config.visible ? "1" : "0", component, now_text},
                         PGRES_TUPLES_OK, fmt::format("create {} cohorts", idnumbers.size()));
            const int c_id = result.column("id");
            const int c_idnumber = result.column("idnumber");
            for (int row = 0; row < result.rows(); ++row) {
                created.emplace(result.text(row, c_idnumber),
                                number_at<std::int64_t>(result, row, c_id, statement, "cohort.id"));
            }
            stats.cohorts_created = result.rows();
        }
    }

    // 2. Renames, in one UPDATE.
    {
        std::vector<std::int64_t> ids;
        std::vector<std::string_view> names;
        for (const auto& cohort : plan.cohorts) {
            if (cohort.cohort_id && cohort.rename_from) {
                ids.push_back(*cohort.cohort_id);
                names.push_back(cohort.name);
            }
        }
        if (!ids.empty()) {
            const auto result =
                impl.run(sql::Id::rename_cohorts,
                         {sql::int_array_literal(ids), array_of(names, "name"), now_text, component},
                         PGRES_COMMAND_OK, fmt::format("rename {} cohorts", ids.size()));
            stats.cohorts_renamed = static_cast<int>(result.affected_rows());
        }
    }

    // 2b. Idnumbers a site manager changed, put back, in one UPDATE.
    {
        std::vector<std::int64_t> ids;
        std::vector<std::string_view> idnumbers;
        for (const auto& cohort : plan.cohorts) {
            if (cohort.cohort_id && cohort.restore_idnumber_from) {
                ids.push_back(*cohort.cohort_id);
                idnumbers.push_back(cohort.idnumber);
            }
        }
        if (!ids.empty()) {
            const auto result =
                impl.run(sql::Id::restore_idnumbers,
                         {sql::int_array_literal(ids), array_of(idnumbers, "idnumber"), now_text, component},
                         PGRES_COMMAND_OK, fmt::format("restore {} cohort idnumbers", ids.size()));
            stats.idnumbers_restored = static_cast<int>(result.affected_rows());
        }
    }

    const auto id_of = [&](const CohortPlan& cohort) -> std::int64_t {
        if (cohort.cohort_id) {
            return *cohort.cohort_id;
        }
        const auto it = created.find(cohort.idnumber);
        if (it == created.end()) {
            throw std::logic_error("the plan adds members to cohort '" + cohort.idnumber +
                                   "', which was not created");
        }
        return it->second;
    };

    // 3. Additions. Members of the cohorts created above cannot be there yet: COPY straight into
    // cohort_members (a first sync at a large university is mostly these). The others go through
    // a temporary table and one INSERT ... ON CONFLICT DO NOTHING, which tolerates a member added
    // meanwhile by hand.
    std::size_t new_cohort_adds = 0;
    std::size_t adds = 0;
    std::size_t removes = 0;
    for (const auto& cohort : plan.cohorts) {
        (cohort.creates() ? new_cohort_adds : adds) += cohort.adds.size();
        removes += cohort.removes.size();
    }
    // Every member once, even if a plan (a hand-edited plan file) lists one twice. Returns the
    // number of rows sent.
    const auto send_adds = [&](CopyIn& copy_in, bool new_cohorts, auto... extra) {
        std::size_t sent = 0;
        for (const auto& cohort : plan.cohorts) {
            if (cohort.creates() != new_cohorts || cohort.adds.empty()) {
                continue;
            }
            const auto cohort_id = id_of(cohort);
            std::vector<std::int64_t> users;
            users.reserve(cohort.adds.size());
            for (const auto& member : cohort.adds) {
                if (const auto user_id = user_of(member); user_id != 0) {
                    users.push_back(user_id);
                }
            }
            std::ranges::sort(users);
            users.erase(std::unique(users.begin(), users.end()), users.end());
            for (const auto user_id : users) {
                copy_in.row(cohort_id, user_id, extra...);
            }
            sent += users.size();
        }
        return sent;
    };
    if (new_cohort_adds > 0) {
        std::size_t sent = 0;
        impl.copy(sql::Id::copy_new_members,
                  fmt::format("add {} members to the new cohorts", new_cohort_adds),
                  [&](CopyIn& copy_in) { sent = send_adds(copy_in, true, now); });
        stats.members_added += static_cast<int>(sent);
    }
    if (adds > 0) {
        impl.run(sql::Id::create_adds_table, {}, PGRES_COMMAND_OK, "prepare the additions");
        impl.copy(sql::Id::copy_adds, fmt::format("send {} additions", adds),
                  [&](CopyIn& copy_in) { send_adds(copy_in, false); });
        const auto result = impl.run(sql::Id::insert_members, {component, now_text}, PGRES_COMMAND_OK,
                                     fmt::format("add {} cohort members", adds));
        stats.members_added += static_cast<int>(result.affected_rows());
    }

    // 4. Removals: the same way, with one DELETE.
    if (removes > 0) {
        impl.run(sql::Id::create_removes_table, {}, PGRES_COMMAND_OK, "prepare the removals");
        impl.copy(sql::Id::copy_removes, fmt::format("send {} removals", removes), [&](CopyIn& copy_in) {
            for (const auto& cohort : plan.cohorts) {
                // A cohort being created has no members to remove.
                if (!cohort.cohort_id) {
                    continue;
                }
                for (const auto& member : cohort.removes) {
                    copy_in.row(*cohort.cohort_id, member.user_id);
                }
            }
        });
        const auto result = impl.run(sql::Id::delete_members, {component}, PGRES_COMMAND_OK,
                                     fmt::format("remove {} cohort members", removes));
        stats.members_removed = static_cast<int>(result.affected_rows());
    }

    // 5. The grace-period state this plan leaves behind replaces the previous one.
    impl.run(sql::Id::clear_pending, {}, PGRES_COMMAND_OK, "clear the grace-period state");
    if (!plan.pending.empty()) {
        impl.copy(sql::Id::copy_pending, "store the grace-period state", [&](CopyIn& copy_in) {
            for (const auto& pending : plan.pending) {
                copy_in.row(pending.cohort_id, pending.user_id, pending.absent_runs);
            }
        });
    }

    // 6. The record of cohort-sync's cohorts, as Moodle now holds them. Most nights it is complete
    // already and the plan creates nothing: the two statements would read every cohort (a tenth
    // of a second at 40,000) to change nothing. A cohort deleted in Moodle while this run went is
    // found gone by the next one, which reconciles the record then.
    if (!impl.record_complete || stats.cohorts_created > 0) {
        impl.run(sql::Id::forget_gone_cohorts, {component}, PGRES_COMMAND_OK,
                 "forget the cohorts deleted in Moodle");
        impl.run(sql::Id::record_cohorts, {component, now_text}, PGRES_COMMAND_OK,
                 "record the idnumbers of cohort-sync's cohorts");
    }
    return stats;
}

void MoodleSession::record(const RunRecord& record) {
    auto& impl = *m_impl;
    std::optional<std::string> report;
    if (!record.report_json.empty()) {
        report = record.report_json;
    }
    impl.run(sql::Id::insert_run,
             {record.run_id, std::to_string(record.started_at), std::to_string(record.finished_at),
              record.outcome, source_counts_to_json(record.counts), std::move(report)},
             PGRES_COMMAND_OK, fmt::format("record run '{}'", record.run_id));
}

void MoodleSession::commit() {
    auto& impl = *m_impl;
    impl.require_open("commit");
    if (cancel_requested()) {
        impl.state = Impl::State::failed;
        throw_interrupted("commit");
    }
    PGconn* connection = impl.connection.get();
    const auto& statement = impl.statement(sql::Id::commit);
    const pg::Result result(PQexec(connection, statement.text.c_str()));
    if (result.status() == PGRES_COMMAND_OK) {
        // COMMIT of a transaction that had already failed "succeeds" with the tag ROLLBACK.
        if (result.command_status() == "COMMIT") {
            impl.state = Impl::State::committed;
            return;
        }
        impl.state = Impl::State::failed;
        throw TargetError(
            "unable to commit (statement 'commit'): an earlier statement had failed, so PostgreSQL "
            "rolled the transaction back",
            {}, "commit");
    }
    const std::string sqlstate = result.field(PG_DIAG_SQLSTATE);
    if (!result || PQstatus(connection) == CONNECTION_BAD || sqlstate.empty() || sqlstate.starts_with("08")) {
        impl.state = Impl::State::in_doubt;
        throw CommitInDoubt(
            fmt::format("the connection to Moodle's database was lost during COMMIT: the changes "
                        "may or may not have been applied ({})",
                        connection_message(connection)),
            "the next run will converge; check `cohort-sync status`");
    }
    impl.state = Impl::State::failed;
    throw_statement_error(connection, statement, result, "commit", impl.config);
}

// ---- Target ---------------------------------------------------------------------------------

MoodleDatabase::MoodleDatabase(const MoodleConfig& config)
    : m_config(config)
    , m_statements(std::make_shared<const sql::Statements>(config)) {}

MoodleDatabase::~MoodleDatabase() = default;

std::unique_ptr<TargetSession> MoodleDatabase::begin() {
    return open();
}

std::unique_ptr<MoodleSession> MoodleDatabase::open() {
    if (cancel_requested()) {
        throw_interrupted("connect to Moodle's database");
    }
    auto impl = std::make_unique<MoodleSession::Impl>(m_config, m_statements);
    impl->connection = connect(m_config);
    impl->cancel.reset(PQgetCancel(impl->connection.get()));
    if (impl->cancel && !publish_cancel(impl->cancel.get())) {
        // Another session of this process is open and is the one a signal cancels.
        impl->cancel.reset();
    }

    impl->run(sql::Id::begin, {}, PGRES_COMMAND_OK, "open a transaction");
    impl->run(sql::Id::durable_commit, {}, PGRES_TUPLES_OK, "make the commit durable");
    const auto keys = sql::lock_keys(m_config);
    const auto inspect =
        impl->run(sql::Id::lock_and_inspect,
                  {std::to_string(keys.class_id), std::to_string(keys.object_id), m_config.state_schema},
                  PGRES_TUPLES_OK, "take cohort-sync's lock");
    if (inspect.text(0, inspect.column("locked")) != "t") {
        throw LockBusy(
            "another cohort-sync run holds the lock on this Moodle database",
            "wait for it to finish, or look for a stuck process with "
            "SELECT pid, state, query_start FROM pg_stat_activity WHERE application_name = 'cohort-sync'");
    }
    if (inspect.text(0, inspect.column("schema_exists")) != "t") {
        impl->run(sql::Id::create_state_schema, {}, PGRES_COMMAND_OK, "create the state schema");
    }
    // An install of an older version lacks the tables added since: created here, in the run's transaction.
    if (inspect.text(0, inspect.column("state_tables")) != "3") {
        impl->run(sql::Id::create_state_tables, {}, PGRES_COMMAND_OK, "create the state tables");
    }
    return std::unique_ptr<MoodleSession>(new MoodleSession(std::move(impl)));
}

// ---- Cancellation and check -----------------------------------------------------------------

std::string check_connection(const MoodleConfig& config) {
    const auto site = read_moodle_site(config);
    return fmt::format("PostgreSQL {}, database '{}' as user '{}', {} cohorts in {}", site.server_version,
                       site.database, site.role, site.cohorts, site.cohort_table);
}

} // namespace cohort_sync
