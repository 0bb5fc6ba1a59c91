// The Moodle releases cohort-sync is tested against, and what a run does on a site running
// another one. Moodle says which release a site runs in mdl_config ('release', e.g.
// "4.5.6 (Build: 20250811)", and 'version', e.g. "2024100706.00").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

struct MoodleRelease {
    int major = 0; // 4 in 4.5
    int minor = 0; // 5 in 4.5

    friend auto operator<=>(const MoodleRelease&, const MoodleRelease&) = default;
};

// "4.5" of "4.5.6 (Build: 20250811)", "5.1+ (Build: 20251205)" or "5.2dev"; empty when the text
// does not start with <number>.<number>.
std::optional<MoodleRelease> parse_moodle_release(std::string_view release);
std::string to_string(MoodleRelease release);

// The releases whose tables and behaviour the tests check (tests/data/moodle/<version>/), oldest
// first: "4.5", "5.0", "5.1", "5.2".
const std::vector<MoodleRelease>& tested_moodle_releases();
std::string tested_moodle_releases_text(); // "4.5, 5.0, 5.1, 5.2"

enum class MoodleSupport {
    tested,   // one of the tested releases
    older,    // before the oldest tested: run, with a warning
    accepted, // newer than the newest tested, accepted by moodle.accept_untested_version
    refused,  // newer than the newest tested: the run stops before reading anything else
    unknown,  // no readable 'release' row: run, with a warning
};

struct MoodleVerdict {
    MoodleSupport support = MoodleSupport::unknown;
    std::string message; // for a warning or the refusal; empty when tested
    std::string hint;
};

// `accepted` is moodle.accept_untested_version: a release ("5.3") the administrator accepts
// although it is newer than the newest tested; empty accepts none.
MoodleVerdict judge_moodle_release(std::string_view release, std::string_view version,
                                   std::string_view accepted);

} // namespace cohort_sync
