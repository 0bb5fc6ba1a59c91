#include "pedagogy.hpp"

#include "output_file.hpp"
#include "rng.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace cohort_sync::generator {

namespace {

// An étape's curriculum: elements of its own (a UE, then 4 subjects of which a student takes 2),
// one shared with the other étapes of its family (a licence's parcours share their common core),
// one from the pool every faculty draws from (languages, digital skills): 5 followed of 7 per
// inscription. With the bench's 2.5 active inscriptions per student, about 12 per student.
constexpr std::uint32_t k_own = 5;
constexpr std::uint32_t k_own_units = 1;
constexpr std::uint32_t k_own_dropped = 2; // subjects a student does not take
constexpr std::uint32_t k_family_size = 4; // étapes per family
constexpr std::uint32_t k_family_elements = 1;
constexpr std::uint64_t k_stream = 0x7ed0'0017;   // this file's own draws (issue 17)
constexpr double k_carried_over = 0.06;           // an inscription with one subject credited earlier
constexpr double k_inactive_with_contracts = 0.5; // a cancelled inscription whose contracts remain

constexpr std::array<std::string_view, 24> k_common_labels{"Anglais B1",
                                                           "Anglais B2",
                                                           "Anglais C1",
                                                           "Espagnol",
                                                           "Allemand",
                                                           "Italien",
                                                           "Portugais",
                                                           "Chinois",
                                                           "Arabe",
                                                           "Russe",
                                                           "Japonais",
                                                           "Français langue étrangère",
                                                           "PIX : compétences numériques",
                                                           "Sport",
                                                           "Projet professionnel personnalisé",
                                                           "Méthodologie du travail universitaire",
                                                           "Engagement étudiant",
                                                           "Expression écrite et orale",
                                                           "Culture générale",
                                                           "Éthique et intégrité scientifique",
                                                           "Développement durable",
                                                           "Recherche documentaire",
                                                           "Stage d'observation",
                                                           "Préparation aux concours"};

constexpr std::array<std::string_view, 16> k_subjects{"Mathématiques",
                                                      "Algèbre linéaire",
                                                      "Analyse",
                                                      "Probabilités et statistiques",
                                                      "Économie",
                                                      "Droit constitutionnel",
                                                      "Histoire moderne",
                                                      "Géographie humaine",
                                                      "Chimie générale",
                                                      "Physique expérimentale",
                                                      "Biologie cellulaire",
                                                      "Programmation",
                                                      "Littérature comparée",
                                                      "Sociologie",
                                                      "Psychologie du développement",
                                                      "Gestion financière"};

enum class GroupType : std::uint8_t { none, td, tp };

struct Element {
    std::string code;      // COD_ELP: 8 characters at most
    std::string csv_label; // LIB_ELP, ISO-8859-1, quoted when needed
    std::string_view nature;
    GroupType groups = GroupType::none;
    std::uint32_t group_size = 0;
    std::string group_label; // ISO-8859-1, unquoted: "Groupe de TD" or "Groupe de TP"
};

std::string latin1_field(std::string_view utf8) {
    return csv_field(utf8_to_latin1(utf8_truncate(utf8, 60)), ';');
}

class Curriculum {
public:
    Curriculum(const Catalogue& catalogue, std::uint64_t seed)
        : m_etapes(catalogue.size())
        , m_families((m_etapes + k_family_size - 1) / k_family_size)
        , m_seed(seed) {
        m_elements.reserve(static_cast<std::size_t>(m_etapes) * k_own + m_families * k_family_elements +
                           k_common_labels.size());
        for (std::uint32_t etape = 0; etape < m_etapes; ++etape) {
            const std::string& name = catalogue.at(etape).label;
            for (std::uint32_t slot = 0; slot < k_own; ++slot) {
                Element e;
                e.code = fmt::format("E{:05}{}", etape, slot);
                if (slot < k_own_units) {
                    e.csv_label = latin1_field(fmt::format("UE{} {}", slot + 1, name));
                    e.nature = "UE";
                } else {
                    e.csv_label = latin1_field(fmt::format(
                        "{} {}", k_subjects[(etape * 7 + slot) % k_subjects.size()], slot - k_own_units + 1));
                    e.nature = "MATI";
                }
                // The unit has TD groups, the first subject TP groups.
                if (slot == 0) {
                    e.groups = GroupType::td;
                    e.group_size = 32;
                } else if (slot == k_own_units) {
                    e.groups = GroupType::tp;
                    e.group_size = 16;
                }
                m_elements.push_back(std::move(e));
            }
        }
        for (std::uint32_t family = 0; family < m_families; ++family) {
            for (std::uint32_t k = 0; k < k_family_elements; ++k) {
                Element e;
                e.code = fmt::format("F{:05}{}", family, k);
                e.csv_label = latin1_field(fmt::format("Tronc commun {} : {}", k + 1,
                                                       k_subjects[(family * 3 + k) % k_subjects.size()]));
                e.nature = "UE";
                m_elements.push_back(std::move(e));
            }
        }
        for (std::uint32_t c = 0; c < k_common_labels.size(); ++c) {
            Element e;
            e.code = fmt::format("TRANSV{:02}", c);
            e.csv_label = latin1_field(k_common_labels[c]);
            e.nature = "MATI";
            e.groups = c < 12 ? GroupType::td : GroupType::none; // languages are taught in groups
            e.group_size = 28;
            m_elements.push_back(std::move(e));
        }
        for (auto& e : m_elements) {
            if (e.groups != GroupType::none) {
                e.group_label = utf8_to_latin1(e.groups == GroupType::td ? "Groupe de TD" : "Groupe de TP");
            }
        }
    }

    const Element& at(std::uint32_t id) const { return m_elements[id]; }
    std::size_t size() const { return m_elements.size(); }

    // The elements `number` follows in `etape` (5: its own 3, sorted, then its family's and its
    // common one), and the subject it has credited from an earlier year if any (-1 otherwise).
    void followed(std::uint32_t number, std::uint32_t etape, std::vector<std::uint32_t>& out,
                  std::int64_t& carried_over) const {
        out.clear();
        Rng rng(derive_seed(m_seed, k_stream ^ (std::uint64_t{number} << 20) ^ etape));
        std::array<bool, k_own> take{};
        take.fill(true);
        for (std::uint32_t dropped = 0; dropped < k_own_dropped;) {
            const auto slot = k_own_units + static_cast<std::uint32_t>(rng.below(k_own - k_own_units));
            if (take[slot]) {
                take[slot] = false;
                ++dropped;
            }
        }
        carried_over = -1;
        for (std::uint32_t slot = 0; slot < k_own; ++slot) {
            if (take[slot]) {
                out.push_back(etape * k_own + slot);
            } else if (carried_over < 0 && rng.chance(k_carried_over)) {
                carried_over = etape * k_own + slot;
            }
        }
        const std::uint32_t family_base = m_etapes * k_own + (etape / k_family_size) * k_family_elements;
        for (std::uint32_t k = 0; k < k_family_elements; ++k) {
            out.push_back(family_base + k);
        }
        // The étape's common element: the same for all its students.
        Rng etape_rng(derive_seed(m_seed, k_stream + 1 + etape));
        const std::uint32_t common_base = m_etapes * k_own + m_families * k_family_elements;
        out.push_back(common_base + static_cast<std::uint32_t>(etape_rng.below(k_common_labels.size())));
    }

    // Which of the element's groups the student is in: a pure function, so that a student keeps
    // their group from night to night while the element's size stays the same.
    std::uint32_t group_of(std::uint32_t number, std::uint32_t element, std::uint32_t groups) const {
        Rng rng(derive_seed(m_seed, (k_stream + 2) ^ (std::uint64_t{number} << 24) ^ element));
        return static_cast<std::uint32_t>(rng.below(groups));
    }

private:
    std::uint32_t m_etapes;
    std::uint32_t m_families;
    std::uint64_t m_seed;
    std::vector<Element> m_elements;
};

bool counts_this_year(const Enrolment& e) {
    return e.year_offset == 0 && e.status == 'E' && !e.removed;
}

// Whether an inscription has contracts in the extract: active ones, last year's, and half of the
// cancelled ones (APOGÉE keeps the contracts of a cancelled inscription until someone deletes them).
bool has_contracts(const Student& s, const Enrolment& e, std::uint64_t seed) {
    if (e.removed) {
        return false;
    }
    if (e.year_offset != 0 || e.status == 'E') {
        return true;
    }
    Rng rng(derive_seed(seed, (k_stream + 3) ^ (std::uint64_t{s.number} << 20) ^ e.etape));
    return rng.chance(k_inactive_with_contracts);
}

} // namespace

PedagogyCounts write_pedagogy(const University& u, const Options& options,
                              const std::filesystem::path& contracts_path,
                              const std::filesystem::path& groups_path) {
    const Curriculum curriculum(u.catalogue, options.seed);
    PedagogyCounts counts;
    std::vector<std::uint32_t> followed;
    std::int64_t carried = -1;

    // This year's followers of each element, which sets its number of groups; and in which étapes
    // it is followed (the first one, and whether there is another).
    std::vector<std::uint32_t> followers(curriculum.size(), 0);
    std::vector<std::int64_t> first_etape(curriculum.size(), -1);
    std::vector<bool> shared(curriculum.size(), false);
    for (const auto& s : u.students) {
        for (const auto& e : s.enrolments) {
            if (!counts_this_year(e)) {
                continue;
            }
            curriculum.followed(s.number, e.etape, followed, carried);
            for (const auto element : followed) {
                ++followers[element];
                if (first_etape[element] < 0) {
                    first_etape[element] = e.etape;
                } else if (first_etape[element] != e.etape) {
                    shared[element] = true;
                }
            }
        }
    }
    for (std::size_t i = 0; i < curriculum.size(); ++i) {
        counts.elements += followers[i] > 0 ? 1 : 0;
        counts.shared_elements += shared[i] ? 1 : 0;
    }
    const auto groups_of = [&](std::uint32_t element) {
        const Element& elp = curriculum.at(element);
        return std::max<std::uint32_t>(1, (followers[element] + elp.group_size - 1) / elp.group_size);
    };

    OutputFile contracts(contracts_path);
    OutputFile groups(groups_path);
    std::string& c = contracts.buffer();
    std::string& g = groups.buffer();
    c += "COD_ANU;COD_IND;COD_ETU;COD_ETP;COD_VRS_VET;COD_ELP;LIB_ELP;COD_NEL;TEM_PRC_ICE\r\n";
    g += "COD_ANU;COD_IND;COD_ETU;COD_ELP;COD_GPE;COD_EXT_GPE;LIB_GPE;COD_TGR\r\n";
    std::unordered_set<std::uint64_t> groups_seen;
    for (const auto& s : u.students) {
        // APOGÉE's internal individual number: unique, unrelated to the student number people see.
        const std::uint32_t cod_ind = s.number - 19000000;
        for (const auto& e : s.enrolments) {
            if (!has_contracts(s, e, options.seed)) {
                continue;
            }
            const Etape& etape = u.catalogue.at(e.etape);
            std::string code = etape.code;
            if (e.padded && code.size() < k_code_width) {
                code.resize(k_code_width, ' ');
            }
            const int year = options.year + e.year_offset;
            const auto contract = [&](std::uint32_t element, char carried_over) {
                const Element& elp = curriculum.at(element);
                fmt::format_to(std::back_inserter(c), "{};{};{};{};{};{};{};{};{}\r\n", year, cod_ind,
                               s.number, code, etape.versions[e.version], elp.code, elp.csv_label, elp.nature,
                               carried_over);
                ++counts.contract_rows;
                counts.padded_codes += code.size() != etape.code.size() ? 1 : 0;
                counts.previous_year_rows += e.year_offset != 0 ? 1 : 0;
                counts.carried_over_rows += carried_over == 'O' ? 1 : 0;
                counts.followed_rows += counts_this_year(e) && carried_over == 'N' ? 1 : 0;
                counts.inactive_inscription_rows += e.year_offset == 0 && e.status != 'E' ? 1 : 0;
            };
            curriculum.followed(s.number, e.etape, followed, carried);
            for (const auto element : followed) {
                contract(element, 'N');
            }
            if (carried >= 0) {
                contract(static_cast<std::uint32_t>(carried), 'O');
            }
            if (e.year_offset == 0 && e.status != 'E') {
                continue; // no group for a cancelled inscription
            }
            for (const auto element : followed) {
                const Element& elp = curriculum.at(element);
                if (elp.groups == GroupType::none) {
                    continue;
                }
                const std::uint32_t group = curriculum.group_of(s.number, element, groups_of(element));
                const char* type = elp.groups == GroupType::td ? "TD" : "TP";
                fmt::format_to(std::back_inserter(g), "{};{};{};{};G{}{:03};{}{};{} {};{}\r\n", year, cod_ind,
                               s.number, elp.code, element, group, type, group + 1, elp.group_label,
                               group + 1, type);
                ++counts.group_rows;
                if (e.year_offset == 0) {
                    groups_seen.insert((std::uint64_t{element} << 32) | group);
                }
            }
        }
        contracts.maybe_flush();
        groups.maybe_flush();
    }
    counts.groups = static_cast<std::int64_t>(groups_seen.size());
    contracts.commit();
    groups.commit();
    return counts;
}

} // namespace cohort_sync::generator
