#include "signals.hpp"

#include "cohort_sync/error.hpp"
#include "cohort_sync/io/moodle_db.hpp"

#include <atomic>
#include <csignal>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int signal) {
    g_signal.store(signal);
    request_cancel(); // PQcancel is async-signal-safe; it ends the statement in flight
}

} // namespace

void install_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    // libldap writes to its socket with write(): a server closing the connection mid-write must
    // give an error we report, not a silent death.
    std::signal(SIGPIPE, SIG_IGN);
}

void throw_if_interrupted() {
    if (const int signal = g_signal.load(); signal != 0) {
        throw Interrupted(fmt::format("stopped by {}: nothing was changed in Moodle", signal_name(signal)));
    }
}

int stop_signal() {
    return g_signal.load();
}

const char* signal_name(int signal) {
    return signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "a signal";
}

} // namespace cohort_sync
