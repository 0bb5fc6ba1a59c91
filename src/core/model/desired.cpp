#include "cohort_sync/model.hpp"

#include <algorithm>

namespace cohort_sync {

std::vector<Reason> Desired::reasons_of(const DesiredMember& member) const {
    std::vector<Reason> out;
    out.reserve(member.reason_count);
    const auto first = reasons.begin() + member.first_reason;
    for (auto it = first; it != first + member.reason_count; ++it) {
        const auto& source = reason_sources[static_cast<std::size_t>(it->source)];
        out.push_back({source, it->line,
                       source == k_directory_reason ? students[static_cast<std::size_t>(member.student)].dn
                                                    : std::string()});
    }
    std::ranges::sort(out);
    return out;
}

void Desired::add_reasons(DesiredMember& member, std::span<const Reason> why) {
    member.first_reason = static_cast<std::uint32_t>(reasons.size());
    member.reason_count = static_cast<std::uint32_t>(why.size());
    for (const auto& reason : why) {
        auto source = std::ranges::find(reason_sources, reason.source);
        if (source == reason_sources.end()) {
            source = reason_sources.insert(source, reason.source);
        }
        reasons.push_back({static_cast<int>(source - reason_sources.begin()), reason.line});
        if (reason.source == k_directory_reason) {
            students.at(static_cast<std::size_t>(member.student)).dn = reason.dn;
        }
    }
}

} // namespace cohort_sync
