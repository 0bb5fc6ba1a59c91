#include "directory_source.hpp"

#include "cohort_sync/etape.hpp"
#include "cohort_sync/text.hpp"
#include "key_index.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>
#include <optional>

namespace cohort_sync {
namespace {

// A join key (supannEtuId) is compared as it is: a blank or a control character in it is damage
// (a hand edit, a broken import), never part of a real student number.
bool plausible_key(std::string_view value) {
    return std::ranges::none_of(value, [](char c) { return static_cast<unsigned char>(c) <= 0x20; });
}

std::string printable(std::string_view value) {
    std::string out;
    for (const char c : value.substr(0, 40)) {
        out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
    return value.size() > 40 ? out + "…" : out;
}

} // namespace

bool DirectorySourceKind::needed(const Config& config) const {
    return rule_reads(config.membership.rule, family());
}

SourceRead DirectorySourceKind::accept(SourceRead read, const Config& config, const RunClock&) const {
    auto& directory = std::get<DirectoryRead>(read.records);
    const auto& names = config.ldap.attributes;
    const auto warn = [&](const std::string& dn, IssueKind kind, std::string message,
                          std::optional<DamagedRecord> damaged = std::nullopt) {
        directory.issues.push_back({Severity::warning, dn, std::move(message), kind, std::move(damaged)});
    };
    // Under a rule that joins inscriptions to entries, the student number is the join: an entry
    // without a usable one still exists, but its student cannot be found, so their removals wait.
    const bool number_joins = rule_reads(config.membership.rule, SourceFamily::inscriptions);
    // The entries in the order the server sent them: the first of two entries sharing a key is
    // kept, as it was before this rule moved out of the reader.
    std::vector<DirectoryEntry> kept;
    kept.reserve(directory.entries.size());
    sources::KeyIndex by_login;  // lower-cased
    sources::KeyIndex by_number; // supannEtuId is caseExactMatch: compared as it is
    by_login.reserve(directory.entries.size());
    by_number.reserve(directory.entries.size());
    for (auto& entry : directory.entries) {
        if (!entry.student_number.empty() && !plausible_key(entry.student_number)) {
            warn(entry.dn, IssueKind::malformed_attribute,
                 fmt::format("'{}' value '{}' holds a blank or control character: it cannot match an "
                             "inscription, so it is ignored",
                             names.student_number, printable(entry.student_number)));
            entry.student_number.clear();
        }
        const bool unmatched = entry.login.empty() || (number_joins && entry.student_number.empty());
        const auto damaged =
            unmatched ? std::optional(DamagedRecord{entry.student_number, entry.login, {}, 0}) : std::nullopt;
        if (entry.login.empty()) {
            warn(entry.dn, IssueKind::missing_attribute,
                 fmt::format("entry has no '{}' attribute", names.login), damaged);
        }
        if (entry.student_number.empty()) {
            warn(entry.dn, IssueKind::missing_attribute,
                 fmt::format("entry has no '{}' attribute", names.student_number),
                 entry.login.empty() ? std::nullopt : damaged);
        }
        const std::string login_key = to_lower_ascii(entry.login);
        const std::size_t login_hash = std::hash<std::string_view>{}(login_key);
        if (!login_key.empty()) {
            if (const auto first = by_login.find(
                    login_hash, [&](std::size_t i) { return iequals_ascii(kept[i].login, login_key); })) {
                warn(entry.dn, IssueKind::duplicate_entry,
                     fmt::format("{} '{}' is also the {} of '{}', read first; this entry is left out",
                                 names.login, entry.login, names.login, kept[*first].dn));
                continue;
            }
        }
        const std::size_t number_hash = std::hash<std::string_view>{}(entry.student_number);
        if (!entry.student_number.empty()) {
            if (const auto first = by_number.find(number_hash, [&](std::size_t i) {
                    return kept[i].student_number == entry.student_number;
                })) {
                warn(entry.dn, IssueKind::duplicate_entry,
                     fmt::format("{} '{}' is also the {} of '{}', read first; this entry is left out",
                                 names.student_number, entry.student_number, names.student_number,
                                 kept[*first].dn));
                continue;
            }
        }
        const std::size_t index = kept.size();
        if (!login_key.empty()) {
            by_login.insert(login_hash, index);
        }
        if (!entry.student_number.empty()) {
            by_number.insert(number_hash, index);
        }
        kept.push_back(std::move(entry));
    }
    directory.entries = std::move(kept);
    return read;
}

std::vector<std::string> DirectorySourceKind::explain(const SourceRead& read, const Config& config,
                                                      const RunClock&) const {
    std::vector<std::string> lines;
    for (const auto& entry : std::get<DirectoryRead>(read.records).entries) {
        lines.push_back(entry.dn);
        lines.push_back(fmt::format("  login '{}', student number '{}', {} {}", entry.login,
                                    entry.student_number, entry.first_name, entry.last_name));
        for (const auto& raw : entry.etape_values) {
            const auto value = parse_etape_value(raw, config.ldap.institution_uai);
            lines.push_back(fmt::format("  {} '{}': {}", config.ldap.attributes.etapes, raw,
                                        value.etape ? "étape " + value.etape->code
                                                    : "ignored, " + value.rejected_because));
        }
    }
    return lines;
}

} // namespace cohort_sync
