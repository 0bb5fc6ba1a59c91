#include "cohort_sync/merge.hpp"

#include "cohort_sync/etape.hpp"
#include "cohort_sync/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace cohort_sync {
namespace {

constexpr std::size_t k_examples = 10;

bool rule_uses_export(MembershipRule rule) {
    return rule != MembershipRule::directory;
}
bool rule_uses_directory_etapes(MembershipRule rule) {
    return rule == MembershipRule::directory || rule == MembershipRule::union_;
}

bool allowed(const std::vector<std::string>& patterns, const std::string& etape) {
    return patterns.empty() ||
           std::ranges::any_of(patterns, [&](const std::string& p) { return etape_matches(p, etape); });
}

// One student's claim to one cohort, before members are grouped.
struct Claim {
    std::string etape;
    std::string version;
    int year = 0;
    Reason reason;
};

struct StudentKey {
    std::string student_number;
    std::string login;
    friend auto operator<=>(const StudentKey&, const StudentKey&) = default;
};

class Merger {
public:
    Merger(const MergeInput& input, const Config& config)
        : m_input(input)
        , m_config(config)
        , m_current_year(input.active_years.empty() ? 0 : input.active_years.front()) {}

    Desired run() {
        index_directory();
        if (m_input.apogee && rule_uses_export(m_config.membership.rule)) {
            claim_from_export();
        }
        if (m_input.directory && rule_uses_directory_etapes(m_config.membership.rule)) {
            claim_from_directory();
        }
        if (m_input.directory && m_input.apogee) {
            cross_check();
        }
        build_cohorts();
        return std::move(m_desired);
    }

private:
    void index_directory() {
        if (!m_input.directory) {
            return;
        }
        for (const auto& entry : m_input.directory->entries) {
            if (!entry.student_number.empty()) {
                m_by_student_number.emplace(entry.student_number, &entry);
            }
            std::vector<EtapeRef> etapes;
            for (const auto& raw : entry.etape_values) {
                auto value = parse_etape_value(raw, m_config.ldap.institution_uai);
                if (value.etape) {
                    etapes.push_back(*value.etape);
                } else {
                    auto& rejected = m_rejected_etape_values[value.rejected_because];
                    if (rejected.count++ == 0) {
                        rejected.example = raw;
                    }
                }
            }
            std::ranges::sort(etapes);
            etapes.erase(std::unique(etapes.begin(), etapes.end()), etapes.end());
            m_directory_etapes.emplace(&entry, std::move(etapes));
        }
        for (const auto& [reason, rejected] : m_rejected_etape_values) {
            m_desired.issues.push_back({Severity::warning, m_config.ldap.attributes.etapes,
                                        fmt::format("{} value(s) ignored: {} (e.g. '{}')", rejected.count,
                                                    reason, rejected.example)});
        }
        m_desired.counts.directory_entries = static_cast<int>(m_input.directory->entries.size());
    }

    const DirectoryEntry* find_in_directory(const std::string& student_number) const {
        const auto it = m_by_student_number.find(student_number);
        return it == m_by_student_number.end() ? nullptr : it->second;
    }

    bool year_active(int year) const {
        return std::ranges::find(m_input.active_years, year) != m_input.active_years.end();
    }

    bool status_active(const std::string& status) const {
        return std::ranges::find(m_config.apogee.active_statuses, status) !=
               m_config.apogee.active_statuses.end();
    }

    void claim_from_export() {
        const auto& apogee = *m_input.apogee;
        const bool need_directory = m_config.membership.rule == MembershipRule::both;
        std::set<std::string> not_in_directory;
        std::string not_in_directory_example;
        std::unordered_set<std::string> seen;
        seen.reserve(apogee.rows.size());
        for (const auto& row : apogee.rows) {
            if (!year_active(row.year) || !status_active(row.status)) {
                continue;
            }
            if (!row.label.empty()) {
                auto& label = m_labels[row.etape];
                if (row.year >= label.year) {
                    label = {row.year, row.label};
                }
            }
            if (!allowed(m_config.membership.etape_patterns, row.etape)) {
                continue;
            }
            // The same inscription can appear several times (several NUM_OCC_IAE, a re-run
            // extraction): the first line is its reason.
            if (!seen.insert(row.student_number + '\x1f' + row.etape + '\x1f' + row.version).second) {
                continue;
            }
            ++m_desired.counts.export_inscriptions;
            const auto* entry = m_input.directory ? find_in_directory(row.student_number) : nullptr;
            if (need_directory && !entry) {
                if (not_in_directory.insert(row.student_number).second && not_in_directory_example.empty()) {
                    not_in_directory_example =
                        fmt::format("{} ({}:{})", row.student_number, apogee.path, row.line);
                }
                continue;
            }
            const std::string version = row.version;
            add_claim(
                row.student_number, entry,
                {row.etape, version, row.year, {"export", fmt::format("{}:{}", apogee.path, row.line)}});
            m_export_etapes[row.student_number].insert(row.etape);
        }
        if (!not_in_directory.empty()) {
            m_desired.issues.push_back(
                {Severity::warning, apogee.path,
                 fmt::format(
                     "{} student(s) with an active inscription are not in the directory as students and "
                     "are left out (rule 'both'), e.g. {}",
                     not_in_directory.size(), not_in_directory_example)});
        }
    }

    void claim_from_directory() {
        for (const auto& entry : m_input.directory->entries) {
            if (entry.login.empty() && entry.student_number.empty()) {
                continue;
            }
            for (const auto& etape : m_directory_etapes.at(&entry)) {
                if (!allowed(m_config.membership.etape_patterns, etape.code)) {
                    continue;
                }
                add_claim(entry.student_number, &entry,
                          {etape.code, etape.version, m_current_year, {"directory", entry.dn}});
            }
        }
    }

    void add_claim(const std::string& student_number, const DirectoryEntry* entry, Claim claim) {
        StudentKey key{student_number, entry ? to_lower_ascii(entry->login) : std::string()};
        auto& student = m_students[key];
        if (student.login.empty() && entry) {
            student.student_number = student_number;
            student.login = to_lower_ascii(entry->login);
            student.first_name = entry->first_name;
            student.last_name = entry->last_name;
            student.mail = entry->mail;
        }
        student.student_number = student_number;
        m_claims[key].push_back(std::move(claim));
    }

    void cross_check() {
        auto& check = m_desired.cross_check;
        for (const auto& entry : m_input.directory->entries) {
            if (entry.student_number.empty()) {
                continue;
            }
            const auto in_export = m_export_etapes.find(entry.student_number);
            if (in_export == m_export_etapes.end()) {
                continue; // the export does not speak about this student
            }
            ++check.students_compared;
            std::set<std::string> in_directory;
            for (const auto& etape : m_directory_etapes.at(&entry)) {
                in_directory.insert(etape.code);
            }
            for (const auto& etape : in_export->second) {
                if (!in_directory.contains(etape)) {
                    ++check.only_in_export;
                    note({entry.student_number, to_lower_ascii(entry.login), etape, "export", entry.dn});
                }
            }
            for (const auto& etape : in_directory) {
                if (!in_export->second.contains(etape)) {
                    ++check.only_in_directory;
                    note({entry.student_number, to_lower_ascii(entry.login), etape, "directory", entry.dn});
                }
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

    void build_cohorts() {
        const auto& membership = m_config.membership;
        std::map<std::string, DesiredCohort> cohorts; // by idnumber
        std::set<StudentKey> students;
        for (const auto& [key, claims] : m_claims) {
            const auto& student = m_students.at(key);
            std::map<std::string, DesiredMember> mine; // by idnumber: one membership per cohort
            for (const auto& claim : claims) {
                const std::string label = label_of(claim.etape);
                const std::string idnumber = expand_template(membership.idnumber_template, claim.etape,
                                                             claim.version, label, claim.year);
                auto [cohort, created] = cohorts.try_emplace(idnumber);
                if (created) {
                    cohort->second.etape = claim.etape;
                    cohort->second.idnumber = idnumber;
                    cohort->second.label = label;
                    cohort->second.name = expand_template(membership.name_template, claim.etape,
                                                          claim.version, label, claim.year);
                    cohort->second.description = expand_template(membership.description_template, claim.etape,
                                                                 claim.version, label, claim.year);
                }
                auto [member, fresh] = mine.try_emplace(idnumber, student);
                if (fresh) {
                    member->second.reasons.clear();
                }
                member->second.reasons.push_back(claim.reason);
            }
            for (auto& [idnumber, member] : mine) {
                std::ranges::sort(member.reasons);
                member.reasons.erase(std::unique(member.reasons.begin(), member.reasons.end()),
                                     member.reasons.end());
                cohorts.at(idnumber).members.push_back(std::move(member));
            }
            students.insert(key);
        }
        for (auto& [idnumber, cohort] : cohorts) {
            std::ranges::sort(cohort.members, [](const DesiredMember& a, const DesiredMember& b) {
                return std::tie(a.student_number, a.login) < std::tie(b.student_number, b.login);
            });
            m_desired.counts.per_etape[cohort.etape] += static_cast<int>(cohort.members.size());
            m_desired.cohorts.push_back(std::move(cohort));
        }
        m_desired.counts.students = static_cast<int>(students.size());
    }

    std::string label_of(const std::string& etape) const {
        const auto it = m_labels.find(etape);
        return it == m_labels.end() ? etape : it->second.text;
    }

    struct Label {
        int year = 0;
        std::string text;
    };
    struct Rejected {
        int count = 0;
        std::string example;
    };

    const MergeInput& m_input;
    const Config& m_config;
    int m_current_year;
    Desired m_desired;
    std::unordered_map<std::string, const DirectoryEntry*> m_by_student_number;
    std::unordered_map<const DirectoryEntry*, std::vector<EtapeRef>> m_directory_etapes;
    std::map<std::string, Rejected> m_rejected_etape_values;
    std::unordered_map<std::string, Label> m_labels;
    std::unordered_map<std::string, std::set<std::string>> m_export_etapes; // student number -> étapes
    std::map<StudentKey, DesiredMember> m_students;
    std::map<StudentKey, std::vector<Claim>> m_claims;
};

} // namespace

std::string expand_template(const std::string& pattern, const std::string& etape, const std::string& version,
                            const std::string& label, int year) {
    std::string out;
    out.reserve(pattern.size() + label.size());
    for (std::size_t i = 0; i < pattern.size();) {
        const auto close = pattern[i] == '{' ? pattern.find('}', i) : std::string::npos;
        if (close == std::string::npos) {
            out += pattern[i++];
            continue;
        }
        const std::string_view name(pattern.data() + i + 1, close - i - 1);
        if (name == "etape") {
            out += etape;
        } else if (name == "version") {
            out += version;
        } else if (name == "label") {
            out += label;
        } else if (name == "year") {
            out += std::to_string(year);
        } else {
            out.append(pattern, i, close - i + 1);
        }
        i = close + 1;
    }
    return out;
}

Desired merge(const MergeInput& input, const Config& config) {
    return Merger(input, config).run();
}

} // namespace cohort_sync
