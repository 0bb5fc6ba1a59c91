// The Pégase DRE as a source kind: administrative inscriptions read with one query from the
// database Pégase universities get, rebuilt from zero every night. Private to src/core/sources;
// registered in source_kinds.cpp.
#pragma once

#include "cohort_sync/source.hpp"

namespace cohort_sync {

class PegaseSourceKind final : public SourceKind {
public:
    std::string_view name() const override { return "pegase"; }
    SourceFamily family() const override { return SourceFamily::inscriptions; }
    std::string_view guard_name() const override { return "pegase"; }
    std::string_view display_name() const override { return "Pégase"; }
    bool numbers_rows() const override { return true; }
    std::string_view record_noun() const override { return "inscriptions"; }
    std::string_view summary_noun() const override { return "active Pégase inscriptions"; }
    std::string_view count_key() const override { return "pegase_inscriptions"; }
    int min_records(const GuardConfig& guards) const override { return guards.min_pegase_inscriptions; }
    std::string_view min_setting() const override { return "min_pegase_inscriptions"; }
    bool needed(const Config& config) const override;
    std::string origin(const Config& config) const override;
    const std::vector<std::string>& active_statuses(const Config& config) const override {
        return config.pegase.statuses;
    }
    RetryPolicy retry(const Config& config) const override {
        return {config.pegase.retry_tries, config.pegase.retry_interval_seconds};
    }

    // A DRE caught mid-rebuild is a broken source, never a withdrawal: refuses (SourceError) a
    // read whose schemas or tables are missing, whose query gave no row or fewer than
    // pegase.min_rows, with a row it cannot use, or whose dump date (public.version) is missing
    // or older than pegase.max_age_days. Counts the rows that will not count (another year, a
    // status outside pegase.statuses) in the read's not_counted.
    SourceRead accept(SourceRead read, const Config& config, const RunClock& clock) const override;

    // Each of the student's inscriptions (period, formation code, status) with whether it counts,
    // by the test the merge applies (inscription_state).
    std::vector<std::string> explain(const SourceRead& read, const Config& config,
                                     const RunClock& clock) const override;
};

} // namespace cohort_sync
