// The adapters of APOGÉE's pedagogical extracts (contracts, group assignments): each reads its
// file whole as the administrative export's adapter does, hands it to its parser and reports the
// rows, their defects and the file's size and time. Whether the file is good enough to use is
// its source kind's decision (src/core/sources/pedagogy_source.cpp).
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/ports.hpp"

namespace cohort_sync {

class PedagogyExtractFile : public Source {
public:
    enum class Extract { contracts, groups };

    PedagogyExtractFile(const PedagogyConfig& config, Extract extract);

    // Throws SourceError only when the file cannot be read whole.
    SourceRead read() override;

private:
    PedagogyConfig m_config;
    Extract m_extract;
};

} // namespace cohort_sync
