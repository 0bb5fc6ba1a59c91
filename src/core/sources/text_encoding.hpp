// The export's bytes to UTF-8 (ISO-8859-1, Windows-1252 or UTF-8 in, always well-formed UTF-8
// out), and the checks that tell a misconfigured encoding. Private to the export parsing; the
// public entry point is to_utf8() in cohort_sync/export_parser.hpp.
#pragma once

#include "cohort_sync/config.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cohort_sync {

bool has_utf8_bom(std::string_view bytes);

// Converts `bytes` to UTF-8, dropping a UTF-8 BOM (which overrides `encoding`). Ill-formed
// UTF-8 and the bytes Windows-1252 leaves undefined become U+FFFD; `replaced_at` (when given)
// receives the input offset of each, so that parse_export can say on which lines.
std::string convert_to_utf8(std::string_view bytes, Encoding encoding, std::vector<std::size_t>* replaced_at);

// The lines whose non-ASCII bytes read as UTF-8, and those where they cannot (a single-byte
// encoding): an export re-saved in part by another tool has both. The first few line numbers of
// each, and how many lines in all.
struct EncodingCensus {
    static constexpr std::size_t k_examples = 5;
    std::vector<int> utf8_lines;
    std::vector<int> single_byte_lines;
    int utf8_count = 0;
    int single_byte_count = 0;

    bool mixed() const { return utf8_count > 0 && single_byte_count > 0; }
};

EncodingCensus census_lines(std::string_view bytes);

// "UTF-8", "ISO-8859-1", "Windows-1252": for messages.
const char* encoding_name(Encoding encoding);

} // namespace cohort_sync
