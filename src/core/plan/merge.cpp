#include "cohort_sync/merge.hpp"

#include "cohort_sync/academic_year.hpp"
#include "cohort_sync/cohort_kind.hpp"
#include "cohort_sync/etape.hpp"
#include "cohort_sync/etape_selection.hpp"
#include "cohort_sync/pedagogy_rules.hpp"
#include "cohort_sync/text.hpp"
#include "key_set.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <span>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

namespace cohort_sync {
namespace {

constexpr std::size_t k_examples = 10;

// What the cross-check calls the inscription sources' side (cross_check.only_in_export, and
// `only_in` in docs/report.md), whichever sources it is made of.
constexpr const char* k_inscription_side = "export";

bool rule_uses_directory_etapes(MembershipRule rule) {
    return rule == MembershipRule::directory || rule == MembershipRule::union_;
}

// Strings to small integers: a university's 250,000 inscriptions name a few thousand étapes,
// so claims carry numbers and every per-étape string is built once. The texts given to id() must
// outlive it unchanged (the sources' records do).
class Interned {
public:
    int id(std::string_view text) {
        // The extracts' rows view their texts in a pool, so one code is nearly always at one
        // address: a table by address answers most of a million and a half lookups of elements
        // without hashing the text and chasing a bucket's nodes (a fifth of the merge before).
        auto& known = m_by_address[address_slot(text.data())];
        if (known.data == text.data() && known.size == text.size() && known.data != nullptr) {
            return known.id;
        }
        const auto [it, added] = m_ids.try_emplace(text, static_cast<int>(m_texts.size()));
        if (added) {
            m_texts.push_back(text);
        }
        known = {text.data(), text.size(), it->second};
        return it->second;
    }
    // For strings that would not outlive the merge otherwise (parsed supannEtuEtape values).
    int id_of_copy(std::string text) {
        if (const auto it = m_ids.find(text); it != m_ids.end()) {
            return it->second;
        }
        return id(m_owned.emplace_back(std::move(text)));
    }
    std::string_view text(int id) const { return m_texts[static_cast<std::size_t>(id)]; }
    std::size_t size() const { return m_texts.size(); }

private:
    struct Known {
        const char* data = nullptr;
        std::size_t size = 0;
        int id = 0;
    };
    static constexpr std::size_t k_address_slots = 1 << 14;
    static std::size_t address_slot(const char* data) {
        const auto address = reinterpret_cast<std::uintptr_t>(data);
        return ((address >> 3) * 0x9E3779B97F4A7C15ULL) >> (64 - 14);
    }

    std::deque<std::string> m_owned; // stable addresses for the views below
    std::vector<std::string_view> m_texts;
    std::unordered_map<std::string_view, int> m_ids;
    std::vector<Known> m_by_address = std::vector<Known>(k_address_slots);
};

struct Student {
    std::string_view number;               // may be empty with rule "directory"
    const DirectoryEntry* entry = nullptr; // null when not in the directory
    std::string login;                     // lower-cased
};

// What is known about one student number, so that an export row costs one string lookup: its
// dense id (for de-duplication keys), its directory entry and its student, once it has one.
struct NumberSlot {
    int id = 0;
    int entry = -1;  // index in the directory's entries; -1 when not in the directory
    int student = 0; // index in m_students plus one; 0 until the number claims something
};

// The cohort kinds the merge makes claims for, by their place in cohort_kinds().
enum ClaimKind : int { k_etape_claim = 0, k_element_claim = 1, k_group_claim = 2 };

// One source's claim that a student belongs to one cohort of a kind: an étape (version, year),
// an element (year), a group of an element (year).
struct Claim {
    int student = 0;
    int etape = 0; // the key: an id in m_etapes, m_elements or m_groups, by kind
    int version = 0;
    int year = 0;
    // The source: for an étape claim the inscription source's index in m_inscriptions (-1: the
    // directory); for the others the pedagogical read's index in m_pedagogy.
    int source = -1;
    int line = 0; // the record's line (or row) in its source
    int kind = k_etape_claim;
};

// A group cohort's parts, for its templates.
struct GroupParts {
    std::string element;
    std::string group;
    std::string type;
};

// An inscription source's records, with the names the desired state gives them.
struct InscriptionSource {
    const ExportRead* read = nullptr;
    std::string name;      // the kind's name: a member's reason says "export"
    std::string count_key; // where its count goes in SourceCounts::records
    const std::vector<std::string>* active_statuses = nullptr; // its kind's
};

// A pedagogical extract, with its kind's name and count key.
struct PedagogySource {
    const PedagogyRead* read = nullptr;
    std::string name;
    std::string count_key;
};

class Merger {
public:
    Merger(const MergeInput& input, const Config& config)
        : m_input(input)
        , m_config(config)
        , m_current_year(input.active_years.empty() ? 0 : input.active_years.front()) {
        for (const auto* kind : source_kinds()) {
            if (always_counted(*kind)) {
                m_desired.counts.records[std::string(kind->count_key())] = 0;
            }
        }
        for (const auto& read : input.sources) {
            // The directory, when there is one, also names the students (logins, names) whatever
            // the rule; inscriptions count only under a rule that reads them.
            if (const auto* directory = directory_records(read)) {
                m_directory = directory;
                m_directory_count_key = source_kind(read.source).count_key();
            } else if (const auto* inscriptions = inscription_records(read);
                       inscriptions && rule_reads(config.membership.rule, SourceFamily::inscriptions)) {
                const auto& kind = source_kind(read.source);
                m_inscriptions.push_back({inscriptions, read.source, std::string(kind.count_key()),
                                          &kind.active_statuses(config)});
                m_inscription_rows += inscriptions->rows.size();
                m_desired.labels_in_doubt = m_desired.labels_in_doubt || inscriptions->labels_in_doubt;
            } else if (const auto* pedagogy = pedagogy_records(read)) {
                m_pedagogy.push_back(
                    {pedagogy, read.source, std::string(source_kind(read.source).count_key())});
                m_desired.counts.records[m_pedagogy.back().count_key] = 0;
                m_desired.labels_in_doubt = m_desired.labels_in_doubt || pedagogy->labels_in_doubt;
            }
        }
        m_elements_on = config.element_cohorts.enabled && !m_inscriptions.empty();
        m_groups_on = m_elements_on && config.group_cohorts.enabled;
    }

    Desired run() {
        m_desired.holds = holds_of(m_input.sources);
        index_directory();
        for (std::size_t source = 0; source < m_inscriptions.size(); ++source) {
            claim_from_inscriptions(static_cast<int>(source));
        }
        m_directory_claims = m_directory && rule_uses_directory_etapes(m_config.membership.rule);
        if (m_directory_claims) {
            claim_from_directory();
        }
        for (std::size_t source = 0; source < m_pedagogy.size(); ++source) {
            if (m_elements_on) {
                claim_from_contracts(static_cast<int>(source));
            }
        }
        for (std::size_t source = 0; source < m_pedagogy.size(); ++source) {
            if (m_groups_on) {
                claim_from_groups(static_cast<int>(source));
            }
        }
        if (m_directory && !m_inscriptions.empty()) {
            cross_check();
        }
        build_cohorts();
        return std::move(m_desired);
    }

private:
    void index_directory() {
        if (!m_directory) {
            return;
        }
        const auto& entries = m_directory->entries;
        m_slots.reserve(entries.size() + m_inscription_rows / 2);
        m_directory_etapes_begin.reserve(entries.size() + 1);
        m_directory_etapes.reserve(entries.size() * 2);
        std::map<std::string, std::pair<int, std::string>> rejected; // reason -> count, example
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& entry = entries[i];
            if (!entry.student_number.empty()) {
                // A number held by two entries stays with the first (the directory's reader has
                // already reported the duplicate).
                m_slots.try_emplace(entry.student_number, NumberSlot{next_slot_id(), static_cast<int>(i)});
            }
            const auto begin = m_directory_etapes.size();
            m_directory_etapes_begin.push_back(begin);
            for (const auto& raw : entry.etape_values) {
                auto value = parse_etape_value(raw, m_config.ldap.institution_uai);
                if (!value.etape) {
                    auto& [count, example] = rejected[value.rejected_because];
                    if (count++ == 0) {
                        example = raw;
                    }
                } else if (allowed(value.etape->code)) {
                    m_directory_etapes.emplace_back(m_etapes.id_of_copy(std::move(value.etape->code)),
                                                    m_versions.id_of_copy(std::move(value.etape->version)));
                }
            }
            const auto first = m_directory_etapes.begin() + static_cast<std::ptrdiff_t>(begin);
            std::sort(first, m_directory_etapes.end());
            m_directory_etapes.erase(std::unique(first, m_directory_etapes.end()), m_directory_etapes.end());
        }
        m_directory_etapes_begin.push_back(m_directory_etapes.size());
        for (const auto& [reason, figures] : rejected) {
            m_desired.issues.push_back(
                {Severity::warning, m_config.ldap.attributes.etapes,
                 fmt::format("{} value(s) ignored: {} (e.g. '{}')", figures.first, reason, figures.second)});
        }
        m_desired.counts.records[std::string(m_directory_count_key)] = static_cast<int>(entries.size());
    }

    int next_slot_id() const { return static_cast<int>(m_slots.size()); }

    NumberSlot& slot_of(std::string_view student_number) {
        return m_slots.try_emplace(student_number, NumberSlot{next_slot_id()}).first->second;
    }

    std::span<const std::pair<int, int>> directory_etapes_of(std::size_t entry) const {
        return std::span(m_directory_etapes)
            .subspan(m_directory_etapes_begin[entry],
                     m_directory_etapes_begin[entry + 1] - m_directory_etapes_begin[entry]);
    }

    const DirectoryEntry* entry_of(const NumberSlot& slot) const {
        return slot.entry < 0 ? nullptr : &m_directory->entries[static_cast<std::size_t>(slot.entry)];
    }

    bool allowed(std::string_view etape) const {
        return etape_selected(m_config.membership.etape_patterns, etape);
    }

    // The student a number (and, if in the directory, an entry) stands for; one index each.
    // Without a number (rule "directory"), the lower-cased login identifies the student.
    int student_of(std::string_view number, NumberSlot* slot, const DirectoryEntry* entry) {
        auto& index = slot ? slot->student : m_by_login[to_lower_ascii(entry->login)];
        if (index == 0) {
            m_students.push_back({number, entry, entry ? to_lower_ascii(entry->login) : std::string()});
            index = static_cast<int>(m_students.size());
        }
        return index - 1; // stored plus one, so that 0 means "not seen yet"
    }

    void claim_from_inscriptions(int source) {
        const auto& inscriptions = m_inscriptions[static_cast<std::size_t>(source)];
        const auto& read = *inscriptions.read;
        int& counted = m_desired.counts.records[inscriptions.count_key];
        const bool need_directory = m_config.membership.rule == MembershipRule::both;
        std::unordered_set<std::string_view> not_in_directory;
        std::string not_in_directory_example;
        plan::KeySet seen; // (student, étape, version) already claimed
        seen.reserve(read.rows.size());
        m_claims.reserve(m_claims.size() + read.rows.size());
        // A student has a few inscriptions: as many students as rows / 2 is a safe bound.
        if (!m_directory) {
            m_slots.reserve(m_inscription_rows / 2);
        }
        m_students.reserve(m_inscription_rows / 2);
        for (const auto& row : read.rows) {
            if (!is_active(row, m_input.active_years, *inscriptions.active_statuses)) {
                continue;
            }
            const int etape = m_etapes.id(row.etape);
            if (m_elements_on) {
                admit(row, etape, need_directory);
            }
            if (!row.label.empty()) {
                note_label(etape, row.year, row.label);
            }
            if (!allowed(row.etape)) {
                continue;
            }
            // The same inscription can appear several times (several NUM_OCC_IAE, a re-run
            // extraction): the first line is its reason. Counted before the directory is asked,
            // so that the source's size guard measures the source alone.
            const int version = m_versions.id(row.version);
            auto& slot = slot_of(row.student_number);
            const auto key = (static_cast<std::uint64_t>(slot.id) << 40) |
                             (static_cast<std::uint64_t>(etape) << 20) | static_cast<std::uint64_t>(version);
            if (!seen.insert(key)) {
                continue;
            }
            ++counted;
            const auto* entry = entry_of(slot);
            if (need_directory && !entry) {
                if (not_in_directory.insert(row.student_number).second && not_in_directory_example.empty()) {
                    not_in_directory_example =
                        fmt::format("{} ({}:{})", row.student_number, read.path, row.line);
                }
                continue;
            }
            const int student = student_of(row.student_number, &slot, entry);
            m_claims.push_back({student, etape, version, row.year, source, row.line});
            m_inscription_pairs.push_back({student, etape});
        }
        if (!not_in_directory.empty()) {
            m_desired.issues.push_back(
                {Severity::warning, read.path,
                 fmt::format(
                     "{} student(s) with an active inscription are not in the directory as students and "
                     "are left out (rule 'both'), e.g. {}",
                     not_in_directory.size(), not_in_directory_example)});
        }
    }

    // The element rule's first half: an active administrative inscription whose student passes
    // the directory side of the rule, whatever étapes membership.etape_patterns manages.
    void admit(const Inscription& row, int etape, bool need_directory) {
        auto& slot = slot_of(row.student_number);
        if (need_directory && !entry_of(slot)) {
            return;
        }
        m_admitted.insert(inscription_key(slot.id, etape, m_versions.id(row.version), row.year));
    }

    std::uint64_t inscription_key(int slot, int etape, int version, int year) const {
        const auto year_index = static_cast<std::uint64_t>(std::ranges::find(m_input.active_years, year) -
                                                           m_input.active_years.begin());
        return (year_index << 60) | (static_cast<std::uint64_t>(slot) << 36) |
               (static_cast<std::uint64_t>(etape) << 18) | static_cast<std::uint64_t>(version);
    }

    // The keys under which m_admitted would hold the inscription a contract needs: its étape and
    // version, or its étape without a version (an inscription source without a version column
    // admits every version of its étape).
    std::pair<std::uint64_t, std::uint64_t> admitting_keys(int slot, const ContractRow& row) {
        const int etape = m_etapes.id(row.etape);
        return {inscription_key(slot, etape, m_versions.id(row.version), row.year),
                inscription_key(slot, etape, m_versions.id(""), row.year)};
    }

    // An extract lists a student's rows together: the previous row's slot is kept, which spares
    // most rows a string hash (a million and a half rows).
    struct LastSlot {
        std::string_view number;
        NumberSlot* slot = nullptr;
    };
    NumberSlot& slot_of(std::string_view student_number, LastSlot& last) {
        if (!last.slot || student_number != last.number) {
            // std::unordered_map keeps its elements' addresses when it rehashes.
            last = {student_number, &slot_of(student_number)};
        }
        return *last.slot;
    }

    std::uint64_t followed_key(int slot, int element, int year) const {
        return (static_cast<std::uint64_t>(slot) << 32) | (static_cast<std::uint64_t>(element) << 12) |
               static_cast<std::uint64_t>(year & 0xfff);
    }

    // The sets the pedagogical rows ask are tens of megabytes, and a row's keys are nowhere near
    // the previous row's: each lookup would wait for memory. So rows go a block at a time: a first
    // pass finds each counting row's keys (`keys_of`, std::nullopt for a row that does not count),
    // then `claim` takes them in row order, the set slots (`slots_of`) of the row k_ahead later
    // already on their way to the cache. The prefetch is made here, on the addresses slots_of
    // returns: g++ 12 drops a call to a function whose only effect is __builtin_prefetch.
    static constexpr std::size_t k_block = 512;
    static constexpr std::size_t k_ahead = 8;

    template <class Row, class KeysOf, class SlotsOf, class Claim>
    static void in_blocks(const std::vector<Row>& rows, KeysOf keys_of, SlotsOf slots_of, Claim claim) {
        using Keys = typename std::invoke_result_t<KeysOf&, const Row&>::value_type;
        std::vector<Keys> block;
        block.reserve(k_block);
        for (std::size_t next = 0; next < rows.size();) {
            block.clear();
            for (; next < rows.size() && block.size() < k_block; ++next) {
                if (auto keys = keys_of(rows[next])) {
                    block.push_back(*keys);
                }
            }
            for (std::size_t i = 0; i < block.size(); ++i) {
                if (i + k_ahead < block.size()) {
                    for (const void* slot : slots_of(block[i + k_ahead])) {
                        __builtin_prefetch(slot);
                    }
                }
                claim(block[i]);
            }
        }
    }

    // A contract that counts, with its keys.
    struct ContractKeys {
        const ContractRow* row = nullptr;
        NumberSlot* slot = nullptr;
        int element = 0;
        std::uint64_t followed = 0;
        std::pair<std::uint64_t, std::uint64_t> admitting;
    };

    // The element rule (pedagogy_rules.hpp): a contract that counts, of a student admitted in
    // its étape. Counted before the inscriptions are asked, so that the source's size guard
    // measures the source alone.
    void claim_from_contracts(int source) {
        const auto& pedagogy = m_pedagogy[static_cast<std::size_t>(source)];
        const auto& rows = pedagogy.read->contracts;
        int& counted = m_desired.counts.records[pedagogy.count_key];
        plan::KeySet seen;
        seen.reserve(rows.size());
        m_followed.reserve(rows.size());
        m_claims.reserve(m_claims.size() + rows.size());
        LastSlot last;
        const auto keys_of = [&](const ContractRow& row) -> std::optional<ContractKeys> {
            if (contract_state(row, m_input.active_years, m_config.element_cohorts) !=
                ContractState::counts) {
                return std::nullopt;
            }
            const int element = m_elements.id(row.element);
            if (!row.label.empty()) {
                note_label(m_element_labels, m_elements.size(), element, row.year, row.label);
            }
            auto& slot = slot_of(row.student_number, last);
            return ContractKeys{&row, &slot, element, followed_key(slot.id, element, row.year),
                                admitting_keys(slot.id, row)};
        };
        const auto slots_of = [&](const ContractKeys& keys) {
            return std::array{seen.first_slot(keys.followed), m_followed.first_slot(keys.followed),
                              m_admitted.first_slot(keys.admitting.first)};
        };
        in_blocks(rows, keys_of, slots_of,
                  [&](const ContractKeys& keys) { claim_contract(keys, source, seen, counted); });
    }

    void claim_contract(const ContractKeys& keys, int source, plan::KeySet& seen, int& counted) {
        if (!seen.insert(keys.followed)) {
            return;
        }
        ++counted;
        if (!m_admitted.contains(keys.admitting.first) && !m_admitted.contains(keys.admitting.second)) {
            return;
        }
        m_followed.insert(keys.followed);
        const auto element = static_cast<std::size_t>(keys.element);
        if (m_nature.size() <= element) {
            m_nature.resize(m_elements.size());
        }
        const auto& row = *keys.row;
        if (!m_nature[element]) {
            m_nature[element] = row.nature;
        }
        const int student = student_of(row.student_number, keys.slot, entry_of(*keys.slot));
        m_claims.push_back({student, keys.element, 0, row.year, source, row.line, k_element_claim});
    }

    // A group's id, by its element's and its code's: the key string ("UE12/TD1") is built only
    // the first time the pair is seen, not for each of half a million rows.
    int group_of(const GroupRow& row, int element) {
        const auto pair = (static_cast<std::uint64_t>(element) << 32) |
                          static_cast<std::uint64_t>(m_group_codes.id(row.group));
        const auto [group, added] = m_group_of_pair.try_emplace(pair);
        if (added) {
            *group = m_groups.id_of_copy(group_key(row.element, row.group));
        }
        return *group;
    }

    // A group assignment that counts, with its keys.
    struct GroupKeys {
        const GroupRow* row = nullptr;
        NumberSlot* slot = nullptr;
        int group = 0;
        std::uint64_t assigned = 0; // (student, group, year)
        std::uint64_t followed = 0; // (student, element, year)
    };

    // The group rule: an assignment that counts, of a student in the element's cohort.
    void claim_from_groups(int source) {
        const auto& pedagogy = m_pedagogy[static_cast<std::size_t>(source)];
        int& counted = m_desired.counts.records[pedagogy.count_key];
        plan::KeySet seen;
        seen.reserve(pedagogy.read->groups.size());
        m_claims.reserve(m_claims.size() + pedagogy.read->groups.size());
        LastSlot last;
        const auto keys_of = [&](const GroupRow& row) -> std::optional<GroupKeys> {
            if (group_state(row, m_input.active_years, m_config.group_cohorts) != GroupState::counts) {
                return std::nullopt;
            }
            const int element = m_elements.id(row.element);
            const int group = group_of(row, element);
            if (static_cast<std::size_t>(group) == m_group_parts.size()) {
                m_group_parts.push_back(
                    {std::string(row.element), std::string(row.group), std::string(row.type)});
            }
            if (!row.label.empty()) {
                note_label(m_group_labels, m_groups.size(), group, row.year, row.label);
            }
            auto& slot = slot_of(row.student_number, last);
            return GroupKeys{&row, &slot, group, followed_key(slot.id, group, row.year),
                             followed_key(slot.id, element, row.year)};
        };
        const auto slots_of = [&](const GroupKeys& keys) {
            return std::array{seen.first_slot(keys.assigned), m_followed.first_slot(keys.followed)};
        };
        in_blocks(pedagogy.read->groups, keys_of, slots_of, [&](const GroupKeys& keys) {
            if (!seen.insert(keys.assigned)) {
                return;
            }
            ++counted;
            if (!m_followed.contains(keys.followed)) {
                return;
            }
            const auto& row = *keys.row;
            const int student = student_of(row.student_number, keys.slot, entry_of(*keys.slot));
            m_claims.push_back({student, keys.group, 0, row.year, source, row.line, k_group_claim});
        });
    }

    void claim_from_directory() {
        const auto& entries = m_directory->entries;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& entry = entries[i];
            if (entry.login.empty() && entry.student_number.empty()) {
                continue;
            }
            auto* slot = entry.student_number.empty() ? nullptr : &slot_of(entry.student_number);
            for (const auto& [etape, version] : directory_etapes_of(i)) {
                m_claims.push_back(
                    {student_of(entry.student_number, slot, &entry), etape, version, m_current_year, -1, 0});
            }
        }
    }

    void note_label(int etape, int year, std::string_view text) {
        note_label(m_labels, m_etapes.size(), etape, year, text);
    }

    struct Label;
    // The latest year's label of a key wins.
    static void note_label(std::vector<Label>& labels, std::size_t keys, int key, int year,
                           std::string_view text) {
        if (labels.size() <= static_cast<std::size_t>(key)) {
            labels.resize(keys);
        }
        auto& label = labels[static_cast<std::size_t>(key)];
        if (year >= label.year) {
            label = {year, text};
        }
    }

    static std::string label_in(const std::vector<Label>& labels, const Interned& keys, int key) {
        const auto index = static_cast<std::size_t>(key);
        return index < labels.size() && labels[index].text ? std::string(*labels[index].text)
                                                           : std::string(keys.text(key));
    }

    std::string label_of(int etape) const { return label_in(m_labels, m_etapes, etape); }

    // Where both sources speak about a student, the étapes only one of them names.
    void cross_check() {
        auto& check = m_desired.cross_check;
        std::ranges::sort(m_inscription_pairs);
        m_inscription_pairs.erase(std::unique(m_inscription_pairs.begin(), m_inscription_pairs.end()),
                                  m_inscription_pairs.end());
        // Each student's étapes in the export, sorted: a slice of the sorted pairs.
        std::vector<std::size_t> export_begin(m_students.size() + 1, m_inscription_pairs.size());
        for (std::size_t p = m_inscription_pairs.size(); p-- > 0;) {
            export_begin[static_cast<std::size_t>(m_inscription_pairs[p].first)] = p;
        }
        for (std::size_t student = m_students.size(); student-- > 0;) {
            export_begin[student] = std::min(export_begin[student], export_begin[student + 1]);
        }
        std::vector<int> in_export;
        std::vector<int> in_directory;
        std::vector<int> only;
        const auto& entries = m_directory->entries;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& entry = entries[i];
            const auto it = entry.student_number.empty() ? m_slots.end() : m_slots.find(entry.student_number);
            if (it == m_slots.end() || it->second.student == 0) {
                continue; // the export does not speak about this student
            }
            const auto student = static_cast<std::size_t>(it->second.student - 1);
            in_export.clear();
            for (auto p = export_begin[student]; p < export_begin[student + 1]; ++p) {
                in_export.push_back(m_inscription_pairs[p].second);
            }
            if (in_export.empty()) {
                continue;
            }
            ++check.students_compared;
            in_directory.clear();
            for (const auto& [etape, version] : directory_etapes_of(i)) {
                in_directory.push_back(etape);
            }
            in_directory.erase(std::unique(in_directory.begin(), in_directory.end()), in_directory.end());
            only.clear();
            std::ranges::set_difference(in_export, in_directory, std::back_inserter(only));
            for (const int etape : only) {
                ++check.only_in_export;
                note({entry.student_number, to_lower_ascii(entry.login), std::string(m_etapes.text(etape)),
                      k_inscription_side, entry.dn});
            }
            only.clear();
            std::ranges::set_difference(in_directory, in_export, std::back_inserter(only));
            for (const int etape : only) {
                ++check.only_in_directory;
                note({entry.student_number, to_lower_ascii(entry.login), std::string(m_etapes.text(etape)),
                      "directory", entry.dn});
            }
        }
    }

    void note(Disagreement disagreement) {
        auto& check = m_desired.cross_check;
        if (check.examples.size() < k_examples) {
            check.examples.push_back(disagreement);
        }
        check.all.push_back(std::move(disagreement));
    }

    // The cohort a claim belongs to: templates are expanded once per (kind, key, version, year).
    int cohort_of(const Claim& claim, std::map<std::string, int>& by_idnumber) {
        // Nearly every key has one (version, year): its last one's cohort is kept by key id, which
        // spares most of two million claims a hash lookup.
        auto& by_key = m_last_cohort[static_cast<std::size_t>(claim.kind)];
        if (by_key.size() <= static_cast<std::size_t>(claim.etape)) {
            by_key.resize(static_cast<std::size_t>(claim.etape) + 1);
        }
        auto& last = by_key[static_cast<std::size_t>(claim.etape)];
        if (last.cohort >= 0 && last.version == claim.version && last.year == claim.year) {
            return last.cohort;
        }
        const auto key =
            (static_cast<std::uint64_t>(claim.kind) << 62) | (static_cast<std::uint64_t>(claim.etape) << 40) |
            (static_cast<std::uint64_t>(claim.version) << 16) | static_cast<std::uint64_t>(claim.year);
        if (const auto* cohort = m_cohort_of_key.find(key)) {
            last = {claim.version, claim.year, *cohort};
            return *cohort;
        }
        const auto& kind = *cohort_kinds()[static_cast<std::size_t>(claim.kind)];
        const std::string year = std::to_string(claim.year);
        std::string subject;
        std::string label;
        std::vector<TemplateValue> values;
        if (claim.kind == k_etape_claim) {
            subject = m_etapes.text(claim.etape);
            label = label_of(claim.etape);
            values = {{"etape", subject}, {"version", m_versions.text(claim.version)}};
        } else if (claim.kind == k_element_claim) {
            subject = m_elements.text(claim.etape);
            label = label_in(m_element_labels, m_elements, claim.etape);
            const auto element = static_cast<std::size_t>(claim.etape);
            const auto nature = element < m_nature.size() ? m_nature[element] : std::nullopt;
            // A view into the extract's pool of texts, which outlives the merge.
            values = {{"element", subject}, {"nature", nature.value_or(std::string_view())}};
        } else {
            const auto& parts = m_group_parts[static_cast<std::size_t>(claim.etape)];
            subject = m_groups.text(claim.etape);
            label = label_in(m_group_labels, m_groups, claim.etape);
            values = {{"element", parts.element}, {"group", parts.group}, {"type", parts.type}};
        }
        values.push_back({"label", label});
        values.push_back({"year", year});
        const auto idnumber = expand_template(kind.idnumber_template(m_config), values);
        auto [it, added] = by_idnumber.try_emplace(idnumber, static_cast<int>(m_cohorts.size()));
        if (added) {
            DesiredCohort cohort;
            cohort.kind = kind.name();
            cohort.etape = subject;
            cohort.idnumber = idnumber;
            cohort.label = label;
            cohort.name = expand_template(kind.name_template(m_config), values);
            cohort.description = expand_template(kind.description_template(m_config), values);
            m_cohorts.push_back(std::move(cohort));
        }
        m_cohort_of_key.try_emplace(key, it->second);
        last = {claim.version, claim.year, it->second};
        return it->second;
    }

    DesiredStudent describe(const Student& student) const {
        DesiredStudent out;
        out.student_number = student.number;
        out.login = student.login;
        if (student.entry) {
            out.first_name = student.entry->first_name;
            out.last_name = student.entry->last_name;
            out.mail = student.entry->mail;
            if (m_directory_claims) {
                out.dn = student.entry->dn;
            }
        }
        return out;
    }

    // Each student's place in (student number, login) order. A number's first 8 bytes, big-endian,
    // order two numbers as their strings do whenever they differ (student numbers are 8 digits or
    // so: nearly always), so the sort compares integers and only ties look at the strings. At a
    // hundred thousand students comparing the strings themselves was a tenth of a no-change
    // night's instructions (bench/profile).
    std::vector<int> rank_students() const {
        struct SortKey {
            std::uint64_t prefix;
            int student;
        };
        std::vector<SortKey> order;
        order.reserve(m_students.size());
        for (std::size_t i = 0; i < m_students.size(); ++i) {
            order.push_back({prefix_key(m_students[i].number), static_cast<int>(i)});
        }
        std::ranges::sort(order, [this](const SortKey& x, const SortKey& y) {
            if (x.prefix != y.prefix) {
                return x.prefix < y.prefix;
            }
            const auto& a = m_students[static_cast<std::size_t>(x.student)];
            const auto& b = m_students[static_cast<std::size_t>(y.student)];
            const int by_number = a.number.compare(b.number);
            return by_number != 0 ? by_number < 0 : a.login < b.login;
        });
        std::vector<int> rank(m_students.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            rank[static_cast<std::size_t>(order[i].student)] = static_cast<int>(i);
        }
        return rank;
    }

    // The first 8 bytes of `text` as a big-endian integer, zero-padded: unsigned comparison of two
    // keys agrees with the strings' order when the keys differ.
    static std::uint64_t prefix_key(std::string_view text) {
        std::uint64_t key = 0;
        for (std::size_t i = 0; i < 8; ++i) {
            key = (key << 8) | (i < text.size() ? static_cast<unsigned char>(text[i]) : 0U);
        }
        return key;
    }

    // A stable counting sort of `items` by `field`, whose values are in [0, values), through
    // `scratch` (which it leaves holding the items' previous order: the next sort reuses it).
    template <class Item>
    static void counting_sort(std::vector<Item>& items, std::vector<Item>& scratch, std::size_t values,
                              int Item::*field) {
        std::vector<std::size_t> begin(values + 1, 0);
        for (const auto& item : items) {
            ++begin[static_cast<std::size_t>(item.*field) + 1];
        }
        for (std::size_t v = 0; v < values; ++v) {
            begin[v + 1] += begin[v];
        }
        scratch.resize(items.size());
        for (const auto& item : items) {
            scratch[begin[static_cast<std::size_t>(item.*field)]++] = item;
        }
        items.swap(scratch);
    }

    // Each source's name once in Desired::reason_sources: the inscription sources', the
    // pedagogical extracts', then the directory's.
    void name_reason_sources() {
        auto& names = m_desired.reason_sources;
        for (const auto& source : m_inscriptions) {
            names.push_back(source.name);
        }
        for (const auto& source : m_pedagogy) {
            names.push_back(source.name);
        }
        names.emplace_back(k_directory_reason);
    }

    MemberReason reason_of(const Claim& claim) const {
        const auto inscriptions = static_cast<int>(m_inscriptions.size());
        if (claim.kind != k_etape_claim) {
            return {inscriptions + claim.source, claim.line};
        }
        if (claim.source >= 0) {
            return {claim.source, claim.line};
        }
        return {inscriptions + static_cast<int>(m_pedagogy.size()), 0};
    }

    void build_cohorts() {
        std::map<std::string, int> by_idnumber;
        // A claim's reason travels with it: looked up by claim index after the sorts, each of two
        // million reads would wait for memory.
        struct Membership {
            int cohort;
            int rank; // the student's place in (student number, login) order
            MemberReason reason;
        };
        // Every student has at least one claim, so every one is placed: the rank is the index
        // in Desired::students.
        const std::vector<int> rank = rank_students();
        m_desired.students.resize(m_students.size());
        for (std::size_t student = 0; student < m_students.size(); ++student) {
            m_desired.students[static_cast<std::size_t>(rank[student])] = describe(m_students[student]);
        }
        std::vector<Membership> memberships;
        memberships.reserve(m_claims.size());
        for (const auto& claim : m_claims) {
            memberships.push_back({cohort_of(claim, by_idnumber),
                                   rank[static_cast<std::size_t>(claim.student)], reason_of(claim)});
        }
        m_claims = {}; // 50 MB at 100,000 students, which the sorts below can use again
        // In (cohort, rank, claim) order. The claims are in claim order already, so two stable
        // counting sorts, by rank and then by cohort, make it in linear time: with element and
        // group cohorts there are a million and a half of them, which a comparison sort took
        // a fifth of a second over (bench/run --pedagogy).
        std::vector<Membership> scratch;
        counting_sort(memberships, scratch, rank.size(), &Membership::rank);
        counting_sort(memberships, scratch, m_cohorts.size(), &Membership::cohort);
        scratch = {};
        // Each cohort's members are allocated once: a university has hundreds of thousands.
        std::vector<std::size_t> sizes(m_cohorts.size());
        for (std::size_t i = 0; i < memberships.size(); ++i) {
            if (i == 0 || memberships[i].cohort != memberships[i - 1].cohort ||
                memberships[i].rank != memberships[i - 1].rank) {
                ++sizes[static_cast<std::size_t>(memberships[i].cohort)];
            }
        }
        for (std::size_t c = 0; c < m_cohorts.size(); ++c) {
            m_cohorts[c].members.reserve(sizes[c]);
        }
        name_reason_sources();
        auto& reasons = m_desired.reasons;
        reasons.reserve(memberships.size());
        for (std::size_t i = 0; i < memberships.size();) {
            const auto& first = memberships[i];
            auto& member = m_cohorts[static_cast<std::size_t>(first.cohort)].members.emplace_back();
            member.student = first.rank;
            member.first_reason = static_cast<std::uint32_t>(reasons.size());
            for (; i < memberships.size() && memberships[i].cohort == first.cohort &&
                   memberships[i].rank == first.rank;
                 ++i) {
                reasons.push_back(memberships[i].reason);
            }
            const auto own = reasons.begin() + member.first_reason;
            if (reasons.end() - own > 1) {
                std::sort(own, reasons.end());
                reasons.erase(std::unique(own, reasons.end()), reasons.end());
            }
            member.reason_count = static_cast<std::uint32_t>(reasons.end() - own);
        }
        m_desired.counts.students = static_cast<int>(m_desired.students.size());
        m_desired.cohorts_per_student[std::string(k_etape_kind)].assign(m_desired.students.size(), 0);
        for (const auto& cohort : m_cohorts) {
            auto& per_student = m_desired.cohorts_per_student[cohort.kind];
            per_student.resize(m_desired.students.size());
            for (const auto& member : cohort.members) {
                ++per_student[static_cast<std::size_t>(member.student)];
            }
        }
        for (const auto& [idnumber, index] : by_idnumber) {
            auto& cohort = m_cohorts[static_cast<std::size_t>(index)];
            auto& per_key = cohort.kind == k_etape_kind ? m_desired.counts.per_etape
                                                        : m_desired.counts.per_kind[cohort.kind];
            per_key[cohort.etape] += static_cast<int>(cohort.members.size());
            m_desired.cohorts.push_back(std::move(cohort));
        }
    }

    struct Label {
        int year = 0;
        std::optional<std::string_view> text; // a view into the source's rows, or its pool of texts
    };

    const MergeInput& m_input;
    const Config& m_config;
    int m_current_year;
    const DirectoryRead* m_directory = nullptr; // null when no directory is read
    bool m_directory_claims = false;            // the rule takes étapes from the directory
    std::string_view m_directory_count_key;
    std::vector<InscriptionSource> m_inscriptions;
    std::size_t m_inscription_rows = 0; // of every inscription source
    Desired m_desired;
    Interned m_etapes;
    Interned m_versions;
    std::unordered_map<std::string_view, NumberSlot> m_slots; // by student number, both sources
    // Per directory entry, its (étape, version) sorted: entry i's are [begin[i], begin[i + 1]).
    std::vector<std::pair<int, int>> m_directory_etapes;
    std::vector<std::size_t> m_directory_etapes_begin;
    std::vector<Student> m_students;
    std::unordered_map<std::string, int> m_by_login; // student index + 1, entries without number
    std::vector<Claim> m_claims;
    std::vector<std::pair<int, int>> m_inscription_pairs; // (student, étape) from the inscription sources
    std::vector<Label> m_labels;                          // by étape id
    std::vector<PedagogySource> m_pedagogy;
    bool m_elements_on = false;
    bool m_groups_on = false;
    Interned m_elements;
    Interned m_groups;                                     // group keys, "UE12/TD1"
    Interned m_group_codes;                                // COD_EXT_GPE alone
    plan::KeyMap m_group_of_pair;                          // (element id, group code id) -> group id
    std::vector<GroupParts> m_group_parts;                 // by group id
    std::vector<Label> m_element_labels;                   // by element id
    std::vector<Label> m_group_labels;                     // by group id
    std::vector<std::optional<std::string_view>> m_nature; // by element id: its first counted contract's
    plan::KeySet m_admitted;                               // inscription_key of the admitted inscriptions
    plan::KeySet m_followed;                               // followed_key of the element claims
    plan::KeyMap m_cohort_of_key;
    struct LastCohort {
        int version = 0;
        int year = 0;
        int cohort = -1;
    };
    std::array<std::vector<LastCohort>, 3> m_last_cohort; // by claim kind, by key id
    std::vector<DesiredCohort> m_cohorts;
};

} // namespace

std::string expand_template(const std::string& pattern, std::span<const TemplateValue> values) {
    std::string out;
    out.reserve(pattern.size() + 32);
    for (std::size_t i = 0; i < pattern.size();) {
        const auto close = pattern[i] == '{' ? pattern.find('}', i) : std::string::npos;
        if (close == std::string::npos) {
            out += pattern[i++];
            continue;
        }
        const std::string_view name(pattern.data() + i + 1, close - i - 1);
        const auto value = std::ranges::find(values, name, &TemplateValue::name);
        if (value != values.end()) {
            out += value->value;
        } else {
            out.append(pattern, i, close - i + 1);
        }
        i = close + 1;
    }
    return out;
}

std::string expand_template(const std::string& pattern, const std::string& etape, const std::string& version,
                            const std::string& label, int year) {
    const std::string year_text = std::to_string(year);
    const std::array<TemplateValue, 4> values = {
        {{"etape", etape}, {"version", version}, {"label", label}, {"year", year_text}}};
    return expand_template(pattern, values);
}

Desired merge(const MergeInput& input, const Config& config) {
    return Merger(input, config).run();
}

} // namespace cohort_sync
