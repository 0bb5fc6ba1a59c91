#include "cohort_sync/cohort_kind.hpp"
#include "etape_cohorts.hpp"
#include "pedagogy_cohorts.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <stdexcept>

namespace cohort_sync {
namespace {

const EtapeCohortKind k_etape;
const ElementCohortKind k_element;
const GroupCohortKind k_group;

// The registry: a new cohort kind is one more line here.
const std::array<const CohortKind*, 3> k_kinds = {&k_etape, &k_element, &k_group};

} // namespace

std::span<const CohortKind* const> cohort_kinds() {
    return k_kinds;
}

const CohortKind& cohort_kind(std::string_view name) {
    const auto it = std::ranges::find(k_kinds, name, &CohortKind::name);
    if (it == k_kinds.end()) {
        throw std::out_of_range("no cohort kind named '" + std::string(name) + "'");
    }
    return **it;
}

std::string cohort_subject(std::string_view kind, std::string_view key) {
    return fmt::format("{} {}", cohort_kind(kind).noun(), key);
}

} // namespace cohort_sync
