#include "university.hpp"

#include "names.hpp"
#include "text.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

namespace cohort_sync::generator {

namespace {

// The shares of noise. docs/generator.md says why each one exists; keep the two in step.
constexpr double k_missing_from_directory = 0.01;
constexpr double k_bare_form = 0.02;
constexpr double k_code_version_form = 0.01;
constexpr double k_directory_only_etape = 0.005;
constexpr double k_foreign_etape = 0.005;
constexpr double k_cancelled_inscription = 0.04;
constexpr double k_previous_year = 0.15;
constexpr double k_duplicated_row = 0.004;
constexpr double k_padded_code = 0.05;
constexpr double k_second_occurrence = 0.01;
constexpr double k_deleted_account = 0.2;       // of the students without an active account
constexpr double k_renamed_then_active = 0.003; // of the students with an active account
constexpr double k_nightly_churn = 0.02;
constexpr double k_churn_removes_row = 0.3; // else the row stays with ETA_IAE 'A'

constexpr std::int64_t k_day = 86400;
constexpr std::uint32_t k_first_number = 20000000;
constexpr std::uint32_t k_last_number = 99999999;

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

std::string mail_domain_of(const std::string& base_dn) {
    std::string domain;
    std::size_t pos = 0;
    while (pos < base_dn.size()) {
        std::size_t end = base_dn.find(',', pos);
        if (end == std::string::npos) {
            end = base_dn.size();
        }
        std::string rdn = base_dn.substr(pos, end - pos);
        while (!rdn.empty() && rdn.front() == ' ') {
            rdn.erase(0, 1);
        }
        if (rdn.size() > 3 && ascii_fold_lower(rdn.substr(0, 3)) == "dc=") {
            if (!domain.empty()) {
                domain += '.';
            }
            domain += ascii_fold_lower(rdn.substr(3));
        }
        pos = end + 1;
    }
    return domain.empty() ? "example.org" : domain;
}

std::string letters_only(std::string_view ascii) {
    std::string out;
    for (const char c : ascii) {
        if (c >= 'a' && c <= 'z') {
            out += c;
        }
    }
    return out;
}

// "jdupont42": initial, family name folded to at most 8 letters, and a number that makes it
// unique. Staff logins go without the number when they can.
std::string make_login(University& u, Rng& rng, std::uint16_t given, std::uint16_t family, bool with_number) {
    const std::string first = letters_only(ascii_fold_lower(given_names()[given]));
    std::string stem =
        first.substr(0, 1) + letters_only(ascii_fold_lower(family_names()[family])).substr(0, 8);
    if (!with_number && u.logins.insert(stem).second) {
        return stem;
    }
    for (int attempt = 0;; ++attempt) {
        const std::uint64_t bound = attempt < 10 ? 99 : attempt < 30 ? 999 : 99999;
        std::string login = fmt::format("{}{}", stem, 1 + rng.below(bound));
        if (u.logins.insert(login).second) {
            return login;
        }
    }
}

std::string mail_part(std::string_view name) {
    std::string out;
    for (const char c : ascii_fold_lower(name)) {
        if (c >= 'a' && c <= 'z') {
            out += c;
        } else if ((c == ' ' || c == '-') && !out.empty() && out.back() != '-') {
            out += '-';
        }
    }
    return out;
}

// "jean-baptiste.le-gall@etu.univ-test.fr", numbered from the second homonym on.
std::string make_mail(University& u, std::uint16_t given, std::uint16_t family, const std::string& domain) {
    const std::string local = mail_part(given_names()[given]) + "." + mail_part(family_names()[family]);
    const int seen = u.mail_names[local + "@" + domain]++;
    return seen == 0 ? fmt::format("{}@{}", local, domain) : fmt::format("{}{}@{}", local, seen + 1, domain);
}

std::uint32_t next_student_number(University& u, Rng& rng) {
    const std::uint32_t number = u.next_number;
    if (number > k_last_number) {
        throw std::runtime_error("student numbers past 99999999: fewer students or nights, please");
    }
    // Gaps, as numbers are handed out to applicants who never enrol.
    u.next_number += 1 + static_cast<std::uint32_t>(rng.below(3));
    return number;
}

bool has_current_etape(const Student& s, std::uint32_t etape) {
    return std::any_of(s.enrolments.begin(), s.enrolments.end(), [&](const Enrolment& e) {
        return e.year_offset == 0 && !e.removed && e.etape == etape;
    });
}

// An étape the student has no current-year row for; -1 when the catalogue is too small.
std::int32_t draw_new_etape(const University& u, const Student& s, Rng& rng) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        const std::uint32_t etape = u.catalogue.draw(rng);
        if (!has_current_etape(s, etape)) {
            return static_cast<std::int32_t>(etape);
        }
    }
    return -1;
}

Enrolment make_enrolment(const University& u, Rng& rng, std::uint32_t etape, char status,
                         std::int8_t year_offset) {
    Enrolment e;
    e.etape = etape;
    e.version = static_cast<std::uint8_t>(rng.below(u.catalogue.at(etape).versions.size()));
    e.year_offset = year_offset;
    e.status = status;
    e.duplicated = rng.chance(k_duplicated_row);
    e.padded = rng.chance(k_padded_code);
    if (rng.chance(k_second_occurrence)) {
        e.first_occurrence = rng.chance(0.5) ? 'A' : 'E';
    }
    return e;
}

// 1 to 5 étapes, 2.5 on average: a main diploma, often a second one (double licence, DU,
// language certificate).
int draw_inscription_count(Rng& rng) {
    const double r = rng.unit();
    return r < 0.20 ? 1 : r < 0.55 ? 2 : r < 0.80 ? 3 : r < 0.95 ? 4 : 5;
}

void draw_account(Student& s, Rng& rng, double ratio, std::int64_t created_from, std::int64_t created_span) {
    s.account_created =
        created_from + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(created_span)));
    s.account_modified = s.account_created + static_cast<std::int64_t>(rng.below(60 * k_day));
    s.account_deleted = s.account_created + 30 * k_day + static_cast<std::int64_t>(rng.below(200 * k_day));
    if (rng.chance(ratio)) {
        s.account = rng.chance(k_renamed_then_active) ? Account::deleted_renamed_active : Account::active;
    } else if (rng.chance(k_deleted_account)) {
        s.account = rng.chance(0.5) ? Account::deleted_kept : Account::deleted_renamed;
    } else {
        s.account = Account::none;
    }
}

Student make_student(University& u, Rng& rng, const Options& options, std::int64_t created_from,
                     std::int64_t created_span) {
    Student s;
    s.number = next_student_number(u, rng);
    s.given = static_cast<std::uint16_t>(rng.below(given_names().size()));
    s.family = static_cast<std::uint16_t>(rng.below(family_names().size()));
    s.login = make_login(u, rng, s.given, s.family, true);
    s.mail = make_mail(u, s.given, s.family, "etu." + u.mail_domain);
    s.in_directory = !rng.chance(k_missing_from_directory);
    const double form = rng.unit();
    s.form = form < k_bare_form                         ? EtapeForm::bare
             : form < k_bare_form + k_code_version_form ? EtapeForm::code_version
                                                        : EtapeForm::uai;

    const int count = draw_inscription_count(rng);
    for (int i = 0; i < count; ++i) {
        if (const auto etape = draw_new_etape(u, s, rng); etape >= 0) {
            s.enrolments.push_back(make_enrolment(u, rng, static_cast<std::uint32_t>(etape), 'E', 0));
        }
    }
    if (rng.chance(k_cancelled_inscription)) {
        if (const auto etape = draw_new_etape(u, s, rng); etape >= 0) {
            const char status = rng.chance(0.7) ? 'A' : 'R';
            s.enrolments.push_back(make_enrolment(u, rng, static_cast<std::uint32_t>(etape), status, 0));
        }
    }
    if (rng.chance(k_previous_year)) {
        const char status = rng.chance(0.9) ? 'E' : 'A';
        s.enrolments.push_back(make_enrolment(u, rng, u.catalogue.draw(rng), status, -1));
    }
    if (rng.chance(k_directory_only_etape)) {
        s.directory_only_etape = draw_new_etape(u, s, rng);
    }
    if (rng.chance(k_foreign_etape)) {
        // A code that exists here too: a reader that does not check the UAI would enrol the
        // student in the wrong cohort, and the summary's counts would show it.
        s.foreign_etape = draw_new_etape(u, s, rng);
    }
    draw_account(s, rng, options.accounts_ratio, created_from, created_span);
    return s;
}

bool is_active(const Student& s) {
    return std::any_of(s.enrolments.begin(), s.enrolments.end(), [](const Enrolment& e) {
        return e.year_offset == 0 && e.status == 'E' && !e.removed;
    });
}

// A student with an active inscription, or nullptr after many misses (a university that
// churned away).
Student* draw_active_student(University& u, Rng& rng) {
    for (int attempt = 0; attempt < 200; ++attempt) {
        Student& s = u.students[rng.below(u.students.size())];
        if (is_active(s)) {
            return &s;
        }
    }
    return nullptr;
}

std::vector<std::size_t> active_enrolment_indices(const Student& s) {
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < s.enrolments.size(); ++i) {
        const Enrolment& e = s.enrolments[i];
        if (e.year_offset == 0 && e.status == 'E' && !e.removed) {
            indices.push_back(i);
        }
    }
    return indices;
}

void withdraw(Enrolment& e, Rng& rng) {
    if (rng.chance(k_churn_removes_row)) {
        e.removed = true;
    } else {
        e.status = 'A';
    }
}

} // namespace

University::University(const Options& options)
    : catalogue(options.etapes, derive_seed(options.seed, 1))
    , mail_domain(mail_domain_of(options.base_dn))
    , year_start(days_from_civil(options.year, 9, 1) * k_day) {}

University generate_university(const Options& options) {
    University u(options);
    Rng rng(derive_seed(options.seed, 2));
    u.next_number = k_first_number + static_cast<std::uint32_t>(rng.below(100000));
    u.students.reserve(static_cast<std::size_t>(options.students) +
                       static_cast<std::size_t>(options.students) / 50);
    u.logins.reserve(static_cast<std::size_t>(options.students) * 2);
    // Accounts are created from the spring before the year starts (pre-enrolment) into its
    // first month.
    const std::int64_t created_from = u.year_start - 200 * k_day;
    for (int i = 0; i < options.students; ++i) {
        u.students.push_back(make_student(u, rng, options, created_from, 230 * k_day));
    }

    const int staff_count = std::max(3, options.students / 400);
    for (int i = 0; i < staff_count; ++i) {
        Staff staff;
        staff.given = static_cast<std::uint16_t>(rng.below(given_names().size()));
        staff.family = static_cast<std::uint16_t>(rng.below(family_names().size()));
        staff.login = make_login(u, rng, staff.given, staff.family, false);
        staff.mail = make_mail(u, staff.given, staff.family, u.mail_domain);
        staff.faculty = rng.chance(0.4);
        staff.employee_number = 10000 + static_cast<std::uint32_t>(i);
        staff.has_account = staff.faculty || rng.chance(0.5);
        u.staff.push_back(std::move(staff));
    }
    return u;
}

void apply_night(University& u, const Options& options, int night) {
    Rng rng(derive_seed(options.seed, 1000 + static_cast<std::uint64_t>(night)));
    const auto active =
        static_cast<std::size_t>(std::count_if(u.students.begin(), u.students.end(), is_active));
    const auto total = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(static_cast<double>(active) * k_nightly_churn)));
    const std::size_t withdrawals = total * 4 / 10;
    const std::size_t changes = total * 3 / 10;
    const std::size_t arrivals = total - withdrawals - changes;

    for (std::size_t i = 0; i < withdrawals; ++i) {
        Student* s = draw_active_student(u, rng);
        if (!s) {
            break;
        }
        const auto indices = active_enrolment_indices(*s);
        if (rng.chance(0.5)) {
            for (const auto index : indices) {
                withdraw(s->enrolments[index], rng);
            }
        } else {
            withdraw(s->enrolments[indices[rng.below(indices.size())]], rng);
        }
    }
    for (std::size_t i = 0; i < changes; ++i) {
        Student* s = draw_active_student(u, rng);
        if (!s) {
            break;
        }
        const auto indices = active_enrolment_indices(*s);
        const std::size_t index = indices[rng.below(indices.size())];
        const auto etape = draw_new_etape(u, *s, rng);
        if (etape < 0) {
            continue;
        }
        withdraw(s->enrolments[index], rng);
        s->enrolments.push_back(make_enrolment(u, rng, static_cast<std::uint32_t>(etape), 'E', 0));
    }
    for (auto& s : u.students) {
        std::erase_if(s.enrolments, [](const Enrolment& e) { return e.removed; });
    }
    const std::int64_t night_start = u.year_start + 35 * k_day + static_cast<std::int64_t>(night) * k_day;
    for (std::size_t i = 0; i < arrivals; ++i) {
        u.students.push_back(make_student(u, rng, options, night_start, k_day));
    }
}

std::vector<std::uint32_t> active_etapes(const Student& student) {
    std::vector<std::uint32_t> etapes;
    for (const auto& e : student.enrolments) {
        if (e.year_offset == 0 && e.status == 'E' && !e.removed) {
            etapes.push_back(e.etape);
        }
    }
    std::sort(etapes.begin(), etapes.end());
    etapes.erase(std::unique(etapes.begin(), etapes.end()), etapes.end());
    return etapes;
}

} // namespace cohort_sync::generator
