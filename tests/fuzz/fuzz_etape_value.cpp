// parse_etape_value(), normalise_etape_code() and etape_matches() on arbitrary values: every
// supannEtuEtape value of every student goes through them, and the patterns come from the
// configuration.
#include "cohort_sync/etape.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using cohort_sync::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    // "value\nUAI\npattern": one input drives all three functions.
    const auto first = input.find('\n');
    const std::string_view raw = input.substr(0, first);
    std::string_view uai;
    std::string_view pattern = "*";
    if (first != std::string_view::npos) {
        const std::string_view rest = input.substr(first + 1);
        const auto second = rest.find('\n');
        uai = rest.substr(0, second);
        if (second != std::string_view::npos) {
            pattern = rest.substr(second + 1);
        }
    }

    const auto value = cohort_sync::parse_etape_value(raw, uai);
    if (value.etape) {
        const auto& code = value.etape->code;
        check(!code.empty(), "an accepted étape value has an empty code");
        check(code == cohort_sync::normalise_etape_code(code), "an accepted code is not normalised");
        check(value.rejected_because.empty(), "an accepted value has a rejection reason");
        check(value.etape->version.size() <= 3, "a version longer than COD_VRS_VET");
        check(cohort_sync::etape_matches("*", code), "'*' does not match an accepted code");
        check(cohort_sync::etape_matches(code, code) || code.find_first_of("*?") != std::string::npos,
              "a code does not match itself");
    } else {
        check(!value.rejected_because.empty(), "a rejected value has no reason");
    }
    const std::string normalised = cohort_sync::normalise_etape_code(raw);
    check(cohort_sync::normalise_etape_code(normalised) == normalised,
          "normalise_etape_code is not idempotent");
    // The glob is iterative: any pattern against any code ends, and quickly.
    (void)cohort_sync::etape_matches(pattern, raw);
    return 0;
}
