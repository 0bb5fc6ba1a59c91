// The program's table of source adapters: for each source kind this configuration reads
// (needed_source_kinds), the src/io adapter that reads it. The one place where a source's name
// meets its adapter; a new source adds a line to the table in sources.cpp.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace cohort_sync {

struct AdapterOptions {
    // Called as a long read progresses (the LDAP directory: entries and pages so far), on the
    // reading thread; it may throw Interrupted.
    std::function<void(int records, int pages)> progress;
};

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
