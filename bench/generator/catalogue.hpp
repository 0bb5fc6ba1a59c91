// The university's étapes: codes as APOGÉE spells them (L1INFO, M1MEEF, DUCGE1, CEMU), their
// labels, versions and how many students each one draws.
#pragma once

#include "rng.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cohort_sync::generator {

struct Etape {
    std::string code;                  // upper-case ASCII, at most 8 characters, unique
    std::string label;                 // UTF-8, at most 60 characters
    std::vector<std::string> versions; // COD_VRS_VET values, at least one
    double weight = 1;                 // relative popularity
    std::string csv_label;             // ISO-8859-1, quoted when it holds ';' or '"'
};

class Catalogue {
public:
    // `count` étapes, the same ones for the same seed.
    Catalogue(int count, std::uint64_t seed);

    const std::vector<Etape>& etapes() const { return m_etapes; }
    const Etape& at(std::uint32_t index) const { return m_etapes[index]; }
    std::uint32_t size() const { return static_cast<std::uint32_t>(m_etapes.size()); }

    // An étape drawn by popularity: a few large first years, many small DUs.
    std::uint32_t draw(Rng& rng) const;

private:
    std::vector<Etape> m_etapes;
    std::vector<double> m_cumulative;
};

// The longest étape code APOGÉE stores (COD_ETP is CHAR(8)-like); padded codes use this width.
inline constexpr std::size_t k_code_width = 8;
inline constexpr std::size_t k_max_label_chars = 60;

} // namespace cohort_sync::generator
