// The LDAP directory as a source kind: who the students are, and the étapes SupAnn names.
// Private to src/core/sources; registered in source_kinds.cpp.
#pragma once

#include "cohort_sync/source.hpp"

namespace cohort_sync {

class DirectorySourceKind final : public SourceKind {
public:
    std::string_view name() const override { return "ldap"; }
    SourceFamily family() const override { return SourceFamily::directory; }
    std::string_view guard_name() const override { return "directory"; }
    std::string_view record_noun() const override { return "entries"; }
    std::string_view summary_noun() const override { return "directory entries"; }
    std::string_view count_key() const override { return "directory_entries"; }
    int min_records(const GuardConfig& guards) const override { return guards.min_directory_entries; }
    std::string_view min_setting() const override { return "min_directory_entries"; }
    bool needed(const Config& config) const override;
    std::string origin(const Config& config) const override { return config.ldap.base_dn; }

    // Keeps every entry but those that repeat an earlier entry's login or student number (one
    // person must never be two members), with a warning naming both DNs; an entry without a
    // login or a student number is kept, with a warning.
    SourceRead accept(SourceRead read, const Config& config, const RunClock& clock) const override;

    // Each entry's DN, keys and names, and each étape value with what it means here.
    std::vector<std::string> explain(const SourceRead& read, const Config& config,
                                     const RunClock& clock) const override;
};

} // namespace cohort_sync
