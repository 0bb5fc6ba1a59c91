#include "options.hpp"

#include <charconv>
#include <fmt/format.h>
#include <functional>
#include <map>

namespace cohort_sync::generator {

namespace {

template <typename Number>
Number parse_number(const std::string& option, const std::string& text, Number low, Number high) {
    Number value{};
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.empty()) {
        throw UsageError(fmt::format("option {}: '{}' is not a number", option, text),
                         fmt::format("give {} a value between {} and {}", option, low, high));
    }
    if (value < low || value > high) {
        throw UsageError(fmt::format("option {}: {} is out of range", option, text),
                         fmt::format("give {} a value between {} and {}", option, low, high));
    }
    return value;
}

bool is_uai(const std::string& text) {
    // Seven digits and a check letter (0141408E), as the UAI registry writes them.
    if (text.size() != 8) {
        return false;
    }
    for (std::size_t i = 0; i < 7; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
    }
    return text[7] >= 'A' && text[7] <= 'Z';
}

} // namespace

std::string usage_text() {
    return fmt::format(R"(Usage: generate-university --out DIR [options]

Writes a synthetic French university, the same one for the same options:
  DIR/people.ldif             LDAP entries (SupAnn): students, a few staff
  DIR/apogee.csv              APOGÉE inscriptions export (ISO-8859-1, ';', CRLF)
  DIR/moodle-users.copy       mdl_user rows in COPY text format (UTF-8)
  DIR/moodle-users.columns    the COPY column list, one line
  DIR/summary.json            counts to check the other files against

Options:
  --out DIR               output folder (required; created when missing)
  --students N            students (default 100000, at most {})
  --etapes N              étapes in the catalogue (default 3000, at most {})
  --seed S                seed of every random choice (default 1)
  --year Y                academic year, as COD_ANU (default 2026, for 2026/2027)
  --uai CODE              the institution's UAI (default 0141408E)
  --base-dn DN            where the people entries live (default ou=people,dc=univ-test,dc=fr)
  --accounts-ratio R      share of students with a Moodle account (default 0.97)
  --night K               the same university after K nights of about 2% churn (default 0)
  --help                  this text

See docs/generator.md for the noise each file carries and why.
)",
                       k_max_students, k_max_etapes);
}

std::optional<Options> parse_options(const std::vector<std::string>& args) {
    Options options;
    using Setter = std::function<void(const std::string& option, const std::string& value)>;
    const std::map<std::string, Setter> setters = {
        {"--students",
         [&](const auto& o, const auto& v) { options.students = parse_number(o, v, 1, k_max_students); }},
        {"--etapes",
         [&](const auto& o, const auto& v) { options.etapes = parse_number(o, v, 1, k_max_etapes); }},
        {"--seed", [&](const auto& o,
                       const auto& v) { options.seed = parse_number<std::uint64_t>(o, v, 0, UINT64_MAX); }},
        {"--year", [&](const auto& o, const auto& v) { options.year = parse_number(o, v, 1970, 9998); }},
        {"--night",
         [&](const auto& o, const auto& v) { options.night = parse_number(o, v, 0, k_max_nights); }},
        {"--accounts-ratio",
         [&](const auto& o, const auto& v) { options.accounts_ratio = parse_number(o, v, 0.0, 1.0); }},
        {"--uai",
         [&](const auto& o, const auto& v) {
             if (!is_uai(v)) {
                 throw UsageError(fmt::format("option {}: '{}' is not a UAI", o, v),
                                  "a UAI is seven digits and an upper-case letter, such as 0141408E");
             }
             options.uai = v;
         }},
        {"--base-dn",
         [&](const auto& o, const auto& v) {
             if (v.empty()) {
                 throw UsageError(
                     fmt::format("option {}: the DN is empty", o),
                     "give the DN the people entries live under, such as ou=people,dc=univ-test,dc=fr");
             }
             options.base_dn = v;
         }},
        {"--out",
         [&](const auto& o, const auto& v) {
             if (v.empty()) {
                 throw UsageError(fmt::format("option {}: the folder name is empty", o),
                                  "give a folder to write to");
             }
             options.out = v;
         }},
    };

    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            return std::nullopt;
        }
        std::string name = arg;
        std::optional<std::string> value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        }
        const auto setter = setters.find(name);
        if (setter == setters.end()) {
            throw UsageError(fmt::format("unknown option '{}'", arg),
                             "run generate-university --help for the options");
        }
        if (!value) {
            if (i + 1 >= args.size()) {
                throw UsageError(fmt::format("option {} needs a value", name),
                                 "run generate-university --help for the options");
            }
            value = args[++i];
        }
        setter->second(name, *value);
    }
    if (options.out.empty()) {
        throw UsageError("option --out is required",
                         "give the folder to write the files to, such as --out /tmp/univ");
    }
    return options;
}

} // namespace cohort_sync::generator
