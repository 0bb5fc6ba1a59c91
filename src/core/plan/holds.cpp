// Doubt defers, it never removes: every record a source left out becomes a hold on the removals
// it could concern. The adapters and acceptance steps say what such a record still names
// (Issue::damaged); which removals that holds back is decided here and in make_plan.
#include "cohort_sync/merge.hpp"
#include "cohort_sync/text.hpp"

#include <string_view>
#include <unordered_map>

namespace cohort_sync {

namespace {

// A bad export row names a student number; Moodle may know the student by login only
// (moodle.match_by = username, no idnumber). The directory, when read, gives the login too.
void add_logins(std::vector<Hold>& holds, std::span<const SourceRead> reads) {
    std::unordered_map<std::string_view, std::size_t> wanted; // student number -> hold
    for (std::size_t i = 0; i < holds.size(); ++i) {
        if (!holds[i].student_number.empty() && holds[i].login.empty()) {
            wanted.try_emplace(holds[i].student_number, i);
        }
    }
    if (wanted.empty()) {
        return;
    }
    for (const auto& read : reads) {
        const auto* directory = directory_records(read);
        if (directory == nullptr) {
            continue;
        }
        for (const auto& entry : directory->entries) {
            if (const auto it = wanted.find(entry.student_number); it != wanted.end()) {
                holds[it->second].login = to_lower_ascii(entry.login);
            }
        }
    }
}

} // namespace

std::vector<Hold> holds_of(std::span<const SourceRead> reads) {
    std::vector<Hold> holds;
    for (const auto& read : reads) {
        const bool directory = directory_records(read) != nullptr;
        for (const auto& issue : issues_of(read)) {
            if (!issue.damaged) {
                continue;
            }
            const auto& damaged = *issue.damaged;
            Hold hold;
            hold.student_number = damaged.student_number;
            hold.login = to_lower_ascii(damaged.login);
            hold.etape = damaged.etape;
            hold.element = damaged.element;
            hold.defect =
                directory ? Reason{"directory", 0, issue.locator} : Reason{read.source, damaged.line, {}};
            hold.message = issue.message;
            holds.push_back(std::move(hold));
        }
    }
    add_logins(holds, reads);
    return holds;
}

} // namespace cohort_sync
