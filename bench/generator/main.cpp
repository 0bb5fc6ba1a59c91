// generate-university: a synthetic French university (LDAP entries, APOGÉE export and pedagogical
// extracts, Moodle accounts) for scripts/demo and the benchmark. Standalone: it links fmt only, not the
// project's libraries, so that what it writes is an independent account of the sources.
#include "options.hpp"
#include "university.hpp"
#include "writers.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <string>
#include <vector>

namespace {

constexpr int k_exit_ok = 0;
constexpr int k_exit_failed = 1;
constexpr int k_exit_usage = 2;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
    using namespace cohort_sync::generator;
    try {
        const auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
        if (!options) {
            fmt::print("{}", usage_text());
            return k_exit_ok;
        }
        const auto start = std::chrono::steady_clock::now();
        University university = generate_university(*options);
        for (int night = 1; night <= options->night; ++night) {
            apply_night(university, *options, night);
        }
        const double built = seconds_since(start);
        const Summary summary = write_university(university, *options, options->out);
        fmt::print("generate-university: {} students ({} active), {} étapes, night {}: {} LDAP entries, "
                   "{} export rows ({} active inscriptions), {} contract rows, {} group rows, {} Moodle "
                   "rows, in '{}' ({:.2f}s: {:.2f}s to build, "
                   "{:.2f}s to write)\n",
                   university.students.size(), summary.apogee.students_active, university.catalogue.size(),
                   options->night, summary.directory.entries, summary.apogee.rows,
                   summary.apogee.active_inscriptions, summary.pedagogy.contract_rows,
                   summary.pedagogy.group_rows, summary.moodle.rows, options->out, seconds_since(start),
                   built, seconds_since(start) - built);
        return k_exit_ok;
    } catch (const UsageError& e) {
        fmt::print(stderr, "generate-university: error: {}\nHINT: {}\n", e.what(), e.hint());
        return k_exit_usage;
    } catch (const std::exception& e) {
        fmt::print(stderr, "generate-university: error: {}\n", e.what());
        return k_exit_failed;
    }
}
