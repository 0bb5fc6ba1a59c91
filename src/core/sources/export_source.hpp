// The APOGÉE export as a source kind: administrative inscriptions read from a file. Private to
// src/core/sources; registered in source_kinds.cpp.
#pragma once

#include "cohort_sync/source.hpp"

namespace cohort_sync {

class ExportSourceKind final : public SourceKind {
public:
    std::string_view name() const override { return "export"; }
    SourceFamily family() const override { return SourceFamily::inscriptions; }
    std::string_view guard_name() const override { return "export"; }
    std::string_view record_noun() const override { return "inscriptions"; }
    std::string_view summary_noun() const override { return "active inscriptions"; }
    std::string_view count_key() const override { return "export_inscriptions"; }
    int min_records(const GuardConfig& guards) const override { return guards.min_export_inscriptions; }
    std::string_view min_setting() const override { return "min_export_inscriptions"; }
    bool needed(const Config& config) const override;
    std::string origin(const Config& config) const override { return config.apogee.path; }
    const std::vector<std::string>& active_statuses(const Config& config) const override {
        return config.apogee.active_statuses;
    }

    // Refuses (SourceError) a file that is empty, older than apogee.max_age_hours, has a header
    // or trailer problem or a truncated last record, fewer than apogee.min_rows data lines, or
    // more than apogee.max_bad_rows bad rows; warns about a file from this host's future.
    SourceRead accept(SourceRead read, const Config& config, const RunClock& clock) const override;

    // Each row with whether it counts: the academic year from the clock's local date and the
    // status, by the same test the merge applies (inscription_state).
    std::vector<std::string> explain(const SourceRead& read, const Config& config,
                                     const RunClock& clock) const override;
};

} // namespace cohort_sync
