// parse_contracts() and parse_group_assignments(), and their kinds' acceptance step (and the
// holds it leaves), on arbitrary bytes under several configurations: the pedagogical extracts
// come from another system's nightly job, as the export does, and must come back as issues,
// never as a crash or as rows Moodle's database would refuse.
#include "cohort_sync/error.hpp"
#include "cohort_sync/merge.hpp"
#include "cohort_sync/pedagogy_parser.hpp"
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

// The first byte of the input picks the extract and the configuration.
PedagogyConfig config_for(unsigned char selector) {
    PedagogyConfig config;
    config.contracts_path = "contracts.csv";
    config.groups_path = "groups.csv";
    config.encoding = selector % 3 == 0   ? Encoding::iso_8859_1
                      : selector % 3 == 1 ? Encoding::utf8
                                          : Encoding::windows_1252;
    config.trailer = (selector & 0x04) != 0;
    if ((selector & 0x08) != 0) {
        config.delimiter = ',';
    }
    if ((selector & 0x10) != 0) {
        config.contract_columns.label.clear();
        config.contract_columns.nature.clear();
        config.group_columns.type.clear();
    }
    return config;
}

void check_text(std::string_view field) {
    check(is_valid_utf8(field), "a field is not valid UTF-8");
    check(field.find('\0') == std::string_view::npos, "a field holds a NUL byte");
}

void check_read(const PedagogyRead& read, std::size_t input_size) {
    const auto rows = read.contracts.size() + read.groups.size();
    check(read.data_lines >= 0, "data_lines is negative");
    check(rows <= static_cast<std::size_t>(read.data_lines), "more rows than data lines");
    check(read.data_lines <= static_cast<int>(input_size) + 1, "more data lines than bytes");
    for (const auto& row : read.contracts) {
        check(!row.student_number.empty() && !row.element.empty() && !row.etape.empty(),
              "a contract without its student, element or étape was accepted");
        for (const std::string_view field :
             {row.student_number, row.etape, row.version, row.element, row.label, row.nature}) {
            check_text(field);
        }
    }
    for (const auto& row : read.groups) {
        check(!row.student_number.empty() && !row.element.empty() && !row.group.empty(),
              "an assignment without its student, element or group was accepted");
        for (const std::string_view field :
             {row.student_number, row.element, row.group, row.label, row.type}) {
            check_text(field);
        }
    }
    for (const auto& issue : read.issues) {
        check(!issue.locator.empty() && !issue.message.empty(), "an issue without a locator or a message");
        check(!issue.damaged || issue.kind == IssueKind::bad_row, "a damaged record that is not a bad row");
        check(is_valid_utf8(issue.message), "an issue message is not valid UTF-8");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const bool contracts = (data[0] & 0x20) == 0;
    const PedagogyConfig config = config_for(data[0]);
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::string name = contracts ? config.contracts_path : config.groups_path;
    const PedagogyRead read =
        contracts ? parse_contracts(bytes, config, name) : parse_group_assignments(bytes, config, name);
    check_read(read, bytes.size());

    Config whole;
    whole.pedagogy = config;
    whole.pedagogy.max_bad_rows = 1000;
    const RunClock clock{1'800'000'000, {}};
    const char* source = contracts ? "contracts" : "groups";
    try {
        const SourceRead accepted = source_kind(source).accept(
            {source, read, FileFacts{static_cast<long long>(bytes.size()), clock.instant}}, whole, clock);
        const auto holds = holds_of(std::span(&accepted, 1));
        const auto damaged =
            std::ranges::count_if(read.issues, [](const Issue& i) { return i.damaged.has_value(); });
        check(holds.size() == static_cast<std::size_t>(damaged), "a damaged record without its hold");
        for (const auto& hold : holds) {
            check(is_valid_utf8(hold.student_number) && is_valid_utf8(hold.element),
                  "a hold is not valid UTF-8");
        }
    } catch (const SourceError&) {
        // A refused extract is an answer too: the night stops with nothing written.
    }
    return 0;
}
