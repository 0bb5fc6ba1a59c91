// parse_export(), to_utf8() and the export's acceptance step (and the holds it leaves) on arbitrary
// bytes, under several configurations. The export is
// the one source an operator cannot vet: it comes from another system's nightly job, and a
// truncated, re-encoded or hand-edited file must come back as issues, never as a crash or as
// rows that Moodle's database would refuse.
#include "cohort_sync/error.hpp"
#include "cohort_sync/export_parser.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/run_clock.hpp"
#include "cohort_sync/source.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace {

using namespace cohort_sync;
using cohort_sync::fuzz::check;
using cohort_sync::fuzz::is_valid_utf8;

// The first byte of the input picks the configuration, so one corpus exercises them all.
ExportConfig config_for(unsigned char selector) {
    ExportConfig config;
    config.path = "export.csv";
    switch (selector % 3) {
    case 0:
        config.encoding = Encoding::iso_8859_1;
        break;
    case 1:
        config.encoding = Encoding::utf8;
        break;
    default:
        config.encoding = Encoding::windows_1252;
        break;
    }
    config.trailer = (selector & 0x04) != 0;
    if ((selector & 0x08) != 0) {
        config.delimiter = ',';
    }
    if ((selector & 0x10) != 0) {
        config.quote = '\'';
    }
    if ((selector & 0x20) != 0) {
        config.columns.label.clear(); // no label column
    }
    if ((selector & 0x40) != 0) {
        // The names the generator and some universities use.
        config.columns.version.clear();
        config.active_statuses = {"E", "R"};
    }
    return config;
}

void check_read(const ExportRead& read, std::size_t input_size) {
    check(read.data_lines >= 0, "data_lines is negative");
    check(read.rows.size() <= static_cast<std::size_t>(read.data_lines), "more rows than data lines");
    check(read.data_lines <= static_cast<int>(input_size) + 1, "more data lines than bytes");
    int previous_line = 0;
    for (const auto& row : read.rows) {
        check(row.line > previous_line, "rows out of line order");
        previous_line = row.line;
        check(!row.student_number.empty(), "a row without a student number was accepted");
        check(!row.etape.empty(), "a row without an étape was accepted");
        for (const std::string* field :
             {&row.student_number, &row.etape, &row.version, &row.status, &row.label}) {
            check(is_valid_utf8(*field), "a field is not valid UTF-8");
            check(field->find('\0') == std::string::npos, "a field holds a NUL byte");
        }
    }
    for (const auto& issue : read.issues) {
        check(!issue.locator.empty(), "an issue without a locator");
        check(!issue.damaged || issue.kind == IssueKind::bad_row, "a damaged record that is not a bad row");
        check(!issue.message.empty(), "an issue without a message");
        // Messages quote the input: they go to the log and the JSON report, so they must be text.
        check(is_valid_utf8(issue.message), "an issue message is not valid UTF-8");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const ExportConfig config = config_for(data[0]);
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

    const std::string text = to_utf8(bytes, config.encoding);
    check(is_valid_utf8(text), "to_utf8 returned invalid UTF-8");

    const ExportRead read = parse_export(bytes, config, config.path);
    check_read(read, bytes.size());

    // The acceptance step: refuses (SourceError) or accepts; an accepted read's bad rows each
    // become one hold, and a hold never names a value a bad row could not be trusted with.
    Config whole;
    whole.apogee = config;
    whole.apogee.max_bad_rows = 1000;
    const RunClock clock{1'800'000'000, {}};
    try {
        const SourceRead accepted = source_kind("export").accept(
            {"export", read, FileFacts{static_cast<long long>(bytes.size()), clock.instant}}, whole, clock);
        const auto holds = holds_of(std::span(&accepted, 1));
        const auto damaged =
            std::ranges::count_if(read.issues, [](const Issue& i) { return i.damaged.has_value(); });
        check(holds.size() == static_cast<std::size_t>(damaged), "a damaged record without its hold");
        for (const auto& hold : holds) {
            check(hold.student_number.find('\0') == std::string::npos, "a hold names a NUL byte");
            check(is_valid_utf8(hold.student_number) && is_valid_utf8(hold.etape),
                  "a hold is not valid UTF-8");
        }
    } catch (const SourceError&) {
        // A refused export is an answer too: the night stops with nothing written.
    }
    return 0;
}
