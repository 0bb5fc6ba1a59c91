#include "cohort_sync/source.hpp"
#include "directory_source.hpp"
#include "export_source.hpp"
#include "pedagogy_source.hpp"
#include "pegase_source.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace cohort_sync {
namespace {

const DirectorySourceKind k_directory;
const ExportSourceKind k_export;
const PegaseSourceKind k_pegase;
const ContractSourceKind k_contracts;
const GroupSourceKind k_groups;

// The registry: a new source is one more line here (and its adapter in src/app/sources.cpp).
const std::array<const SourceKind*, 5> k_kinds = {&k_directory, &k_export, &k_pegase, &k_contracts,
                                                  &k_groups};

} // namespace

const std::vector<std::string>& SourceKind::active_statuses(const Config&) const {
    static const std::vector<std::string> k_none;
    return k_none;
}

bool rule_reads(MembershipRule rule, SourceFamily family) {
    switch (family) {
    case SourceFamily::directory:
        return rule != MembershipRule::exportonly;
    case SourceFamily::inscriptions:
        return rule != MembershipRule::directory;
    case SourceFamily::pedagogy:
        return false; // read for its cohort kinds (CohortKind::sources), never for the rule
    }
    return false;
}

bool always_counted(const SourceKind& kind) {
    return kind.family() != SourceFamily::pedagogy;
}

std::span<const SourceKind* const> source_kinds() {
    return k_kinds;
}

const SourceKind& source_kind(std::string_view name) {
    const auto it = std::ranges::find(k_kinds, name, &SourceKind::name);
    if (it == k_kinds.end()) {
        throw std::out_of_range("no source kind named '" + std::string(name) + "'");
    }
    return **it;
}

std::vector<const SourceKind*> needed_source_kinds(const Config& config) {
    std::vector<const SourceKind*> needed;
    std::ranges::copy_if(k_kinds, std::back_inserter(needed),
                         [&](const SourceKind* kind) { return kind->needed(config); });
    return needed;
}

const DirectoryRead* directory_records(const SourceRead& read) {
    return std::get_if<DirectoryRead>(&read.records);
}

const ExportRead* inscription_records(const SourceRead& read) {
    return std::get_if<ExportRead>(&read.records);
}

const PedagogyRead* pedagogy_records(const SourceRead& read) {
    return std::get_if<PedagogyRead>(&read.records);
}

const Issues& issues_of(const SourceRead& read) {
    return std::visit([](const auto& records) -> const Issues& { return records.issues; }, read.records);
}

} // namespace cohort_sync
