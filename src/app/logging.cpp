#include "logging.hpp"

#include <cstdlib>
#include <memory>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace cohort_sync {
namespace {

// "%*": the level as sd-daemon(3) wants it, so journald files each line at its priority.
class SdDaemonLevel : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const char* prefix = "<6>";
        switch (msg.level) {
        case spdlog::level::critical:
            prefix = "<2>";
            break;
        case spdlog::level::err:
            prefix = "<3>";
            break;
        case spdlog::level::warn:
            prefix = "<4>";
            break;
        case spdlog::level::info:
            prefix = "<6>";
            break;
        default:
            prefix = "<7>";
        }
        dest.append(prefix, prefix + 3);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<SdDaemonLevel>();
    }
};

// "%*": "cohort-sync: warning: " for warnings and errors, nothing for plain information.
class TerminalLevel : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        std::string_view prefix;
        switch (msg.level) {
        case spdlog::level::critical:
        case spdlog::level::err:
            prefix = "cohort-sync: error: ";
            break;
        case spdlog::level::warn:
            prefix = "cohort-sync: warning: ";
            break;
        case spdlog::level::debug:
        case spdlog::level::trace:
            prefix = "debug: ";
            break;
        default:
            break;
        }
        dest.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<TerminalLevel>();
    }
};

} // namespace

LogStyle detect_log_style() {
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
        return LogStyle::journal;
    }
    return isatty(STDERR_FILENO) ? LogStyle::terminal : LogStyle::plain;
}

void setup_logging(Verbosity verbosity, LogStyle style, const std::string& run_id) {
    auto logger =
        std::make_shared<spdlog::logger>("cohort-sync", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    switch (style) {
    case LogStyle::journal:
        formatter->add_flag<SdDaemonLevel>('*').set_pattern("%*%v");
        break;
    case LogStyle::terminal:
        formatter->add_flag<TerminalLevel>('*').set_pattern("%*%v");
        break;
    case LogStyle::plain:
        formatter->set_pattern(fmt::format("%Y-%m-%d %H:%M:%S %l [{}] %v", run_id));
        break;
    }
    logger->set_formatter(std::move(formatter));
    switch (verbosity) {
    case Verbosity::quiet:
        logger->set_level(spdlog::level::warn);
        break;
    case Verbosity::normal:
        logger->set_level(spdlog::level::info);
        break;
    case Verbosity::verbose:
        logger->set_level(spdlog::level::debug);
        break;
    }
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

} // namespace cohort_sync
