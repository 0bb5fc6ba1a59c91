// parse_config() on arbitrary text: the configuration is written by hand, and every mistake in
// it must come back as a problem naming its JSON path, never as a crash. A configuration that
// parses must print (--print-config) as one that parses again to the same effective values.
#include "cohort_sync/config.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using cohort_sync::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto result = cohort_sync::parse_config(text, "fuzz.json");
    bool has_error = false;
    for (const auto& problem : result.problems) {
        has_error = has_error || problem.severity == cohort_sync::Severity::error;
        check(!problem.message.empty(), "a problem without a message");
    }
    check(result.config.has_value() != has_error, "a config came back together with an error, or neither");
    if (!result.config) {
        return 0;
    }
    const std::string printed = cohort_sync::print_config(*result.config);
    const auto again = cohort_sync::parse_config(printed, "printed.json");
    if (!again.config) {
        std::string all;
        for (const auto& problem : again.problems) {
            all += problem.locator + ": " + problem.message + "\n";
        }
        std::fprintf(stderr, "--print-config output:\n%s\nproblems:\n%s", printed.c_str(), all.c_str());
        cohort_sync::fuzz::fail("--print-config output does not parse again");
    }
    check(cohort_sync::print_config(*again.config) == printed, "--print-config is not stable");
    return 0;
}
