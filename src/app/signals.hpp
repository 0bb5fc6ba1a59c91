// SIGTERM (systemctl stop) and SIGINT (an admin's Ctrl-C): the run stops at the next safe
// point, or at once when a PostgreSQL statement is in flight (it is cancelled), and the
// transaction rolls back.
#pragma once

namespace cohort_sync {

void install_signal_handlers();

// Throws Interrupted when a stop signal has arrived.
void throw_if_interrupted();

// The stop signal that has arrived (SIGTERM or SIGINT), or 0: for the waits that must end
// something else before they stop (the post-commit command).
int stop_signal();

// "SIGTERM", "SIGINT".
const char* signal_name(int signal);

} // namespace cohort_sync
