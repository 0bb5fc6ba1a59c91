#pragma once

namespace cohort_sync {

// The whole program behind main(): parses the command line, runs the command, and maps every
// outcome to one documented exit code (exit_code.hpp).
int run_cli(int argc, char** argv);

} // namespace cohort_sync
