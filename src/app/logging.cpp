#include "logging.hpp"

#include <cstdlib>
#include <memory>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <string_view>
#include <unistd.h>

namespace cohort_sync {
namespace {

// The level as sd-daemon(3) wants it, so journald files each line at its priority.
std::string_view sd_daemon_prefix(spdlog::level::level_enum level) {
    switch (level) {
    case spdlog::level::critical:
        return "<2>";
    case spdlog::level::err:
        return "<3>";
    case spdlog::level::warn:
        return "<4>";
    case spdlog::level::info:
        return "<6>";
    default:
        return "<7>";
    }
}

// Under systemd: each line of a message is its own journal record, so each carries the
// message's priority. A configuration error with six problems is then six records at <3>, and
// `journalctl -p err` shows every problem rather than the heading alone.
class JournalFormatter : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto prefix = sd_daemon_prefix(msg.level);
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        std::size_t at = 0;
        while (true) {
            const auto end = payload.find('\n', at);
            const auto line =
                payload.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
            dest.append(prefix.data(), prefix.data() + prefix.size());
            dest.append(line.data(), line.data() + line.size());
            dest.push_back('\n');
            if (end == std::string_view::npos) {
                break;
            }
            at = end + 1;
        }
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JournalFormatter>(); }
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
    if (style == LogStyle::journal) {
        logger->set_formatter(std::make_unique<JournalFormatter>());
    } else {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        if (style == LogStyle::terminal) {
            formatter->add_flag<TerminalLevel>('*').set_pattern("%*%v");
        } else {
            formatter->set_pattern(fmt::format("%Y-%m-%d %H:%M:%S %l [{}] %v", run_id));
        }
        logger->set_formatter(std::move(formatter));
    }
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
