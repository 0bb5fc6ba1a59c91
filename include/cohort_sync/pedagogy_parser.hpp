// Parsing APOGÉE's pedagogical extracts (pure: bytes in, rows and issues out), with the
// administrative export's machinery: header by name, delimiters, encodings, defects as typed
// issues. Reading the files is src/io/pedagogy_extract.cpp's job.
#pragma once

#include "cohort_sync/config.hpp"
#include "cohort_sync/model.hpp"

#include <string>
#include <string_view>

namespace cohort_sync {

// The pedagogical contracts (IND_CONTRAT_ELP): columns pedagogy.contract_columns. `name` is used
// in locators ("contracts.csv:12"). Never throws on bad data.
PedagogyRead parse_contracts(std::string_view bytes, const PedagogyConfig& config, const std::string& name);

// The group assignments (IND_AFFECTE_GPE): columns pedagogy.group_columns.
PedagogyRead parse_group_assignments(std::string_view bytes, const PedagogyConfig& config,
                                     const std::string& name);

} // namespace cohort_sync
