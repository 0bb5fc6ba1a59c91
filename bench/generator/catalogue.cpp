#include "catalogue.hpp"

#include "text.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <set>
#include <string_view>

namespace cohort_sync::generator {

namespace {

struct Level {
    std::string_view code;
    std::string_view label;
    double weight;
};

struct Discipline {
    std::string_view code;
    std::string_view label;
    double weight;
};

// First years are crowded, doctorates and university diplomas (DU, DIU) small.
constexpr std::array k_levels = std::to_array<Level>({
    {"L1", "Licence 1", 40},
    {"L2", "Licence 2", 28},
    {"L3", "Licence 3", 22},
    {"LP", "Licence professionnelle", 3},
    {"M1", "Master 1", 8},
    {"M2", "Master 2", 7},
    {"DU", "DU", 1.5},
    {"DIU", "DIU", 0.6},
    {"CE", "Certificat", 0.8},
    {"BUT1", "BUT 1", 6},
    {"BUT2", "BUT 2", 4},
    {"BUT3", "BUT 3", 3},
    {"DR", "Doctorat", 1},
    {"PR", "Préparation concours", 0.5},
});

// Labels stay within ISO-8859-1 (no 'œ', no typographic apostrophe): the export is Latin-1.
constexpr std::array k_disciplines = std::to_array<Discipline>({
    {"INFO", "Informatique", 1.2},
    {"DROI", "Droit", 2.0},
    {"ECO", "Économie", 1.0},
    {"GEST", "Gestion", 1.0},
    {"AES", "Administration économique et sociale", 0.8},
    {"MATH", "Mathématiques", 0.8},
    {"MIAS", "Mathématiques et informatique appliquées", 0.4},
    {"PHYS", "Physique", 0.6},
    {"CHIM", "Chimie", 0.6},
    {"PC", "Physique-chimie", 0.5},
    {"BIOL", "Biologie", 1.0},
    {"SVT", "Sciences de la vie et de la Terre", 1.0},
    {"GEOL", "Géologie", 0.3},
    {"HIST", "Histoire", 1.0},
    {"HART", "Histoire de l'art et archéologie", 0.5},
    {"GEOG", "Géographie et aménagement", 0.6},
    {"LETT", "Lettres modernes", 0.7},
    {"LCLA", "Lettres classiques", 0.2},
    {"PHIL", "Philosophie", 0.4},
    {"PSYC", "Psychologie", 1.5},
    {"SOCI", "Sociologie", 0.7},
    {"ANGL", "Anglais", 0.8},
    {"ALLE", "Allemand", 0.3},
    {"ESPA", "Espagnol", 0.4},
    {"ITAL", "Italien", 0.2},
    {"PORT", "Portugais", 0.1},
    {"LEA", "Langues étrangères appliquées", 0.9},
    {"STAP", "STAPS", 1.2},
    {"SCED", "Sciences de l'éducation", 0.6},
    {"MUSI", "Musicologie", 0.3},
    {"MU", "Musique", 0.2},
    {"ARTS", "Arts plastiques", 0.4},
    {"CINE", "Cinéma et audiovisuel", 0.3},
    {"INCO", "Information et communication", 0.5},
    {"SPO", "Science politique", 0.5},
    {"MEEF", "Métiers de l'Enseignement", 0.8},
    {"CGE", "Capacité de Gestion des Entreprises", 0.3},
    {"GEA", "Gestion des entreprises et des administrations", 0.5},
    {"TC", "Techniques de commercialisation", 0.5},
    {"GEII", "Génie électrique et informatique industrielle", 0.3},
    {"GMP", "Génie mécanique et productique", 0.3},
    {"GC", "Génie civil", 0.3},
    {"SANT", "Santé", 1.0},
    {"PHAR", "Pharmacie", 0.6},
    {"ODON", "Odontologie", 0.2},
    {"SAGE", "Maïeutique", 0.2},
    {"ENVI", "Environnement", 0.3},
    {"ELEC", "Électronique", 0.3},
    {"MECA", "Mécanique", 0.3},
    {"TOUR", "Tourisme", 0.2},
    {"FLE", "Français langue étrangère", 0.3},
    {"DRPR", "Droit privé", 0.5},
    {"DRPU", "Droit public", 0.5},
    {"NUM", "Humanités numériques", 0.2},
    {"ARCH", "Archéologie", 0.2},
    {"ETEU", "Études européennes", 0.2},
});

// A variant of an étape (distance learning, continuing education, a track) adds one
// character to the code.
constexpr std::string_view k_variant_chars = "123456789ABCDEFGHJKLMNPRSTUVWXYZ";

std::string variant_label(char variant) {
    switch (variant) {
    case '1':
        return " - FOAD";
    case '2':
        return " - Formation continue";
    case '3':
        return " - Alternance";
    case '4':
        return " - Parcours international";
    case '5':
        return " - Enseignement à distance";
    case '6':
        return " - Double diplôme";
    case '7':
        return " - Cursus renforcé";
    case '8':
        return " - Apprentissage";
    case '9':
        return " - Reprise d'études";
    default:
        return fmt::format(" - Parcours {}", variant);
    }
}

// Well-known codes come first, so that even a 10-étape university looks familiar.
constexpr std::array k_headline_codes = std::to_array<std::string_view>({
    "L1INFO",
    "L2DROI",
    "M1MEEF",
    "DUCGE1",
    "CEMU",
    "L1DROI",
    "L1PSYC",
    "L3HIST",
    "M2DROI",
    "L1STAP",
});

struct Candidate {
    std::size_t level;
    std::size_t discipline;
    char variant; // 0: the base étape
};

std::string candidate_code(const Candidate& c) {
    std::string code = fmt::format("{}{}", k_levels[c.level].code, k_disciplines[c.discipline].code);
    if (c.variant != 0) {
        code += c.variant;
    }
    return code;
}

std::string candidate_label(const Candidate& c) {
    std::string label = fmt::format("{} {}", k_levels[c.level].label, k_disciplines[c.discipline].label);
    if (c.variant != 0) {
        label += variant_label(c.variant);
    }
    return utf8_truncate(label, k_max_label_chars);
}

// A few labels hold ';' and '"' so that the export's quoting is exercised: readers that
// split on ';' without honouring quotes get them wrong.
std::string quoting_label(const Candidate& c, std::size_t index) {
    static constexpr std::array k_tracks =
        std::to_array<std::string_view>({"Recherche", "Professionnel", "Humanités", "Europe", "Santé"});
    const std::string_view track = k_tracks[index % k_tracks.size()];
    const std::string_view level = k_levels[c.level].label;
    const std::string_view discipline = k_disciplines[c.discipline].label;
    std::string label;
    switch (index % 3) {
    case 0:
        label = fmt::format("{} {}; parcours \"{}\"", level, discipline, track);
        if (utf8_length(label) > k_max_label_chars) {
            label = fmt::format("{} {}; parcours \"{}\"", level, k_disciplines[c.discipline].code, track);
        }
        break;
    case 1:
        label = fmt::format("{} \"{}\" {}", level, track, discipline);
        break;
    default:
        label = fmt::format("{} {}; {}", level, discipline, track);
        break;
    }
    // Truncation could only cut the end of a long discipline name, never the quotes' pair
    // in the first form, which was shortened above.
    return utf8_truncate(label, k_max_label_chars);
}

// Past the headline codes, which are the crowded first years and the ones docs/generator.md
// quotes: a few labels, on less popular étapes. A catalogue of ten or fewer gets one on its
// last étape.
bool uses_quoting_label(std::size_t index, std::size_t count) {
    if (count <= 10) {
        return count >= 2 && index == count - 1;
    }
    return index == 10 || index == 12 || index == 14 || (index > 14 && index % 61 == 10);
}

} // namespace

Catalogue::Catalogue(int count, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<Candidate> bases;
    std::vector<Candidate> variants;
    for (std::size_t l = 0; l < k_levels.size(); ++l) {
        for (std::size_t d = 0; d < k_disciplines.size(); ++d) {
            const Candidate base{l, d, 0};
            const std::size_t length = candidate_code(base).size();
            bases.push_back(base);
            if (length < k_code_width) {
                for (const char v : k_variant_chars) {
                    variants.push_back({l, d, v});
                }
            }
        }
    }
    const auto shuffle = [&](std::vector<Candidate>& list) {
        for (std::size_t i = list.size(); i > 1; --i) {
            std::swap(list[i - 1], list[rng.below(i)]);
        }
    };
    shuffle(bases);
    shuffle(variants);

    std::vector<Candidate> ordered;
    std::set<std::string> headline(k_headline_codes.begin(), k_headline_codes.end());
    for (const std::string_view code : k_headline_codes) {
        for (const auto* list : {&bases, &variants}) {
            for (const auto& c : *list) {
                if (candidate_code(c) == code) {
                    ordered.push_back(c);
                }
            }
        }
    }
    for (const auto* list : {&bases, &variants}) {
        for (const auto& c : *list) {
            if (!headline.contains(candidate_code(c))) {
                ordered.push_back(c);
            }
        }
    }

    const auto wanted = static_cast<std::size_t>(std::max(count, 0));
    m_etapes.reserve(wanted);
    static constexpr std::array k_first_versions =
        std::to_array<std::string_view>({"101", "101", "101", "110", "120", "200"});
    static constexpr std::array k_other_versions =
        std::to_array<std::string_view>({"102", "111", "121", "201"});
    for (std::size_t i = 0; i < wanted; ++i) {
        Etape etape;
        if (i < ordered.size()) {
            const Candidate& c = ordered[i];
            etape.code = candidate_code(c);
            etape.label = uses_quoting_label(i, wanted) ? quoting_label(c, i) : candidate_label(c);
            etape.weight = k_levels[c.level].weight * k_disciplines[c.discipline].weight *
                           (0.5 + rng.unit()) * (c.variant != 0 ? 0.25 : 1.0);
        } else {
            // Past every realistic code (about 20,000 of them): numbered ones, still unique
            // and 8 characters at most.
            const std::size_t n = i - ordered.size();
            etape.code = fmt::format("Z{:06X}", n);
            etape.label = fmt::format("Étape complémentaire {}", n + 1);
            etape.weight = 0.2 * (0.5 + rng.unit());
        }
        etape.versions.emplace_back(k_first_versions[rng.below(k_first_versions.size())]);
        if (rng.chance(0.2)) {
            etape.versions.emplace_back(k_other_versions[rng.below(k_other_versions.size())]);
        }
        etape.csv_label = csv_field(utf8_to_latin1(etape.label), ';');
        m_etapes.push_back(std::move(etape));
    }

    double total = 0;
    m_cumulative.reserve(m_etapes.size());
    for (const auto& etape : m_etapes) {
        total += etape.weight;
        m_cumulative.push_back(total);
    }
}

std::uint32_t Catalogue::draw(Rng& rng) const {
    const double target = rng.unit() * m_cumulative.back();
    const auto it = std::upper_bound(m_cumulative.begin(), m_cumulative.end(), target);
    const auto index = static_cast<std::size_t>(it - m_cumulative.begin());
    return static_cast<std::uint32_t>(std::min(index, m_cumulative.size() - 1));
}

} // namespace cohort_sync::generator
