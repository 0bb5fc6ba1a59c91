#include "build_paths.hpp"
#include "cohort_sync/error.hpp"
#include "cohort_sync/io/apogee_export.hpp"
#include "cohort_sync/source.hpp"

#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>

namespace cohort_sync {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string k_header = "COD_ANU;COD_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\n";

class ApogeeExportFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "cohort-sync-export-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        m_dir = pattern;
        m_now = static_cast<long long>(std::time(nullptr));
    }

    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }

    std::string write(const std::string& name, const std::string& bytes) {
        const fs::path path = m_dir / name;
        std::ofstream out(path, std::ios::binary);
        out << bytes;
        return path.string();
    }

    static void set_mtime(const std::string& path, long long seconds) {
        const timespec times[2] = {{static_cast<time_t>(seconds), 0}, {static_cast<time_t>(seconds), 0}};
        ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    }

    ExportConfig config_for(const std::string& path) const {
        ExportConfig config;
        config.path = path;
        config.encoding = Encoding::utf8;
        return config;
    }

    // The export source as a sync uses it: the adapter's read, then the source kind's acceptance
    // on the run's clock.
    ExportRead read_accepted(const ExportConfig& apogee) const {
        Config config;
        config.apogee = apogee;
        auto read = source_kind("export").accept(ApogeeExportFile(apogee).read(), config,
                                                 RunClock{m_now, civil_date_from_unix(m_now)});
        return std::get<ExportRead>(std::move(read.records));
    }

    // Runs read() and returns the SourceError it throws (fails the test if none).
    SourceError refusal(const ExportConfig& config) const {
        try {
            read_accepted(config);
        } catch (const SourceError& e) {
            return e;
        }
        ADD_FAILURE() << "read() did not throw SourceError";
        return SourceError("");
    }

    fs::path m_dir;
    long long m_now = 0;
};

TEST_F(ApogeeExportFileTest, ReadsAGoodFile) {
    const auto path = write("export.csv", k_header + "2026;1;A;101;E;x\n2026;;B;101;E;x\n");
    const ExportRead read = read_accepted(config_for(path));
    EXPECT_EQ(read.path, path);
    EXPECT_EQ(read.rows.size(), 1u);
    EXPECT_EQ(read.data_lines, 2);
    ASSERT_EQ(read.issues.size(), 1u) << "warnings are kept for the report";
    EXPECT_EQ(read.issues[0].locator, path + ":3");
}

TEST_F(ApogeeExportFileTest, ReadsTheLatin1SampleWithUtf8Labels) {
    const auto sample = cohort_sync::testing::source_dir() / "tests/data/export/inscriptions_latin1.csv";
    // Copied so that its mtime is fresh whatever the checkout's age.
    const auto path = m_dir / "latin1.csv";
    fs::copy_file(sample, path);
    set_mtime(path.string(), m_now);
    ExportConfig config = config_for(path.string());
    config.encoding = Encoding::iso_8859_1;
    const ExportRead read = read_accepted(config);
    EXPECT_TRUE(read.issues.empty());
    ASSERT_EQ(read.rows.size(), 5u);
    EXPECT_EQ(read.rows[0].label, "Capacité en droit");
    EXPECT_EQ(read.rows[2].label, "Master 1 Géographie; aménagement");
}

TEST_F(ApogeeExportFileTest, RefusesAMissingFile) {
    const auto path = (m_dir / "absent.csv").string();
    const SourceError e = refusal(config_for(path));
    EXPECT_THAT(e.what(), HasSubstr("'" + path + "'"));
    EXPECT_THAT(e.what(), HasSubstr("No such file or directory"));
    EXPECT_THAT(e.hint(), HasSubstr("apogee.path"));
}

TEST_F(ApogeeExportFileTest, RefusesADirectory) {
    const SourceError e = refusal(config_for(m_dir.string()));
    EXPECT_THAT(e.what(), HasSubstr("not a regular file"));
}

TEST_F(ApogeeExportFileTest, RefusesAnEmptyFile) {
    const auto path = write("empty.csv", "");
    const SourceError e = refusal(config_for(path));
    EXPECT_THAT(e.what(), HasSubstr("'" + path + "' is empty"));
    EXPECT_THAT(e.hint(), HasSubstr("extraction"));
}

TEST_F(ApogeeExportFileTest, RefusesAStaleFile) {
    const auto path = write("stale.csv", k_header + "2026;1;A;101;E;x\n");
    set_mtime(path, m_now - 40 * 3600);
    const SourceError e = refusal(config_for(path));
    EXPECT_THAT(e.what(), HasSubstr("is 40.0 hours old"));
    EXPECT_THAT(e.what(), HasSubstr("apogee.max_age_hours = 36"));
    EXPECT_THAT(e.hint(), HasSubstr("APOGÉE extraction job"));
}

TEST_F(ApogeeExportFileTest, AcceptsAFileJustUnderTheAgeLimit) {
    const auto path = write("recent.csv", k_header + "2026;1;A;101;E;x\n");
    set_mtime(path, m_now - 35 * 3600);
    EXPECT_EQ(read_accepted(config_for(path)).rows.size(), 1u);
}

TEST_F(ApogeeExportFileTest, RefusesTooFewRows) {
    const auto path = write("few.csv", k_header + "2026;1;A;101;E;x\n2026;2;A;101;E;x\n");
    ExportConfig config = config_for(path);
    config.min_rows = 3;
    const SourceError e = refusal(config);
    EXPECT_THAT(e.what(), HasSubstr("has 2 data lines, fewer than apogee.min_rows = 3"));
}

TEST_F(ApogeeExportFileTest, RefusesAHeaderOnlyFile) {
    const auto path = write("header.csv", k_header);
    const SourceError e = refusal(config_for(path));
    EXPECT_THAT(e.what(), HasSubstr("has 0 data lines"));
}

TEST_F(ApogeeExportFileTest, RefusesTooManyBadRows) {
    std::string text = k_header;
    for (int i = 0; i < 5; ++i) {
        text += "2026;;A;101;E;x\n";
    }
    text += "2026;1;A;101;E;x\n";
    const auto path = write("bad.csv", text);
    ExportConfig config = config_for(path);
    config.max_bad_rows = 4;
    const SourceError e = refusal(config);
    const std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("has 5 bad rows, more than apogee.max_bad_rows = 4"));
    EXPECT_THAT(message, HasSubstr(path + ":2: column 'COD_ETU' is empty"));
    EXPECT_THAT(message, HasSubstr(path + ":4:"));
    EXPECT_THAT(message, ::testing::Not(HasSubstr(path + ":5:"))) << "only the first three are shown";

    config.max_bad_rows = 5;
    EXPECT_EQ(read_accepted(config).rows.size(), 1u);
}

TEST_F(ApogeeExportFileTest, RefusesAMissingColumn) {
    const auto path =
        write("columns.csv", "COD_ANU;NUM_ETU;COD_ETP;COD_VRS_VET;ETA_IAE;LIB_ETP\n2026;1;A;101;E;x\n");
    const SourceError e = refusal(config_for(path));
    EXPECT_THAT(e.what(), HasSubstr("'COD_ETU'"));
    EXPECT_THAT(e.what(), HasSubstr(path));
    EXPECT_THAT(e.hint(), HasSubstr("apogee.columns"));
}

TEST_F(ApogeeExportFileTest, RefusesATruncatedFile) {
    const auto sample = cohort_sync::testing::source_dir() / "tests/data/export/inscriptions_truncated.csv";
    const auto path = m_dir / "truncated.csv";
    fs::copy_file(sample, path);
    set_mtime(path.string(), m_now);
    ExportConfig config = config_for(path.string());
    config.trailer = true;
    const SourceError e = refusal(config);
    // The cut line "2026;100107;21900" ends in a number, so it reads as a wrong trailer.
    EXPECT_THAT(e.what(), HasSubstr("trailer says 21900 rows, file has 6"));
    EXPECT_THAT(e.hint(), HasSubstr("may be truncated"));
}

TEST_F(ApogeeExportFileTest, RefusesATrailerMismatch) {
    const auto path = write("trailer.csv", k_header + "2026;1;A;101;E;x\nTOTAL;1200\n");
    ExportConfig config = config_for(path);
    config.trailer = true;
    const SourceError e = refusal(config);
    EXPECT_THAT(e.what(), HasSubstr("trailer says 1200 rows, file has 1"));
}

TEST_F(ApogeeExportFileTest, RefusesAnEmptyPath) {
    const SourceError e = refusal(config_for(""));
    EXPECT_THAT(e.what(), HasSubstr("apogee.path is empty"));
}

} // namespace
} // namespace cohort_sync
