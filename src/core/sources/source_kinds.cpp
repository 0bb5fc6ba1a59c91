#include "cohort_sync/source.hpp"
#include "directory_source.hpp"
#include "export_source.hpp"
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

// The registry: a new source is one more line here (and its adapter in src/app/sources.cpp).
const std::array<const SourceKind*, 3> k_kinds = {&k_directory, &k_export, &k_pegase};

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
    }
    return false;
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

} // namespace cohort_sync
