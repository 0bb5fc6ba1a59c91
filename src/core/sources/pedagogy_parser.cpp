// What a row of a pedagogical extract means: its columns and each field's checks. Reading the
// table itself (header, field counts, truncation, trailer, encodings) is csv_table.cpp's job, as
// for the administrative export.
#include "cohort_sync/pedagogy_parser.hpp"

#include "byte_scan.hpp"
#include "cohort_sync/etape.hpp"
#include "cohort_sync/text.hpp"
#include "csv_table.hpp"
#include "text_encoding.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <utility>
#include <vector>

namespace cohort_sync {
namespace {

using csv::k_absent;

csv::TableFormat format_of(const PedagogyConfig& config, const char* columns) {
    return {config.delimiter, config.quote, config.trailer, columns, "pedagogy.encoding"};
}

// The fields both extracts have: the year, the student, the element.
class PedagogyTable : public csv::TableReader {
public:
    PedagogyTable(csv::TableFormat format, const std::string& name, PedagogyRead& result)
        : TableReader(std::move(format), name, result.issues, result.data_lines)
        , m_result(result) {}

protected:
    DamagedRecord damaged_of(const csv::Record& record) const override {
        DamagedRecord damaged;
        damaged.line = record.line;
        const auto& fields = record.fields;
        if (m_student < fields.size() && csv::readable(fields[m_student])) {
            damaged.student_number = fields[m_student];
        }
        if (m_element < fields.size() && csv::readable(fields[m_element])) {
            damaged.element = normalise_etape_code(fields[m_element]);
        }
        return damaged;
    }

    // Checks the common fields; the problems go to `problems`.
    struct Common {
        int year = 0;
        std::string_view student;
        std::string_view element;
    };
    Common common(const csv::Record& record, std::string& problems) {
        Common out;
        out.year = read_year(record, m_year, problems);
        out.student = record.fields[m_student];
        if (out.student.empty()) {
            add_problem(problems, fmt::format("{} is empty", column_name(m_student)));
        }
        out.element = code(k_element, record.fields[m_element]);
        if (out.element.empty()) {
            add_problem(problems, fmt::format("{} is empty", column_name(m_element)));
        }
        return out;
    }

    // Room for one row per line, made at once: growing a vector of a million and a half rows
    // copied each of them twice on average, into freshly mapped memory. Never more than twice the
    // text's own size, so that a hostile file of line breaks alone does not reserve a row per byte;
    // a real extract's line (60 to 70 bytes) is more than half a row, so it gets one per line.
    template <class Row> static void reserve_rows(std::vector<Row>& rows, const std::string& text) {
        const std::size_t lines = byte_scan::count(text, '\n') + 1;
        rows.reserve(std::min(lines, 2 * text.size() / sizeof(Row)));
    }

    // The fields a row keeps, each a view into the read's pool of texts; and the codes it reads.
    enum Kept { k_student, k_etape, k_version, k_element, k_label, k_nature, k_group, k_type, k_kept };
    enum Code { k_carried_over = k_kept, k_codes };

    // A code as APOGÉE compares them (trimmed, upper-case), valid until the next one of its field:
    // a view of the field itself when it already is one, as nearly always, rather than a new string
    // per field.
    std::string_view code(int field, std::string_view text) {
        return normalise_etape_code(text, m_scratch[static_cast<std::size_t>(field)]);
    }

    // The pool's copy of a row's field. Consecutive rows mostly repeat a field's value (a
    // student's rows come together, and their étape's), so the previous row's is tried before
    // the pool's index.
    std::string_view keep(Kept field, std::string_view text) {
        auto& last = m_last[field];
        if (text != last) {
            last = m_texts.intern(text);
        }
        return last;
    }
    // An optional column's value, upper-cased (codes compare that way), or as it is.
    std::string_view code_at(Kept field, const csv::Record& record, std::size_t index) {
        return index == k_absent ? std::string_view() : keep(field, code(field, record.fields[index]));
    }
    std::string_view text_at(Kept field, const csv::Record& record, std::size_t index) {
        return index == k_absent ? std::string_view() : keep(field, record.fields[index]);
    }

    PedagogyRead& m_result;
    TextPool& m_texts = *m_result.texts;
    std::array<std::string_view, k_kept> m_last{};
    std::array<std::string, k_codes> m_scratch;
    std::size_t m_year = k_absent;
    std::size_t m_student = k_absent;
    std::size_t m_element = k_absent;
    std::size_t m_label = k_absent;
};

class ContractParser final : public PedagogyTable {
public:
    ContractParser(const PedagogyConfig& config, const std::string& name, PedagogyRead& result)
        : PedagogyTable(format_of(config, "pedagogy.contract_columns"), name, result)
        , m_columns(config.contract_columns) {}

    void run(std::string& text) {
        const std::array<csv::Column, 8> columns = {{
            {"year", &m_columns.year, true, &m_year},
            {"student_number", &m_columns.student_number, true, &m_student},
            {"etape", &m_columns.etape, true, &m_etape},
            {"version", &m_columns.version, false, &m_version},
            {"element", &m_columns.element, true, &m_element},
            {"label", &m_columns.label, false, &m_label},
            {"nature", &m_columns.nature, false, &m_nature},
            {"carried_over", &m_columns.carried_over, true, &m_carried_over},
        }};
        reserve_rows(m_result.contracts, text);
        read(text, columns);
    }

private:
    void row(const csv::Record& record) override {
        std::string problems;
        auto fields = common(record, problems);
        const std::string_view etape = code(k_etape, record.fields[m_etape]);
        if (etape.empty()) {
            add_problem(problems, fmt::format("{} is empty", column_name(m_etape)));
        }
        // 'O' (carried over) or 'N' (followed this year): anything else cannot say which, and
        // reading it either way could wrongly add or remove the student.
        const std::string_view carried = code(k_carried_over, record.fields[m_carried_over]);
        if (carried != "O" && carried != "N") {
            add_problem(problems,
                        fmt::format("{} is {} where 'O' or 'N' is expected", column_name(m_carried_over),
                                    csv::quoted(record.fields[m_carried_over])));
        }
        const std::array<std::size_t, 7> checked = {m_student, m_etape,  m_version,     m_element,
                                                    m_label,   m_nature, m_carried_over};
        check_length(record, checked, problems);
        if (!problems.empty()) {
            bad_row(record, std::move(problems));
            return;
        }
        auto& row = m_result.contracts.emplace_back();
        row.year = fields.year;
        row.student_number = keep(k_student, fields.student);
        row.etape = keep(k_etape, etape);
        row.version = text_at(k_version, record, m_version);
        row.element = keep(k_element, fields.element);
        row.label = text_at(k_label, record, m_label);
        row.nature = code_at(k_nature, record, m_nature);
        row.carried_over = carried == "O";
        row.line = record.line;
    }

    const ContractColumns& m_columns;
    std::size_t m_etape = k_absent;
    std::size_t m_version = k_absent;
    std::size_t m_nature = k_absent;
    std::size_t m_carried_over = k_absent;
};

class GroupParser final : public PedagogyTable {
public:
    GroupParser(const PedagogyConfig& config, const std::string& name, PedagogyRead& result)
        : PedagogyTable(format_of(config, "pedagogy.group_columns"), name, result)
        , m_columns(config.group_columns) {}

    void run(std::string& text) {
        const std::array<csv::Column, 6> columns = {{
            {"year", &m_columns.year, true, &m_year},
            {"student_number", &m_columns.student_number, true, &m_student},
            {"element", &m_columns.element, true, &m_element},
            {"group", &m_columns.group, true, &m_group},
            {"label", &m_columns.label, false, &m_label},
            {"type", &m_columns.type, false, &m_type},
        }};
        reserve_rows(m_result.groups, text);
        read(text, columns);
    }

private:
    void row(const csv::Record& record) override {
        std::string problems;
        auto fields = common(record, problems);
        const std::string_view group = code(k_group, record.fields[m_group]);
        if (group.empty()) {
            add_problem(problems, fmt::format("{} is empty", column_name(m_group)));
        }
        const std::array<std::size_t, 5> checked = {m_student, m_element, m_group, m_label, m_type};
        check_length(record, checked, problems);
        if (!problems.empty()) {
            bad_row(record, std::move(problems));
            return;
        }
        auto& row = m_result.groups.emplace_back();
        row.year = fields.year;
        row.student_number = keep(k_student, fields.student);
        row.element = keep(k_element, fields.element);
        row.group = keep(k_group, group);
        row.label = text_at(k_label, record, m_label);
        row.type = code_at(k_type, record, m_type);
        row.line = record.line;
    }

    const GroupColumns& m_columns;
    std::size_t m_group = k_absent;
    std::size_t m_type = k_absent;
};

template <class Parser>
PedagogyRead parse_with(std::string_view bytes, const PedagogyConfig& config, const std::string& name) {
    PedagogyRead result;
    result.path = name;
    std::vector<std::size_t> replaced_at;
    std::string text = convert_to_utf8(bytes, config.encoding, &replaced_at);
    Parser(config, name, result).run(text);
    result.labels_in_doubt =
        csv::report_encoding(bytes, replaced_at, config.encoding, "pedagogy.encoding", name, result.issues);
    return result;
}

} // namespace

PedagogyRead parse_contracts(std::string_view bytes, const PedagogyConfig& config, const std::string& name) {
    return parse_with<ContractParser>(bytes, config, name);
}

PedagogyRead parse_group_assignments(std::string_view bytes, const PedagogyConfig& config,
                                     const std::string& name) {
    return parse_with<GroupParser>(bytes, config, name);
}

} // namespace cohort_sync
