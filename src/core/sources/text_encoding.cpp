#include "text_encoding.hpp"

#include "byte_scan.hpp"
#include "cohort_sync/utf8.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace cohort_sync {
namespace {

// Windows-1252 0x80..0x9F. The five bytes the code page leaves undefined become U+FFFD.
constexpr std::array<char16_t, 32> k_cp1252_80_9f = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, // 88-8F
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178, // 98-9F
};

// The end of the run of ASCII bytes starting at `i`, eight bytes at a time: most of an export
// is ASCII, and this loop is most of the conversion's time.
std::size_t skip_ascii(const unsigned char* data, std::size_t i, std::size_t size) {
    constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;
    while (i + 8 <= size) {
        std::uint64_t word = 0;
        std::memcpy(&word, data + i, sizeof word);
        if ((word & k_high_bits) != 0) {
            break;
        }
        i += 8;
    }
    while (i < size && data[i] < 0x80) {
        ++i;
    }
    return i;
}

} // namespace

bool has_utf8_bom(std::string_view bytes) {
    return bytes.size() >= 3 && bytes[0] == '\xEF' && bytes[1] == '\xBB' && bytes[2] == '\xBF';
}

std::string convert_to_utf8(std::string_view bytes, Encoding encoding,
                            std::vector<std::size_t>* replaced_at) {
    std::size_t i = 0;
    // A leading EF BB BF means UTF-8 whatever the configuration says: in ISO-8859-1 or
    // Windows-1252 it would read "ï»¿", which no APOGÉE export starts with, while tools that
    // re-save an export (Excel, Notepad) add exactly this BOM when they write UTF-8. Trusting the
    // configuration here would put "ï»¿" into the first column name and break the header.
    if (has_utf8_bom(bytes)) {
        encoding = Encoding::utf8;
        i = 3;
    }
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t size = bytes.size();
    std::string out;
    // Accented letters take two bytes in UTF-8; an eighth more is plenty for French labels.
    out.reserve(size - i + (encoding == Encoding::utf8 ? 0 : size / 8));
    while (i < size) {
        std::size_t ascii_end = skip_ascii(data, i, size);
        out.append(bytes.data() + i, ascii_end - i);
        i = ascii_end;
        if (i == size) {
            break;
        }
        const unsigned char byte = data[i];
        switch (encoding) {
        case Encoding::iso_8859_1:
            append_utf8(out, byte);
            ++i;
            break;
        case Encoding::windows_1252: {
            const char32_t cp = byte < 0xA0 ? k_cp1252_80_9f[byte - 0x80] : char32_t{byte};
            if (cp == k_replacement_character && replaced_at) {
                replaced_at->push_back(i);
            }
            append_utf8(out, cp);
            ++i;
            break;
        }
        case Encoding::utf8: {
            const Utf8Sequence sequence = utf8_sequence_at(bytes, i);
            if (sequence.length > 0) {
                out.append(bytes.data() + i, sequence.length);
                i += sequence.length;
            } else {
                out += k_replacement_character_utf8;
                if (replaced_at) {
                    replaced_at->push_back(i);
                }
                i += sequence.ill_formed;
            }
            break;
        }
        }
    }
    return out;
}

EncodingCensus census_lines(std::string_view bytes) {
    EncodingCensus census;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t size = bytes.size();
    std::size_t i = has_utf8_bom(bytes) ? 3 : 0;
    int line = 1;
    std::size_t counted_to = 0; // line holds the number of the line at offset counted_to
    while (i < size) {
        i = skip_ascii(data, i, size);
        if (i == size) {
            break;
        }
        // A line with non-ASCII bytes: find its number, then classify it whole.
        line += static_cast<int>(byte_scan::count(bytes.substr(counted_to, i - counted_to), '\n'));
        const char* end_of_line = static_cast<const char*>(std::memchr(bytes.data() + i, '\n', size - i));
        const std::size_t line_end =
            end_of_line ? static_cast<std::size_t>(end_of_line - bytes.data()) : size;
        bool single_byte = false;
        while (i < line_end) {
            // A word at a time here too: an accented label leaves most of its line ASCII.
            i = skip_ascii(data, i, line_end);
            if (i == line_end) {
                break;
            }
            const Utf8Sequence sequence = utf8_sequence_at(bytes, i);
            if (sequence.length > 0) {
                i += sequence.length;
            } else {
                single_byte = true;
                i += sequence.ill_formed;
            }
        }
        // A line with both is damaged rather than re-encoded: it counts as single-byte, the
        // encoding a UTF-8 reader could not read.
        auto& lines = single_byte ? census.single_byte_lines : census.utf8_lines;
        ++(single_byte ? census.single_byte_count : census.utf8_count);
        if (lines.size() < EncodingCensus::k_examples) {
            lines.push_back(line);
        }
        counted_to = i;
    }
    return census;
}

const char* encoding_name(Encoding encoding) {
    switch (encoding) {
    case Encoding::utf8:
        return "UTF-8";
    case Encoding::iso_8859_1:
        return "ISO-8859-1";
    case Encoding::windows_1252:
        return "Windows-1252";
    }
    return "?";
}

} // namespace cohort_sync
