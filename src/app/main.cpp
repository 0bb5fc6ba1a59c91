#include "cli.hpp"

int main(int argc, char** argv) {
    return cohort_sync::run_cli(argc, argv);
}
