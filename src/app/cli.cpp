#include "cli.hpp"

#include "apply_plan.hpp"
#include "build_info.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/exit_code.hpp"
#include "cohort_sync/io/ldap_directory.hpp"
#include "cohort_sync/io/moodle_db.hpp"
#include "cohort_sync/io/pegase_dre.hpp"
#include "cohort_sync/redact.hpp"
#include "cohort_sync/source.hpp"
#include "config_file.hpp"
#include "credentials.hpp"
#include "explain_command.hpp"
#include "folder_checks.hpp"
#include "logging.hpp"
#include "moodle_checks.hpp"
#include "plan_output.hpp"
#include "post_commit.hpp"
#include "report_store.hpp"
#include "run_clock.hpp"
#include "run_sync.hpp"
#include "show_plan_command.hpp"
#include "signals.hpp"
#include "sources.hpp"
#include "status_command.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <random>
#include <spdlog/spdlog.h>
#include <sstream>

#ifndef COHORT_SYNC_VERSION
#define COHORT_SYNC_VERSION "unknown"
#endif

namespace cohort_sync {
namespace {

constexpr const char* k_default_config = "/etc/cohort-sync/cohort-sync.json";

struct Options {
    std::string config_path = k_default_config;
    bool dry_run = false;
    bool force = false;
    int verbose = 0;
    bool quiet = false;
    std::string format = "text";
    std::string plan_out;
    std::string plan_in;
    std::string output; // the printed plan goes to this private file instead of standard output
    std::string lang;   // of the review page; empty: from the locale
    bool html_full = false;
    bool show_progress = false; // interactive, not quiet: progress lines for the long phases
};

// Erases the progress line before the next log line, once.
class ClearProgressLine {
public:
    explicit ClearProgressLine(bool active)
        : m_active(active) {}
    ~ClearProgressLine() { now(); }
    void now() {
        if (m_active) {
            std::cerr << "\r\033[K" << std::flush;
            m_active = false;
        }
    }

private:
    bool m_active;
};

// "20261129T234512Z-3f9a07c2": sortable by time. The id is the key of the runs table, and runs
// can start within one second (an admin's retry, the tests' ten a second): with 16 random bits,
// two of them drew the same id and the second run failed at its last statement. With 32, a pair
// in one second collides once in four billion.
std::string make_run_id(long long now) {
    const std::time_t t = now;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    std::random_device random;
    return fmt::format("{}-{:08x}", stamp, static_cast<std::uint32_t>(random()));
}

void log_error(const Error& error) {
    spdlog::error("{}", error.what());
    if (!error.hint().empty()) {
        spdlog::error("HINT: {}", error.hint());
    }
}

void warn_about_settings(const Config& config) {
    if (!config.ldap.verify_certificate) {
        spdlog::warn(
            "ldap.verify_certificate is false: the LDAP server's certificate is not checked, so anybody "
            "on the network path could pose as the directory; HINT: set ldap.ca_file instead");
    }
}

// Runs `body` and maps its outcome to an exit code, then writes the run report, the metrics and
// the summary line whatever happened: the one place where a run's failure becomes a code.
int reported_run(const Config& config, RunReport& report, const std::function<void()>& body) {
    const auto started = std::chrono::steady_clock::now();
    ExitCode code = ExitCode::success;
    const auto failed = [&](const Error& error, ExitCode exit_code, const char* outcome) {
        log_error(error);
        code = exit_code;
        report.outcome = outcome;
        report.error = error.what();
        report.hint = error.hint();
    };
    try {
        body();
    } catch (const GuardRefused& error) {
        failed(error, ExitCode::guard_refused, "refused");
    } catch (const LockBusy& error) {
        failed(error, ExitCode::locked, "locked");
    } catch (const CommitInDoubt& error) {
        failed(error, ExitCode::commit_in_doubt, "in-doubt");
    } catch (const Interrupted& error) {
        failed(error, ExitCode::interrupted, "interrupted");
    } catch (const PostCommitFailed& error) {
        failed(error, ExitCode::post_commit_failed, "post-commit-failed");
    } catch (const ConfigError& error) {
        failed(error, ExitCode::usage, "failed");
    } catch (const Error& error) {
        failed(error, ExitCode::failed, "failed");
        spdlog::error("nothing was changed in Moodle: the run stopped before its transaction committed");
    } catch (const std::exception& error) {
        // A bug or an exhausted resource, not a planned failure: still one exit code and a
        // report, never an abort without a word.
        failed(
            Error(fmt::format("unexpected error: {}", error.what()),
                  "this is a bug in cohort-sync or the machine ran out of resources; please report it with "
                  "the log"),
            ExitCode::failed, "failed");
        spdlog::error("nothing was changed in Moodle: the run stopped before its transaction committed");
    }
    finish(report);
    if (const auto path = store_report(config.report, report)) {
        spdlog::debug("run report written to '{}'", *path);
    }
    store_metrics(config, report, to_int(code));
    spdlog::info("{}", render_summary(report));
    if (code != ExitCode::success) {
        spdlog::error("sync end: {} (exit code {}) after {:.1f}s", report.outcome, to_int(code),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    return to_int(code);
}

// moodle.post_commit_command, when the commit added or removed a member. Throws PostCommitFailed.
void after_commit(const Config& config, RunReport& report) {
    if (config.moodle.post_commit_command.empty() || !report.applied) {
        return;
    }
    if (!post_commit_needed(*report.applied)) {
        spdlog::info("post-commit command not run: the commit added and removed no member");
        return;
    }
    report.post_commit =
        run_post_commit_command(config.moodle.post_commit_command, config.moodle.post_commit_timeout_seconds);
    require_post_commit_success(*report.post_commit);
}

int sync_command(const Options& options, const Config& config, const std::string& run_id,
                 const RunClock& clock) {
    RunReport report;
    report.run_id = run_id;
    report.started_at = clock.instant;
    // Known before anything can fail: a dry run that fails early must not write the metrics either.
    report.dry_run = options.dry_run;
    return reported_run(config, report, [&] {
        warn_about_settings(config);
        // On a terminal a long directory read shows that it progresses; a log file gets only the
        // summary line.
        const bool show_progress = options.show_progress;
        const ConfiguredSources sources(
            config, {[show_progress](int entries, int pages) {
                         throw_if_interrupted();
                         if (show_progress) {
                             std::cerr
                                 << fmt::format("\rsource ldap: {} entries, {} page(s)...", entries, pages)
                                 << std::flush;
                         }
                     },
                     &clock});
        MoodleDatabase target(config.moodle);
        SyncOptions sync_options{options.dry_run, options.force, options.verbose > 0,
                                 options.format == "json", options.plan_out};
        if (options.format == "html") {
            sync_options.review_page = review_options(options.lang, options.html_full);
        }
        ClearProgressLine clear_progress{options.show_progress};
        std::ostringstream printed;
        run_sync(config, {sources.ports(), &target}, sync_options, clock, report,
                 options.output.empty() ? std::cout : printed, [&] { clear_progress.now(); });
        if (!options.output.empty()) {
            write_plan_output(std::move(printed).str(), options.output, std::cout, config.report.group);
            spdlog::info("[dry-run] plan written to '{}' (readable by {})", options.output,
                         config.report.group.empty() ? "its owner only"
                                                     : "its owner and the group " + config.report.group);
        }
        if (!options.dry_run) {
            after_commit(config, report);
        }
    });
}

int apply_plan_command(const Options& options, const Config& config, const std::string& run_id,
                       const RunClock& clock) {
    RunReport report;
    report.run_id = run_id;
    report.started_at = clock.instant;
    return reported_run(config, report, [&] {
        MoodleDatabase target(config.moodle);
        apply_plan_file(config, options.plan_in, options.force, target, report);
        after_commit(config, report);
    });
}

// One line per check, so an admin sees at a glance what works.
int check_command(const Config& config) {
    bool all_ok = true;
    auto line = [](const char* what, bool ok, const std::string& detail) {
        std::cout << fmt::format("{:<8} {:<6} {}\n", what, ok ? "ok" : "FAILED", detail);
    };
    line("config", true, config.source_path);
    if (source_kind("ldap").needed(config)) {
        try {
            LdapDirectory directory(config.ldap, ldap_password(config));
            const auto uri = directory.check();
            line("ldap", true,
                 fmt::format("{}, bound as {}", uri,
                             config.ldap.bind_dn.empty() ? "anonymous" : config.ldap.bind_dn));
        } catch (const ConfigError&) {
            throw; // a configuration problem, not an unreachable server: exit code 2
        } catch (const Error& error) {
            all_ok = false;
            line("ldap", false, error.what());
            if (!error.hint().empty()) {
                std::cout << fmt::format("{:<15} HINT: {}\n", "", error.hint());
            }
        }
    }
    if (source_kind("pegase").needed(config)) {
        try {
            const auto dre = PegaseDre(config.pegase).check();
            line("pegase", true,
                 fmt::format("DRE {} version {}, dump of {}, as role '{}' in a read-only transaction: {} "
                             "has the columns {} and the role may read them",
                             dre.server, dre.version, dre.dump_date, dre.role, dre.query,
                             "year, student_number, formation_code, label, status"));
        } catch (const ConfigError&) {
            throw; // a query without its columns is the configuration's fault: exit code 2
        } catch (const Error& error) {
            all_ok = false;
            line("pegase", false, error.what());
            if (!error.hint().empty()) {
                std::cout << fmt::format("{:<15} HINT: {}\n", "", error.hint());
            }
        }
    }
    all_ok = check_moodle_site(config, std::cout) && all_ok;
    all_ok = check_output_folders(config, std::cout) && all_ok;
    return to_int(all_ok ? ExitCode::success : ExitCode::check_failed);
}

} // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{
        "cohort-sync: keeps Moodle's étape cohorts in line with the LDAP directory and the APOGÉE export.\n"
        "Without a subcommand it runs one sync (see --dry-run)."};
    app.set_version_flag("--version", fmt::format("cohort-sync {} (commit {}, {})", COHORT_SYNC_VERSION,
                                                  COHORT_SYNC_COMMIT, COHORT_SYNC_COMMIT_DATE));
    Options options;
    app.add_option("-c,--config", options.config_path, "Configuration file")->capture_default_str();
    app.add_flag("-n,--dry-run", options.dry_run, "Compute and print the plan; change nothing");
    app.add_flag("--force", options.force, "Apply even though a safety guard tripped (one reviewed run)");
    app.add_flag("-v,--verbose", options.verbose, "More detail: debug log lines, usernames in the plan");
    app.add_flag("-q,--quiet", options.quiet, "Only warnings and errors");
    app.add_option(
           "--format", options.format,
           "Plan output of --dry-run and show-plan; html is the review page for the people who approve "
           "removals")
        ->check(CLI::IsMember({"text", "json", "html"}))
        ->capture_default_str();
    app.add_option("--output", options.output,
                   "Write the plan of --dry-run or show-plan to FILE, readable by its owner only, instead of "
                   "standard output");
    app.add_option("--lang", options.lang,
                   "Language of the review page (default: from LC_ALL, LC_MESSAGES, LANG)")
        ->check(CLI::IsMember({"fr", "en"}));
    app.add_flag("--html-full", options.html_full,
                 "List every student in the review page, however large the plan (a first night is "
                 "otherwise summarised)");
    app.add_option("--plan-out", options.plan_out,
                   "Also save the plan to FILE, for 'apply-plan' after review");
    bool print_config_flag = false;
    app.add_flag("--print-config", print_config_flag, "Print the effective configuration and exit");
    // Options of the main command also work after a subcommand ("apply-plan --force FILE").
    app.fallthrough();
    auto* check = app.add_subcommand(
        "check", "Validate the configuration and test the LDAP and PostgreSQL connections");
    auto* apply_plan = app.add_subcommand(
        "apply-plan", "Apply a plan saved with --plan-out, if Moodle still holds what it was computed from");
    apply_plan->add_option("file", options.plan_in, "The plan file")->required();
    auto* status =
        app.add_subcommand("status", "Show the last runs and whether Moodle's courses have caught up");
    int status_limit = 10;
    auto* explain =
        app.add_subcommand("explain", "Show what the sources and Moodle say about one student, and why");
    std::string explain_key;
    explain->add_option("student", explain_key, "Login or student number")->required();
    auto* show_plan = app.add_subcommand(
        "show-plan", "Show a plan saved with --plan-out, as text or as the review page (--format html)");
    std::string show_plan_path;
    show_plan->add_option("file", show_plan_path, "The plan file")->required();
    status->add_option("-n,--runs", status_limit, "How many runs to show")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? to_int(ExitCode::success) : to_int(ExitCode::usage);
    }

    if (!options.output.empty() && !options.dry_run && !show_plan->parsed()) {
        std::cerr
            << "cohort-sync: error: --output writes the plan of --dry-run or show-plan; add --dry-run\n";
        return to_int(ExitCode::usage);
    }
    if (show_plan->parsed() && options.format == "json") {
        std::cerr << "cohort-sync: error: show-plan prints text or html; the plan file is the JSON\n";
        return to_int(ExitCode::usage);
    }

    const RunClock clock = read_run_clock();
    const auto run_id = make_run_id(clock.instant);
    const auto style = detect_log_style();
    setup_logging(options.quiet         ? Verbosity::quiet
                  : options.verbose > 0 ? Verbosity::verbose
                                        : Verbosity::normal,
                  style, run_id);
    options.show_progress = style == LogStyle::terminal && !options.quiet;

    // Needs no configuration: a saved plan is reviewed wherever it was copied to.
    if (show_plan->parsed()) {
        try {
            return show_plan_command({show_plan_path, options.format == "html", options.verbose > 0,
                                      options.output, review_options(options.lang, options.html_full)},
                                     std::cout);
        } catch (const ConfigError& error) {
            log_error(error);
            return to_int(ExitCode::usage);
        } catch (const Error& error) {
            log_error(error);
            return to_int(ExitCode::failed);
        }
    }

    Config config;
    try {
        config = load_config_file(options.config_path);
    } catch (const ConfigError& error) {
        log_error(error);
        return to_int(ExitCode::usage);
    }
    if (print_config_flag) {
        std::cout << print_config(config) << '\n';
        return to_int(ExitCode::success);
    }
    if (check->parsed()) {
        try {
            return check_command(config);
        } catch (const ConfigError& error) {
            log_error(error);
            return to_int(ExitCode::usage);
        }
    }
    if (status->parsed()) {
        try {
            return status_command(config, status_limit, std::cout);
        } catch (const Error& error) {
            log_error(error);
            return to_int(ExitCode::failed);
        }
    }
    if (explain->parsed()) {
        try {
            return explain_command(config, explain_key, clock, std::cout);
        } catch (const ConfigError& error) {
            log_error(error);
            return to_int(ExitCode::usage);
        } catch (const Error& error) {
            log_error(error);
            return to_int(ExitCode::failed);
        }
    }
    install_signal_handlers();
    if (apply_plan->parsed()) {
        return apply_plan_command(options, config, run_id, clock);
    }
    return sync_command(options, config, run_id, clock);
}

} // namespace cohort_sync
