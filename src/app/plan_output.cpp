#include "plan_output.hpp"

#include "private_file.hpp"

#include <cstdlib>
#include <ostream>

namespace cohort_sync {
namespace {

std::string_view environment(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string_view() : std::string_view(value);
}

} // namespace

ReviewOptions review_options(std::string_view lang_option, bool full) {
    ReviewOptions options;
    options.full = full;
    if (lang_option.empty()) {
        options.language =
            language_from_locale(environment("LC_ALL"), environment("LC_MESSAGES"), environment("LANG"));
    } else {
        options.language = lang_option == "fr" ? Language::fr : Language::en;
    }
    return options;
}

void write_plan_output(std::string_view text, const std::string& path, std::ostream& out,
                       const std::string& group) {
    if (path.empty()) {
        out << text << std::flush;
        return;
    }
    write_private_file(path, text, group);
}

} // namespace cohort_sync
