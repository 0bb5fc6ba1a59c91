#include "cohort_sync/text_pool.hpp"

namespace cohort_sync {

std::string_view TextPool::intern(std::string_view text) {
    if (const auto found = m_index.find(text); found != m_index.end()) {
        return *found;
    }
    const std::string_view kept = m_texts.emplace_back(text);
    m_index.insert(kept);
    return kept;
}

} // namespace cohort_sync
