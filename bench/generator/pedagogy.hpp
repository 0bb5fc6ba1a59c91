// The pedagogical extracts of APOGÉE (issue 17): the contracts (IND_CONTRAT_ELP: one row per
// student and element followed in a year) and the group assignments (IND_AFFECTE_GPE: one row per
// student and TD/TP group of an element), consistent with the administrative export: the same
// COD_ETU, COD_ETP and COD_VRS_VET as its inscriptions.
//
// What a student follows is a pure function of the seed, the student and the étape, not a draw
// from the night's stream: night 1's contracts follow night 1's inscriptions, and the files of the
// nights before (people.ldif, apogee.csv) are the same bytes as before these files existed.
#pragma once

#include "options.hpp"
#include "university.hpp"

#include <cstdint>
#include <filesystem>

namespace cohort_sync::generator {

struct PedagogyCounts {
    std::int64_t contract_rows = 0;
    std::int64_t followed_rows = 0;             // COD_ANU = year, TEM_PRC_ICE N, of an active inscription
    std::int64_t carried_over_rows = 0;         // TEM_PRC_ICE O: credited from an earlier year
    std::int64_t previous_year_rows = 0;        // COD_ANU = year - 1
    std::int64_t inactive_inscription_rows = 0; // this year, of a cancelled or terminated inscription
    std::int64_t padded_codes = 0;              // COD_ETP padded as the export pads it
    std::int64_t elements = 0;                  // distinct COD_ELP followed this year
    std::int64_t shared_elements = 0;           // of which followed in more than one étape
    std::int64_t group_rows = 0;
    std::int64_t groups = 0; // distinct (COD_ELP, COD_EXT_GPE) with a row this year
};

// Writes `contracts_path` (COD_ANU;COD_IND;COD_ETU;COD_ETP;COD_VRS_VET;COD_ELP;LIB_ELP;COD_NEL;
// TEM_PRC_ICE) and `groups_path` (COD_ANU;COD_IND;COD_ETU;COD_ELP;COD_GPE;COD_EXT_GPE;LIB_GPE;
// COD_TGR), ISO-8859-1, ';', CRLF, as APOGÉE's extraction scripts do. Throws std::runtime_error
// naming the file when one cannot be written.
PedagogyCounts write_pedagogy(const University& university, const Options& options,
                              const std::filesystem::path& contracts_path,
                              const std::filesystem::path& groups_path);

} // namespace cohort_sync::generator
