#include "writers.hpp"

#include "names.hpp"
#include "output_file.hpp"
#include "text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <stdexcept>
#include <system_error>

namespace cohort_sync::generator {

namespace {

// Another institution's UAI for the values that must be ignored; never our own.
std::string foreign_uai(const Options& options) {
    return options.uai == "0751234X" ? "0331234Y" : "0751234X";
}

class LdifEntry {
public:
    LdifEntry(std::string& out, DirectoryCounts& counts)
        : m_out(out)
        , m_counts(counts) {}

    void line(std::string_view attribute, std::string_view value) {
        if (!ldif_safe(value)) {
            ++m_counts.base64_values;
        }
        append_ldif_line(m_out, attribute, value);
    }

    void person(const Options& options, const std::string& login, std::uint16_t given, std::uint16_t family,
                const std::string& mail) {
        const std::string_view given_name = given_names()[given];
        const std::string_view family_name = family_names()[family];
        line("dn", fmt::format("uid={},{}", login, options.base_dn));
        for (const char* object_class :
             {"top", "person", "organizationalPerson", "inetOrgPerson", "eduPerson", "supannPerson"}) {
            line("objectClass", object_class);
        }
        line("uid", login);
        line("cn", fmt::format("{} {}", given_name, family_name));
        line("sn", family_name);
        line("givenName", given_name);
        line("mail", mail);
    }

    void end() {
        m_out += '\n';
        ++m_counts.entries;
    }

private:
    std::string& m_out;
    DirectoryCounts& m_counts;
};

std::string etape_value(const Etape& etape, std::string_view version, EtapeForm form,
                        const std::string& uai) {
    switch (form) {
    case EtapeForm::bare:
        return etape.code;
    case EtapeForm::code_version:
        return fmt::format("{}-{}", etape.code, version);
    case EtapeForm::uai:
        break;
    }
    return fmt::format("{{UAI:{}}}{}", uai, etape.code);
}

// The accepted étapes of a student entry: its active ones and the one only LDAP has.
std::vector<std::uint32_t> directory_etapes(const Student& s, const std::vector<std::uint32_t>& active) {
    std::vector<std::uint32_t> etapes = active;
    if (s.directory_only_etape >= 0) {
        etapes.push_back(static_cast<std::uint32_t>(s.directory_only_etape));
    }
    std::sort(etapes.begin(), etapes.end());
    etapes.erase(std::unique(etapes.begin(), etapes.end()), etapes.end());
    return etapes;
}

bool has_student_entry(const Student& s, const std::vector<std::uint32_t>& active) {
    return s.in_directory && !active.empty();
}

void write_ldif(const University& u, const Options& options, const std::filesystem::path& path,
                DirectoryCounts& counts) {
    OutputFile file(path);
    std::string& out = file.buffer();
    // No "version: 1" line: ldapadd takes the file either way, slapadd 2.5 does not.
    const std::string other_uai = foreign_uai(options);
    for (const auto& s : u.students) {
        const auto active = active_etapes(s);
        if (!s.in_directory) {
            counts.students_missing += active.empty() ? 0 : 1;
            continue;
        }
        LdifEntry entry(out, counts);
        entry.person(options, s.login, s.given, s.family, s.mail);
        if (active.empty()) {
            // Withdrew: the directory keeps the person as a former student, whom the
            // student filter must not select.
            entry.line("eduPersonAffiliation", "alum");
            entry.line("eduPersonAffiliation", "member");
            entry.line("eduPersonPrimaryAffiliation", "alum");
            entry.line("supannEtuId", fmt::format("{}", s.number));
            entry.end();
            ++counts.alum_entries;
            file.maybe_flush();
            continue;
        }
        entry.line("eduPersonAffiliation", "student");
        entry.line("eduPersonAffiliation", "member");
        entry.line("eduPersonPrimaryAffiliation", "student");
        entry.line("supannEtuId", fmt::format("{}", s.number));
        for (const auto& e : s.enrolments) {
            if (e.year_offset == 0 && e.status == 'E') {
                const Etape& etape = u.catalogue.at(e.etape);
                entry.line("supannEtuEtape",
                           etape_value(etape, etape.versions[e.version], s.form, options.uai));
                ++counts.etape_values;
            }
        }
        if (s.directory_only_etape >= 0 &&
            !std::binary_search(active.begin(), active.end(),
                                static_cast<std::uint32_t>(s.directory_only_etape))) {
            const Etape& etape = u.catalogue.at(static_cast<std::uint32_t>(s.directory_only_etape));
            entry.line("supannEtuEtape", etape_value(etape, etape.versions.front(), s.form, options.uai));
            ++counts.etape_values;
            ++counts.directory_only_values;
        }
        if (s.foreign_etape >= 0) {
            const Etape& etape = u.catalogue.at(static_cast<std::uint32_t>(s.foreign_etape));
            entry.line("supannEtuEtape", fmt::format("{{UAI:{}}}{}", other_uai, etape.code));
            ++counts.etape_values;
            ++counts.foreign_etape_values;
        }
        entry.end();
        ++counts.student_entries;
        counts.bare_code_entries += s.form == EtapeForm::bare ? 1 : 0;
        counts.code_version_entries += s.form == EtapeForm::code_version ? 1 : 0;
        file.maybe_flush();
    }
    for (const auto& staff : u.staff) {
        LdifEntry entry(out, counts);
        entry.person(options, staff.login, staff.given, staff.family, staff.mail);
        const char* primary = staff.faculty ? "faculty" : "staff";
        entry.line("eduPersonAffiliation", primary);
        entry.line("eduPersonAffiliation", "employee");
        entry.line("eduPersonAffiliation", "member");
        entry.line("eduPersonPrimaryAffiliation", primary);
        entry.line("supannEmpId", fmt::format("{}", staff.employee_number));
        entry.end();
        ++counts.staff_entries;
    }
    file.commit();
}

void write_export(const University& u, const Options& options, const std::filesystem::path& path,
                  ExportCounts& counts) {
    OutputFile file(path);
    std::string& out = file.buffer();
    out += "COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;NUM_OCC_IAE;ETA_IAE;LIB_ETP\r\n";
    std::vector<std::int64_t> per_etape(u.catalogue.size(), 0);
    for (const auto& s : u.students) {
        for (const auto& e : s.enrolments) {
            const Etape& etape = u.catalogue.at(e.etape);
            const int year = options.year + e.year_offset;
            std::string code = etape.code;
            if (e.padded && code.size() < k_code_width) {
                code.resize(k_code_width, ' ');
            }
            const auto row = [&](int occurrence, char status) {
                const std::size_t begin = out.size();
                fmt::format_to(std::back_inserter(out), "{};{};{};{};{};{};{}\r\n", year, s.number, code,
                               etape.versions[e.version], occurrence, status, etape.csv_label);
                ++counts.rows;
                counts.cancelled_rows += (e.year_offset == 0 && status != 'E') ? 1 : 0;
                counts.previous_year_rows += e.year_offset != 0 ? 1 : 0;
                counts.second_occurrence_rows += occurrence > 1 ? 1 : 0;
                counts.padded_codes += code.size() != etape.code.size() ? 1 : 0;
                counts.quoted_labels += etape.csv_label.starts_with('"') ? 1 : 0;
                return begin;
            };
            std::size_t last = 0;
            if (e.first_occurrence != 0) {
                row(1, e.status == 'E' ? e.first_occurrence : e.status);
                last = row(2, e.status);
            } else {
                last = row(1, e.status);
            }
            if (e.duplicated) {
                const std::string copy = out.substr(last);
                out += copy;
                ++counts.rows;
                ++counts.duplicate_rows;
                counts.cancelled_rows += (e.year_offset == 0 && e.status != 'E') ? 1 : 0;
                counts.previous_year_rows += e.year_offset != 0 ? 1 : 0;
                counts.second_occurrence_rows += e.first_occurrence != 0 ? 1 : 0;
                counts.padded_codes += code.size() != etape.code.size() ? 1 : 0;
                counts.quoted_labels += etape.csv_label.starts_with('"') ? 1 : 0;
            }
        }
        const auto active = active_etapes(s);
        counts.active_inscriptions += static_cast<std::int64_t>(active.size());
        counts.students_active += active.empty() ? 0 : 1;
        for (const auto etape : active) {
            ++per_etape[etape];
        }
        file.maybe_flush();
    }
    counts.etapes_active =
        std::count_if(per_etape.begin(), per_etape.end(), [](std::int64_t n) { return n > 0; });
    file.commit();
}

// Stands in for the md5() Moodle stores as a deleted user's email: 32 hex digits.
std::string pseudo_md5(std::uint32_t number) {
    std::uint64_t state = 0x5eedULL ^ number;
    const std::uint64_t high = splitmix64(state);
    const std::uint64_t low = splitmix64(state);
    return fmt::format("{:016x}{:016x}", high, low);
}

void write_moodle(const University& u, const std::filesystem::path& path,
                  const std::filesystem::path& columns_path, MoodleCounts& counts) {
    OutputFile file(path);
    std::string& out = file.buffer();
    const auto row = [&](std::string_view username, std::string_view idnumber, std::uint16_t given,
                         std::uint16_t family, std::string_view email, std::int64_t created,
                         std::int64_t modified, bool deleted) {
        out += "cas\t1\t1\t";
        append_copy_field(out, username);
        out += '\t';
        append_copy_field(out, idnumber);
        out += '\t';
        append_copy_field(out, given_names()[given]);
        out += '\t';
        append_copy_field(out, family_names()[family]);
        out += '\t';
        append_copy_field(out, email);
        fmt::format_to(std::back_inserter(out), "\t{}\t{}\t{}\n", created, modified, deleted ? 1 : 0);
        ++counts.rows;
    };
    // Moodle's delete_user() renames the account to "<email>.<time>", clears idnumber and
    // replaces the email with an md5: the name is freed for a new account.
    const auto renamed = [&](const Student& s, std::int64_t created, std::int64_t deleted_at) {
        const std::string username = fmt::format("{}.{}", ascii_fold_lower(s.mail), deleted_at);
        row(username, "", s.given, s.family, pseudo_md5(s.number), created, deleted_at, true);
        ++counts.deleted_accounts;
        ++counts.deleted_renamed;
    };
    for (const auto& s : u.students) {
        const std::string number = fmt::format("{}", s.number);
        switch (s.account) {
        case Account::none:
            break;
        case Account::active:
            row(s.login, number, s.given, s.family, s.mail, s.account_created, s.account_modified, false);
            ++counts.student_accounts;
            break;
        case Account::deleted_kept:
            row(s.login, number, s.given, s.family, s.mail, s.account_created, s.account_deleted, true);
            ++counts.deleted_accounts;
            break;
        case Account::deleted_renamed:
            renamed(s, s.account_created, s.account_deleted);
            break;
        case Account::deleted_renamed_active: {
            constexpr std::int64_t k_day = 86400;
            renamed(s, s.account_created - 300 * k_day, s.account_created - 10 * k_day);
            row(s.login, number, s.given, s.family, s.mail, s.account_created, s.account_modified, false);
            ++counts.student_accounts;
            break;
        }
        }
        file.maybe_flush();
    }
    const std::int64_t staff_created = u.year_start - 3 * 365 * 86400;
    for (const auto& staff : u.staff) {
        if (staff.has_account) {
            row(staff.login, "", staff.given, staff.family, staff.mail, staff_created, staff_created, false);
            ++counts.staff_accounts;
        }
    }
    file.commit();

    OutputFile columns(columns_path);
    columns.buffer() = fmt::format("{}\n", k_moodle_columns);
    columns.commit();
}

void count_pairs(const University& u, PairCounts& pairs) {
    for (const auto& s : u.students) {
        const auto active = active_etapes(s);
        pairs.export_active += static_cast<std::int64_t>(active.size());
        if (!has_student_entry(s, active)) {
            pairs.union_ += static_cast<std::int64_t>(active.size());
            continue;
        }
        pairs.export_active_with_student_entry += static_cast<std::int64_t>(active.size());
        const auto directory = directory_etapes(s, active);
        pairs.directory += static_cast<std::int64_t>(directory.size());
        std::vector<std::uint32_t> only_export;
        std::vector<std::uint32_t> only_directory;
        std::vector<std::uint32_t> all;
        std::set_difference(active.begin(), active.end(), directory.begin(), directory.end(),
                            std::back_inserter(only_export));
        std::set_difference(directory.begin(), directory.end(), active.begin(), active.end(),
                            std::back_inserter(only_directory));
        std::set_union(active.begin(), active.end(), directory.begin(), directory.end(),
                       std::back_inserter(all));
        pairs.only_in_export += static_cast<std::int64_t>(only_export.size());
        pairs.only_in_directory += static_cast<std::int64_t>(only_directory.size());
        pairs.union_ += static_cast<std::int64_t>(all.size());
    }
}

std::string summary_json(const University& u, const Options& options, const Summary& s) {
    std::string out;
    auto it = std::back_inserter(out);
    fmt::format_to(it, "{{\n");
    fmt::format_to(it, "  \"students\": {},\n", u.students.size());
    fmt::format_to(it, "  \"ldap_entries\": {},\n", s.directory.entries);
    fmt::format_to(it, "  \"export_rows\": {},\n", s.apogee.rows);
    fmt::format_to(it, "  \"active_inscriptions\": {},\n", s.apogee.active_inscriptions);
    fmt::format_to(it, "  \"etapes\": {},\n", u.catalogue.size());
    fmt::format_to(it, "  \"moodle_accounts\": {},\n", s.moodle.student_accounts);
    fmt::format_to(
        it,
        "  \"options\": {{\"students\": {}, \"etapes\": {}, \"seed\": {}, \"year\": {}, \"uai\": {}, "
        "\"base_dn\": {}, \"accounts_ratio\": {}, \"night\": {}}},\n",
        options.students, options.etapes, options.seed, options.year, json_string(options.uai),
        json_string(options.base_dn), options.accounts_ratio, options.night);
    const auto& d = s.directory;
    fmt::format_to(
        it,
        "  \"ldap\": {{\"entries\": {}, \"student_entries\": {}, \"alum_entries\": {}, \"staff_entries\": "
        "{}, "
        "\"students_missing\": {}, \"etape_values\": {}, \"bare_code_entries\": {}, "
        "\"code_version_entries\": {}, \"foreign_etape_values\": {}, \"directory_only_values\": {}, "
        "\"base64_values\": {}}},\n",
        d.entries, d.student_entries, d.alum_entries, d.staff_entries, d.students_missing, d.etape_values,
        d.bare_code_entries, d.code_version_entries, d.foreign_etape_values, d.directory_only_values,
        d.base64_values);
    const auto& a = s.apogee;
    fmt::format_to(
        it,
        "  \"export\": {{\"rows\": {}, \"active_inscriptions\": {}, \"students_active\": {}, "
        "\"etapes_active\": {}, \"cancelled_rows\": {}, \"previous_year_rows\": {}, \"duplicate_rows\": {}, "
        "\"second_occurrence_rows\": {}, \"padded_codes\": {}, \"quoted_labels\": {}}},\n",
        a.rows, a.active_inscriptions, a.students_active, a.etapes_active, a.cancelled_rows,
        a.previous_year_rows, a.duplicate_rows, a.second_occurrence_rows, a.padded_codes, a.quoted_labels);
    const auto& e = s.pedagogy;
    fmt::format_to(
        it,
        "  \"pedagogy\": {{\"contract_rows\": {}, \"followed_rows\": {}, \"carried_over_rows\": {}, "
        "\"previous_year_rows\": {}, \"inactive_inscription_rows\": {}, \"padded_codes\": {}, \"elements\": "
        "{}, "
        "\"shared_elements\": {}, \"group_rows\": {}, \"groups\": {}}},\n",
        e.contract_rows, e.followed_rows, e.carried_over_rows, e.previous_year_rows,
        e.inactive_inscription_rows, e.padded_codes, e.elements, e.shared_elements, e.group_rows, e.groups);
    const auto& m = s.moodle;
    fmt::format_to(it,
                   "  \"moodle\": {{\"rows\": {}, \"student_accounts\": {}, \"deleted_accounts\": {}, "
                   "\"deleted_renamed\": {}, \"staff_accounts\": {}, \"columns\": {}}},\n",
                   m.rows, m.student_accounts, m.deleted_accounts, m.deleted_renamed, m.staff_accounts,
                   json_string(k_moodle_columns));
    const auto& p = s.pairs;
    fmt::format_to(
        it,
        "  \"pairs\": {{\"export_active\": {}, \"export_active_with_student_entry\": {}, \"directory\": {}, "
        "\"union\": {}, \"only_in_export\": {}, \"only_in_directory\": {}}}\n",
        p.export_active, p.export_active_with_student_entry, p.directory, p.union_, p.only_in_export,
        p.only_in_directory);
    fmt::format_to(it, "}}\n");
    return out;
}

} // namespace

Summary write_university(const University& university, const Options& options,
                         const std::filesystem::path& folder) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) {
        throw std::runtime_error(
            fmt::format("unable to create the folder '{}': {}", folder.string(), ec.message()));
    }
    Summary summary;
    write_ldif(university, options, folder / "people.ldif", summary.directory);
    write_export(university, options, folder / "apogee.csv", summary.apogee);
    summary.pedagogy =
        write_pedagogy(university, options, folder / "apogee-contracts.csv", folder / "apogee-groups.csv");
    write_moodle(university, folder / "moodle-users.copy", folder / "moodle-users.columns", summary.moodle);
    count_pairs(university, summary.pairs);

    OutputFile file(folder / "summary.json");
    file.buffer() = summary_json(university, options, summary);
    file.commit();
    return summary;
}

} // namespace cohort_sync::generator
