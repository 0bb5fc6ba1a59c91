#include "cohort_sync/moodle_version.hpp"

#include <charconv>
#include <fmt/format.h>

namespace cohort_sync {
namespace {

// One number at the start of `text`, advancing it; empty when there is none.
std::optional<int> leading_number(std::string_view& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data()) {
        return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return value;
}

} // namespace

std::optional<MoodleRelease> parse_moodle_release(std::string_view release) {
    const auto major = leading_number(release);
    if (!major || release.empty() || release.front() != '.') {
        return std::nullopt;
    }
    release.remove_prefix(1);
    const auto minor = leading_number(release);
    if (!minor) {
        return std::nullopt;
    }
    return MoodleRelease{*major, *minor};
}

std::string to_string(MoodleRelease release) {
    return fmt::format("{}.{}", release.major, release.minor);
}

const std::vector<MoodleRelease>& tested_moodle_releases() {
    static const std::vector<MoodleRelease> k_tested = {{4, 5}, {5, 0}, {5, 1}, {5, 2}};
    return k_tested;
}

std::string tested_moodle_releases_text() {
    std::string text;
    for (const auto& release : tested_moodle_releases()) {
        text += (text.empty() ? "" : ", ") + to_string(release);
    }
    return text;
}

MoodleVerdict judge_moodle_release(std::string_view release, std::string_view version,
                                   std::string_view accepted) {
    const auto parsed = parse_moodle_release(release);
    if (!parsed) {
        return {MoodleSupport::unknown,
                fmt::format("Moodle's release is unknown (mdl_config 'release' is '{}', 'version' '{}'); "
                            "cohort-sync is tested with Moodle {}",
                            release, version, tested_moodle_releases_text()),
                "check moodle.prefix and moodle.schema: is this Moodle's database?"};
    }
    const auto& tested = tested_moodle_releases();
    for (const auto& known : tested) {
        if (known == *parsed) {
            return {MoodleSupport::tested, {}, {}};
        }
    }
    if (*parsed < tested.front()) {
        return {MoodleSupport::older,
                fmt::format("Moodle {} is older than every release cohort-sync is tested with ({})", release,
                            tested_moodle_releases_text()),
                "upgrade Moodle to a supported release: 4.5 LTS at least"};
    }
    const std::string name = to_string(*parsed);
    if (*parsed > tested.back() && name == accepted) {
        return {MoodleSupport::accepted,
                fmt::format("Moodle {} is newer than every release cohort-sync is tested with ({}); "
                            "moodle.accept_untested_version accepts it",
                            release, tested_moodle_releases_text()),
                {}};
    }
    return {MoodleSupport::refused,
            fmt::format("Moodle {} (version {}) is not a release cohort-sync is tested with: supported are "
                        "Moodle {}",
                        release, version, tested_moodle_releases_text()),
            fmt::format("a newer Moodle may have changed the tables cohort-sync writes; upgrade cohort-sync, "
                        "or, having checked the release notes, accept this release with "
                        "\"moodle\": {{\"accept_untested_version\": \"{}\"}}",
                        name)};
}

} // namespace cohort_sync
