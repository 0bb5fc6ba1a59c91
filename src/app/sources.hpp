// The program's table of source adapters: for each source kind this configuration reads
// (needed_source_kinds), the src/io adapter that reads it. The one place where a source's name
// meets its adapter; a new source adds a line to the table in sources.cpp.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"
#include "cohort_sync/run_clock.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace cohort_sync {

struct AdapterOptions {
    // Called as a long read progresses (the LDAP directory: entries and pages so far), on the
    // reading thread; it may throw Interrupted.
    std::function<void(int records, int pages)> progress;
    // The run's clock, for a source read again while it looks mid-rebuild (SourceKind::retry):
    // each read is judged by its kind's accept, as the run will judge the last one. Null: no retry.
    const RunClock* clock = nullptr;
};

// The adapter of one source kind (std::logic_error for a kind without one: a bug).
std::unique_ptr<Source> make_source_adapter(const SourceKind& kind, const Config& config,
                                            const AdapterOptions& options);

class ConfiguredSources {
public:
    ConfiguredSources(const Config& config, const AdapterOptions& options);

    // The adapters, in the order of needed_source_kinds(config): the first is read on the
    // calling thread, the others alongside it.
    std::vector<Source*> ports() const;

private:
    std::vector<std::unique_ptr<Source>> m_adapters;
};

} // namespace cohort_sync
