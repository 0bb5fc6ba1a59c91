// The APOGÉE-specific part of reading the administrative export: its columns, and each row
// checked field by field. Reading a table (header, field counts, truncation, trailer) is
// csv_table.cpp's job, the bytes' encoding text_encoding.cpp's, the CSV syntax csv_records.cpp's.
#include "cohort_sync/export_parser.hpp"

#include "cohort_sync/etape.hpp"
#include "cohort_sync/text.hpp"
#include "csv_table.hpp"
#include "text_encoding.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>
#include <utility>
#include <vector>

namespace cohort_sync {
namespace {

using csv::k_absent;

// memchr is vectorised where std::count over chars is not (g++ 12, -O2).
std::size_t count_lines(std::string_view text) {
    std::size_t lines = 1;
    const char* p = text.data();
    const char* const end = p + text.size();
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) !=
           nullptr) {
        ++lines;
        ++p;
    }
    return lines;
}

class ExportParser final : public csv::TableReader {
public:
    ExportParser(const ExportConfig& config, const std::string& name, ExportRead& result)
        : TableReader({config.delimiter, config.quote, config.trailer, "apogee.columns", "apogee.encoding"},
                      name, result.issues, result.data_lines)
        , m_config(config)
        , m_result(result) {}

    void run(std::string& text) {
        // One row per line is the common case; over-reserving a little is cheaper than regrowing.
        m_result.rows.reserve(count_lines(text));
        const std::array<csv::Column, 6> columns = {{
            {"year", &m_config.columns.year, true, &m_year},
            {"student_number", &m_config.columns.student_number, true, &m_student},
            {"etape", &m_config.columns.etape, true, &m_etape},
            {"version", &m_config.columns.version, false, &m_version},
            {"status", &m_config.columns.status, true, &m_status},
            {"label", &m_config.columns.label, false, &m_label},
        }};
        read(text, columns);
    }

private:
    // What a row left out still says about whom it concerns. The columns before a stray
    // delimiter are where the header says; after it they may be shifted, so a value is taken
    // from its column whatever the field count: holding back a wrong student only delays a
    // removal, missing the right one would make it.
    DamagedRecord damaged_of(const csv::Record& record) const override {
        DamagedRecord damaged;
        damaged.line = record.line;
        const auto& fields = record.fields;
        if (m_student < fields.size() && csv::readable(fields[m_student])) {
            damaged.student_number = fields[m_student];
        }
        if (m_etape < fields.size() && csv::readable(fields[m_etape])) {
            damaged.etape = normalise_etape_code(fields[m_etape]);
        }
        return damaged;
    }

    void row(const csv::Record& record) override {
        const auto& fields = record.fields;
        std::string problems;
        const int year = read_year(record, m_year, problems);
        const std::string_view student = fields[m_student];
        if (student.empty()) {
            add_problem(problems, fmt::format("{} is empty", column_name(m_student)));
        }
        std::string etape = normalise_etape_code(fields[m_etape]);
        if (etape.empty()) {
            add_problem(problems, fmt::format("{} is empty", column_name(m_etape)));
        }
        const std::array<std::size_t, 5> checked = {m_student, m_etape, m_version, m_status, m_label};
        check_length(record, checked, problems);
        if (!problems.empty()) {
            bad_row(record, std::move(problems));
            return;
        }

        Inscription& row = m_result.rows.emplace_back();
        row.year = year;
        row.student_number = student;
        row.etape = std::move(etape);
        if (m_version != k_absent) {
            row.version = fields[m_version];
        }
        row.status = to_upper_ascii(fields[m_status]);
        if (m_label != k_absent) {
            row.label = fields[m_label];
        }
        row.line = record.line;
    }

private:
    const ExportConfig& m_config;
    ExportRead& m_result;
    std::size_t m_year = k_absent;
    std::size_t m_student = k_absent;
    std::size_t m_etape = k_absent;
    std::size_t m_version = k_absent;
    std::size_t m_status = k_absent;
    std::size_t m_label = k_absent;
};

} // namespace

std::string to_utf8(std::string_view bytes, Encoding encoding) {
    return convert_to_utf8(bytes, encoding, nullptr);
}

ExportRead parse_export(std::string_view bytes, const ExportConfig& config, const std::string& name) {
    ExportRead result;
    result.path = name;
    std::vector<std::size_t> replaced_at;
    std::string text = convert_to_utf8(bytes, config.encoding, &replaced_at);

    ExportParser parser(config, name, result);
    parser.run(text);

    // Encoding warnings come after the row issues, so that the first issues are the bad rows.
    result.labels_in_doubt =
        csv::report_encoding(bytes, replaced_at, config.encoding, "apogee.encoding", name, result.issues);
    return result;
}

} // namespace cohort_sync
