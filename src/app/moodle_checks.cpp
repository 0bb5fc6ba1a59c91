#include "moodle_checks.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/io/moodle_site.hpp"
#include "cohort_sync/moodle_auth.hpp"
#include "cohort_sync/moodle_version.hpp"
#include "post_commit.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

void line(std::ostream& out, const char* what, bool ok, const std::string& detail,
          const std::string& hint = {}) {
    out << fmt::format("{:<8} {:<6} {}\n", what, ok ? "ok" : "FAILED", detail);
    if (!ok && !hint.empty()) {
        out << fmt::format("{:<15} HINT: {}\n", "", hint);
    }
}

// The grants docs/operations.md lists, each tested: a missing one is otherwise found by the first
// night that needs it (a refused étape's INSERT, the first removal's DELETE).
bool check_privileges(const Config& config, std::ostream& out) {
    try {
        const auto missing = missing_privileges(config.moodle, config.provisioning.enabled);
        if (missing.empty()) {
            line(out, "grants", true, "the role has every privilege a sync needs");
            return true;
        }
        std::string what;
        std::string grants;
        for (const auto& privilege : missing) {
            what += (what.empty() ? "" : ", ") + privilege.what;
            grants += fmt::format("\n{:<21}{};", "", privilege.grant);
        }
        line(out, "grants", false, fmt::format("the role lacks {} privilege(s): {}", missing.size(), what),
             "as the database's owner (docs/operations.md, \"Database privileges\"):" + grants);
    } catch (const Error& error) {
        line(out, "grants", false, error.what(), error.hint());
    }
    return false;
}

} // namespace

bool check_moodle_site(const Config& config, std::ostream& out) {
    bool all_ok = true;
    bool refused_a_privilege = false; // connected, but a read was refused: the grants line says which
    MoodleSiteFacts site;
    try {
        site = read_moodle_site(config.moodle);
        line(out, "moodle", true,
             fmt::format("PostgreSQL {}, database '{}' as user '{}', {} cohorts in {}", site.server_version,
                         site.database, site.role, site.cohorts, site.cohort_table));
    } catch (const TargetError& error) {
        line(out, "moodle", false, error.what(), error.hint());
        all_ok = false;
        refused_a_privilege = error.sqlstate() == "42501"; // insufficient_privilege
    } catch (const Error& error) {
        line(out, "moodle", false, error.what(), error.hint());
        all_ok = false;
    }
    if (all_ok) {
        const auto verdict = judge_moodle_release(site.moodle_release, site.moodle_version,
                                                  config.moodle.accept_untested_version);
        const bool ok = verdict.support != MoodleSupport::refused;
        all_ok = all_ok && ok;
        const std::string detail =
            verdict.support == MoodleSupport::tested
                ? fmt::format("Moodle {} (version {}), tested (cohort-sync supports {})", site.moodle_release,
                              site.moodle_version, tested_moodle_releases_text())
                : verdict.message;
        line(out, "release", ok, detail, verdict.hint);

        if (config.provisioning.enabled) {
            const auto& auth = config.provisioning.auth;
            const bool enabled = std::ranges::find(site.auth_plugins, auth) != site.auth_plugins.end();
            all_ok = all_ok && enabled;
            line(out, "auth", enabled,
                 fmt::format("provisioning.auth '{}' {} (enabled on the site: {})", auth,
                             enabled ? "is enabled" : "is not enabled, so no account would be created",
                             join_plugins(site.auth_plugins)),
                 fmt::format("set provisioning.auth to one of them, or enable '{}' in Site administration > "
                             "Plugins > Authentication > Manage authentication",
                             auth));
        }
    }
    if (all_ok || refused_a_privilege) {
        all_ok = check_privileges(config, out) && all_ok;
    }
    const auto command = check_post_commit_command(config.moodle.post_commit_command);
    all_ok = all_ok && command.ok;
    line(out, "command", command.ok, command.detail, command.hint);
    return all_ok;
}

} // namespace cohort_sync
