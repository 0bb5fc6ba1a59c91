// generate-university's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cohort_sync::generator {

struct Options {
    int students = 100000;
    int etapes = 3000;
    std::uint64_t seed = 1;
    int year = 2026;              // COD_ANU of the academic year
    std::string uai = "0141408E"; // the institution's code in {UAI:...} étape values
    std::string base_dn = "ou=people,dc=univ-test,dc=fr";
    std::string out;              // output folder, created when missing
    double accounts_ratio = 0.97; // share of students with a Moodle account
    int night = 0;                // nights of churn applied to the first state
};

// A command line that cannot be run: the message says which option and why, the hint how to
// fix it.
class UsageError : public std::runtime_error {
public:
    UsageError(const std::string& message, std::string hint)
        : std::runtime_error(message)
        , m_hint(std::move(hint)) {}
    const std::string& hint() const { return m_hint; }

private:
    std::string m_hint;
};

// Parses argv (without argv[0]). Empty result: --help was asked for. Throws UsageError.
std::optional<Options> parse_options(const std::vector<std::string>& args);

std::string usage_text();

// Bounds kept by parse_options: student numbers stay 8 digits, memory stays bounded.
inline constexpr int k_max_students = 1000000;
inline constexpr int k_max_etapes = 100000;
inline constexpr int k_max_nights = 365;

} // namespace cohort_sync::generator
