#include "post_commit.hpp"

#include <cerrno>
#include <cstring>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

extern char** environ;

namespace cohort_sync {

void run_post_commit_command(const std::vector<std::string>& argv) {
    if (argv.empty()) {
        return;
    }
    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    if (const int error = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ); error != 0) {
        spdlog::warn("post-commit command '{}' could not start: {}; the sync itself is committed", argv[0],
                     std::strerror(error));
        return;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        spdlog::info("post-commit command '{}' succeeded", argv[0]);
    } else {
        spdlog::warn(
            "post-commit command '{}' failed ({}); the sync itself is committed, and Moodle's hourly "
            "task will bring the courses in line",
            argv[0],
            WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                              : fmt::format("signal {}", WTERMSIG(status)));
    }
}

} // namespace cohort_sync
