// Doubt defers, it never removes: every record a source left out becomes a hold on the removals
// it could concern. The adapters and acceptance steps say what such a record still names
// (Issue::damaged); which removals that holds back is decided here and in make_plan.
#include "cohort_sync/merge.hpp"
#include "cohort_sync/text.hpp"

namespace cohort_sync {

std::vector<Hold> holds_of(std::span<const SourceRead> reads) {
    std::vector<Hold> holds;
    for (const auto& read : reads) {
        const bool directory = directory_records(read) != nullptr;
        const Issues& issues =
            directory ? directory_records(read)->issues : inscription_records(read)->issues;
        for (const auto& issue : issues) {
            if (!issue.damaged) {
                continue;
            }
            const auto& damaged = *issue.damaged;
            Hold hold;
            hold.student_number = damaged.student_number;
            hold.login = to_lower_ascii(damaged.login);
            hold.etape = damaged.etape;
            hold.defect =
                directory ? Reason{"directory", 0, issue.locator} : Reason{read.source, damaged.line, {}};
            hold.message = issue.message;
            holds.push_back(std::move(hold));
        }
    }
    return holds;
}

} // namespace cohort_sync
