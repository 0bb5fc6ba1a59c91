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

} // namespace cohort_sync
