// Doubt defers, it never removes: the small ways a night's export and directory go wrong, tried
// against the built binary, a real slapd and a real PostgreSQL holding Moodle's tables. Each
// case is a university that synced cleanly the night before; the damaged night must leave
// Moodle's tables as they were (or add only what is expected), exit with its documented code,
// and say in its report what it held back and why.
#include "cohort_sync/exit_code.hpp"
#include "e2e_support.hpp"
#include "servers.hpp"
#include "small_university.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace cst = cohort_sync::testing;
using namespace cohort_sync::e2e;
using cohort_sync::ExitCode;
using cohort_sync::to_int;
using nlohmann::json;

constexpr int k_students = 300;

class Doubt : public SiteTest {
protected:
    void SetUp() override { open_site("doubt", "apogee-inscriptions.csv", Directory::keep); }

    // The clean night before: every student synced. Returns Moodle's fingerprint after it.
    std::map<std::string, std::string> clean_night(const std::vector<Student>& students) {
        use_directory(static_cast<int>(students.size()));
        add_accounts(students);
        write_export(m_export, export_rows(students));
        const auto result = run();
        EXPECT_EQ(result.exit_code, 0) << result.describe();
        EXPECT_EQ(members(), expected_members(students));
        return moodle_fingerprint();
    }

    json last_report() const {
        const auto files = report_files(m_dir);
        EXPECT_FALSE(files.empty());
        std::string newest;
        for (const auto& file : files) {
            if (newest.empty() || fs::last_write_time(file) > fs::last_write_time(newest)) {
                newest = file;
            }
        }
        return json::parse(cst::read_file(newest));
    }

    // The export's text with `line` (1-based, the header is line 1) replaced.
    std::string with_line(std::string text, int line, const std::string& replacement) const {
        std::size_t begin = 0;
        for (int i = 1; i < line; ++i) {
            begin = text.find('\n', begin) + 1;
        }
        const auto end = text.find('\n', begin);
        return text.replace(begin, end - begin, replacement);
    }

    static void expect_short_lines(const std::string& text) {
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            EXPECT_LE(line.size(), 1000u) << line.substr(0, 120);
        }
    }
};

// A nightly export (Latin-1) whose line `line` has its field `field` (0-based) given a NUL byte.
std::string with_nul_in_field(const std::string& line_text, int field) {
    std::string out = line_text;
    std::size_t at = 0;
    for (int i = 0; i < field; ++i) {
        at = out.find(';', at) + 1;
    }
    out.insert(at + 1, 1, '\0');
    return out;
}

std::string line_of(const std::string& text, int line) {
    std::size_t begin = 0;
    for (int i = 1; i < line; ++i) {
        begin = text.find('\n', begin) + 1;
    }
    return text.substr(begin, text.find('\n', begin) - begin);
}

TEST_F(Doubt, AnExportCutInTheMiddleOfALineWithoutATrailerIsRefused) {
    const auto before = clean_night(make_students(k_students));
    const std::string text = cst::read_file(m_export);
    const auto cut = text.rfind('\n', text.size() - 2) + 12; // three fields into the last line
    write_text(m_export, text.substr(0, cut));

    const auto result = run();

    EXPECT_EQ(result.exit_code, to_int(ExitCode::failed)) << result.describe();
    EXPECT_TRUE(contains(result.err, "truncated")) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
}

TEST_F(Doubt, RowsWithANulByteHoldTheirStudentsAndTheOthersStillSync) {
    const auto students = make_students(k_students);
    const auto before = clean_night(students);
    std::string text = cst::read_file(m_export);
    // Rows 2..4: NUL in COD_ETP (the student is still readable); rows 5..6: NUL in COD_ETU.
    for (int line = 2; line <= 4; ++line) {
        text = with_line(text, line, with_nul_in_field(line_of(text, line), 2));
    }
    for (int line = 5; line <= 6; ++line) {
        text = with_line(text, line, with_nul_in_field(line_of(text, line), 1));
    }
    write_text(m_export, text);

    const auto result = run();

    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before) << "the five students keep their cohorts";
    const auto report = last_report();
    EXPECT_EQ(report.at("plan").at("totals").at("removes"), 0);
    EXPECT_EQ(report.at("plan").at("totals").at("held_back"), 5);
    EXPECT_EQ(report.at("plan").at("holds").size(), 5u);
    EXPECT_TRUE(contains(result.err, "held back")) << result.describe();
    expect_short_lines(result.err);
}

TEST_F(Doubt, DirectoryEntriesThatLostTheirStudentNumberHoldTheirStudents) {
    auto students = make_students(k_students);
    const auto before = clean_night(students);
    // Three entries lose supannEtuId (a broken directory import).
    cst::servers().reset_ldap_people();
    forget_directory();
    std::string ldif;
    for (std::size_t i = 0; i < students.size(); ++i) {
        ldif += cst::make_student_ldif(students[i].login, i < 3 ? "" : students[i].number,
                                       {std::string(k_uai) + students[i].etape});
    }
    cst::servers().ldap_add_ldif(ldif);

    const auto result = run();

    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
    const auto report = last_report();
    EXPECT_EQ(report.at("plan").at("totals").at("held_back"), 3);
    EXPECT_EQ(report.at("plan").at("holds").at(0).at("login"), students[0].login);
}

TEST_F(Doubt, AnExportInTwoEncodingsIsNamedAndRenamesNoCohort) {
    const auto students = make_students(k_students);
    const auto before = clean_night(students);
    // One line in ten re-saved as UTF-8 by another tool; the rest stays ISO-8859-1.
    std::vector<ExportRow> rows = export_rows(students);
    write_export(m_export, rows);
    std::string text = cst::read_file(m_export);
    for (int line = 2; line < k_students; line += 10) {
        std::string utf8_line;
        for (const char c : line_of(text, line)) {
            const auto byte = static_cast<unsigned char>(c);
            utf8_line += byte < 0x80 ? std::string(1, c)
                                     : std::string{static_cast<char>(0xC0 | (byte >> 6)),
                                                   static_cast<char>(0x80 | (byte & 0x3F))};
        }
        text = with_line(text, line, utf8_line);
    }
    write_text(m_export, text);

    const auto result = run();

    EXPECT_EQ(result.exit_code, 0) << result.describe();
    EXPECT_TRUE(contains(result.err, "mixes two encodings")) << result.describe();
    EXPECT_TRUE(contains(result.err, "(lines 2, 12, 32, 42, 62 and ")) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before) << "no cohort renamed to mojibake";
}

TEST_F(Doubt, AnEntryWithThousandsOfEtapesIsRefusedBeforeAnyWrite) {
    auto students = make_students(k_students);
    clean_night(students);
    configure({{"membership", {{"rule", "union"}}}});
    ASSERT_EQ(run().exit_code, 0);
    const auto synced = moodle_fingerprint();
    cst::servers().reset_ldap_people();
    forget_directory();
    std::string ldif;
    for (std::size_t i = 0; i < students.size(); ++i) {
        std::vector<std::string> etapes = {std::string(k_uai) + students[i].etape};
        for (int e = 0; i == 0 && e < 2000; ++e) {
            etapes.push_back(std::string(k_uai) + "X" + std::to_string(e));
        }
        ldif += cst::make_student_ldif(students[i].login, students[i].number, etapes);
    }
    cst::servers().ldap_add_ldif(ldif);

    const auto result = run();

    EXPECT_EQ(result.exit_code, to_int(ExitCode::guard_refused)) << result.describe();
    EXPECT_TRUE(contains(result.err, "max_cohorts_created")) << result.describe();
    EXPECT_TRUE(contains(result.err, "max_cohorts_per_student")) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), synced);
    expect_short_lines(result.err);
    expect_short_lines(result.out);
}

TEST_F(Doubt, AHugeFileOfNulBytesIsRefusedAtItsFirstMegabyte) {
    const auto before = clean_night(make_students(k_students));
    configure({{"apogee", {{"max_size_mb", 4096}}}});
    // 2 GB that read as NUL bytes, without taking the disk space: a sparse file.
    const int fd = ::open(m_export.c_str(), O_WRONLY | O_TRUNC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 2LL * 1024 * 1024 * 1024), 0);
    ::close(fd);

    const auto result = run();

    EXPECT_EQ(result.exit_code, to_int(ExitCode::failed)) << result.describe();
    EXPECT_TRUE(contains(result.err, "hold no line break")) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
}

TEST_F(Doubt, AFileLargerThanItsBoundIsRefusedUnread) {
    const auto before = clean_night(make_students(k_students));
    configure({{"apogee", {{"max_size_mb", 1}}}});
    const int fd = ::open(m_export.c_str(), O_WRONLY | O_TRUNC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 3LL * 1024 * 1024), 0);
    ::close(fd);

    const auto result = run();

    EXPECT_EQ(result.exit_code, to_int(ExitCode::failed)) << result.describe();
    EXPECT_TRUE(contains(result.err, "apogee.max_size_mb")) << result.describe();
    EXPECT_EQ(moodle_fingerprint(), before);
}

} // namespace

int main(int argc, char** argv) {
    return cohort_sync::testing::run_integration_tests(argc, argv, /*postgres=*/true, /*slapd=*/true);
}
