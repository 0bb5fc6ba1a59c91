// scan_conninfo() on arbitrary text: a libpq connection string is read once, both to refuse a
// password in the configuration and to show the string in messages. The masked text must never
// keep a password, and must change nothing else.
#include "cohort_sync/redact.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using cohort_sync::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto scan = cohort_sync::scan_conninfo(input);
    check(scan.redacted == cohort_sync::redact_conninfo(input), "two readings of one string");
    if (!scan.has_password) {
        check(scan.redacted == input, "text changed although it holds no password");
    } else {
        check(scan.redacted.find("********") != std::string::npos, "a password found but not masked");
    }
    // Masking is stable: the masked text still says a password was there, and masks to itself.
    const auto again = cohort_sync::scan_conninfo(scan.redacted);
    check(again.has_password == scan.has_password, "masking changed whether a password is there");
    check(again.redacted == scan.redacted, "masking the masked text changed it");
    return 0;
}
