#include "post_commit.hpp"

#include "signals.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace cohort_sync {
namespace {

namespace fs = std::filesystem;

std::string command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& arg : argv) {
        line += (line.empty() ? "" : " ") + arg;
    }
    return line;
}

// argv[0] as posix_spawnp() finds it: itself when it holds a '/', else the first executable of
// that name in PATH; empty when there is none.
std::string resolve(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        return program;
    }
    const char* path = std::getenv("PATH");
    std::string_view rest = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    while (true) {
        const auto colon = rest.find(':');
        const std::string dir(rest.substr(0, colon));
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        if (colon == std::string_view::npos) {
            return {};
        }
        rest.remove_prefix(colon + 1);
    }
}

// For a missing .../enrol/cohort/cli/sync.php: the same script in the 5.1+ layout, or the reverse.
std::string other_layout(const std::string& script) {
    const std::string tail = "/enrol/cohort/cli/sync.php";
    if (!script.ends_with(tail)) {
        return {};
    }
    const std::string root = script.substr(0, script.size() - tail.size());
    if (root.ends_with("/public")) {
        return root.substr(0, root.size() - 7) + tail;
    }
    return root + "/public" + tail;
}

// The child's attributes: a process group of its own (pgid = its pid), so that a terminal's Ctrl-C
// reaches only cohort-sync, which ends the command itself, and so that kill(-pid) reaches
// whatever the command starts; and default signal dispositions, since SIGPIPE is ignored here
// (signals.cpp) and an ignored signal stays ignored across exec.
class SpawnAttributes {
public:
    SpawnAttributes() {
        posix_spawnattr_init(&m_attributes);
        posix_spawnattr_setpgroup(&m_attributes, 0);
        sigset_t defaults;
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGPIPE);
        sigaddset(&defaults, SIGTERM);
        sigaddset(&defaults, SIGINT);
        posix_spawnattr_setsigdefault(&m_attributes, &defaults);
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&m_attributes, &none);
        posix_spawnattr_setflags(&m_attributes,
                                 POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    }
    ~SpawnAttributes() { posix_spawnattr_destroy(&m_attributes); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    const posix_spawnattr_t* get() const { return &m_attributes; }

private:
    posix_spawnattr_t m_attributes;
};

// SIGTERM to the command's process group, then SIGKILL to what is left of it after a grace
// period: php gets the chance to end cleanly, and nothing outlives cohort-sync.
void end_process_group(pid_t group, int& status) {
    constexpr auto k_grace = std::chrono::seconds(5);
    ::kill(-group, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + k_grace;
    bool reaped = false;
    while (std::chrono::steady_clock::now() < deadline) {
        const pid_t done = waitpid(group, &status, WNOHANG);
        if (done == group || (done < 0 && errno != EINTR)) {
            reaped = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-group, SIGKILL); // what the command started and left behind, or the command itself
    if (!reaped) {
        while (waitpid(group, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

} // namespace

bool post_commit_needed(const ApplyStats& applied) {
    return applied.members_added + applied.members_removed > 0;
}

PostCommitOutcome run_post_commit_command(const std::vector<std::string>& argv, int timeout_seconds) {
    PostCommitOutcome outcome;
    if (argv.empty()) {
        outcome.succeeded = true;
        return outcome;
    }
    outcome.command = argv[0];
    if (const int signal = stop_signal(); signal != 0) {
        outcome.detail = fmt::format("not started: stopped by {}", signal_name(signal));
        return outcome;
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    const auto started = std::chrono::steady_clock::now();
    const SpawnAttributes attributes;
    pid_t pid = 0;
    if (const int error = posix_spawnp(&pid, args[0], nullptr, attributes.get(), args.data(), environ);
        error != 0) {
        outcome.detail = fmt::format("could not start: {}", std::strerror(error));
        return outcome;
    }
    // Polled rather than blocked in waitpid(): the signal handler only sets a flag, and the
    // timeout needs a clock. 20 ms is nothing beside the command's own run.
    const auto deadline = started + std::chrono::seconds(timeout_seconds);
    int status = 0;
    std::string ended_because;
    while (true) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) {
            break;
        }
        if (const int signal = stop_signal(); signal != 0) {
            ended_because = fmt::format("stopped by {}", signal_name(signal));
        } else if (std::chrono::steady_clock::now() >= deadline) {
            ended_because =
                fmt::format("timed out after {}s (moodle.post_commit_timeout_seconds)", timeout_seconds);
        }
        if (!ended_because.empty()) {
            end_process_group(pid, status);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!ended_because.empty()) {
        outcome.detail = ended_because + "; the command and what it started were ended";
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        outcome.succeeded = true;
        outcome.detail = "exit code 0";
    } else {
        outcome.detail = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                                           : fmt::format("signal {}", WTERMSIG(status));
    }
    if (outcome.succeeded) {
        spdlog::info("post-commit command '{}' succeeded in {:.1f}s", argv[0],
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    return outcome;
}

void require_post_commit_success(const PostCommitOutcome& outcome) {
    if (outcome.succeeded) {
        return;
    }
    throw PostCommitFailed(
        fmt::format("post-commit command '{}' failed ({}): the cohorts are committed, but the courses are "
                    "not updated until Moodle's hourly cohort sync task runs",
                    outcome.command, outcome.detail),
        "run `cohort-sync check` as the service's user: it checks the command; from Moodle 5.1 the "
        "script is <moodle>/public/enrol/cohort/cli/sync.php (docs/operations.md, \"After the commit\")");
}

PostCommitCheck check_post_commit_command(const std::vector<std::string>& argv) {
    PostCommitCheck check;
    if (argv.empty()) {
        check.detail = "none configured: courses follow at Moodle's hourly cohort sync task";
        return check;
    }
    check.detail = command_line(argv);
    const std::string program = resolve(argv[0]);
    if (program.empty() || access(program.c_str(), X_OK) != 0) {
        check.ok = false;
        check.detail = fmt::format("'{}' {}", argv[0],
                                   program.empty() || errno == ENOENT
                                       ? "does not exist (or is not in PATH)"
                                       : fmt::format("cannot be run by this user: {}", std::strerror(errno)));
        check.hint = "set moodle.post_commit_command to an existing program, such as [\"/usr/bin/php\", "
                     "\"/var/www/moodle/public/enrol/cohort/cli/sync.php\"]";
        return check;
    }
    for (std::size_t i = 1; i < argv.size(); ++i) {
        const std::string& script = argv[i];
        if (!script.ends_with(".php") || script.starts_with("-")) {
            continue;
        }
        std::error_code error;
        if (!fs::is_regular_file(script, error)) {
            check.ok = false;
            check.detail =
                fmt::format("'{}' does not exist, so '{}' would fail after every commit", script, argv[0]);
            const auto other = other_layout(script);
            check.hint = !other.empty() && fs::is_regular_file(other, error)
                             ? fmt::format("this Moodle keeps it at '{}' ({}): use that path", other,
                                           other.find("/public/") != std::string::npos
                                               ? "Moodle 5.1 and later keep their code under public/"
                                               : "before 5.1 Moodle has no public/ folder")
                             : "give the full path of Moodle's enrol/cohort/cli/sync.php (under public/ from "
                               "Moodle 5.1)";
            return check;
        }
        if (access(script.c_str(), R_OK) != 0) {
            check.ok = false;
            check.detail = fmt::format("'{}' cannot be read by this user: {}", script, std::strerror(errno));
            check.hint = "run cohort-sync as a user that can read Moodle's code (the web server's group)";
            return check;
        }
    }
    return check;
}

} // namespace cohort_sync
