#include "cohort_sync/text.hpp"

namespace cohort_sync {

std::string to_lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string to_upper_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = to_upper_ascii(c);
    }
    return out;
}

} // namespace cohort_sync
