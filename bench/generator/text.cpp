#include "text.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <stdexcept>

namespace cohort_sync::generator {

namespace {

// Decodes one code point at `pos` and advances it. The generator only decodes its own
// string literals, so malformed input is a bug: it throws rather than guessing.
char32_t decode_utf8(std::string_view text, std::size_t& pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    int extra = 0;
    char32_t cp = 0;
    if (lead < 0x80) {
        ++pos;
        return lead;
    } else if ((lead & 0xE0) == 0xC0) {
        extra = 1;
        cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2;
        cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        extra = 3;
        cp = lead & 0x07;
    } else {
        throw std::invalid_argument(fmt::format("invalid UTF-8 lead byte 0x{:02x} in '{}'", lead, text));
    }
    if (pos + static_cast<std::size_t>(extra) >= text.size()) {
        throw std::invalid_argument(fmt::format("truncated UTF-8 sequence in '{}'", text));
    }
    for (int i = 1; i <= extra; ++i) {
        const unsigned char next = byte(pos + static_cast<std::size_t>(i));
        if ((next & 0xC0) != 0x80) {
            throw std::invalid_argument(fmt::format("invalid UTF-8 continuation byte in '{}'", text));
        }
        cp = (cp << 6) | (next & 0x3F);
    }
    pos += static_cast<std::size_t>(extra) + 1;
    return cp;
}

// ASCII spelling of the accented letters French names and labels use (and a few from the
// names of students from elsewhere); nullptr: no ASCII equivalent.
const char* fold(char32_t cp) {
    switch (cp) {
    case U'à':
    case U'á':
    case U'â':
    case U'ã':
    case U'ä':
    case U'å':
    case U'À':
    case U'Á':
    case U'Â':
    case U'Ã':
    case U'Ä':
    case U'Å':
        return "a";
    case U'æ':
    case U'Æ':
        return "ae";
    case U'ç':
    case U'Ç':
        return "c";
    case U'è':
    case U'é':
    case U'ê':
    case U'ë':
    case U'È':
    case U'É':
    case U'Ê':
    case U'Ë':
        return "e";
    case U'ì':
    case U'í':
    case U'î':
    case U'ï':
    case U'Ì':
    case U'Í':
    case U'Î':
    case U'Ï':
    case U'ı':
        return "i";
    case U'ñ':
    case U'Ñ':
        return "n";
    case U'ò':
    case U'ó':
    case U'ô':
    case U'õ':
    case U'ö':
    case U'ø':
    case U'Ò':
    case U'Ó':
    case U'Ô':
    case U'Õ':
    case U'Ö':
    case U'Ø':
        return "o";
    case U'œ':
    case U'Œ':
        return "oe";
    case U'ù':
    case U'ú':
    case U'û':
    case U'ü':
    case U'Ù':
    case U'Ú':
    case U'Û':
    case U'Ü':
        return "u";
    case U'ý':
    case U'ÿ':
    case U'Ý':
    case U'Ÿ':
        return "y";
    case U'ß':
        return "ss";
    case U'ş':
    case U'Ş':
        return "s";
    case U'ğ':
    case U'Ğ':
        return "g";
    case U'ł':
    case U'Ł':
        return "l";
    default:
        return nullptr;
    }
}

} // namespace

std::string base64(std::string_view bytes) {
    static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto at = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += k_alphabet[(n >> 6) & 63];
        out += k_alphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t n = at(i) << 16;
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t n = (at(i) << 16) | (at(i + 1) << 8);
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += k_alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

bool ldif_safe(std::string_view value) {
    if (value.empty()) {
        return true;
    }
    // SAFE-INIT-CHAR excludes SPACE, ':' and '<' besides NUL, LF and CR.
    const auto first = static_cast<unsigned char>(value.front());
    if (first == ' ' || first == ':' || first == '<') {
        return false;
    }
    if (value.back() == ' ') {
        return false;
    }
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0 || u == '\n' || u == '\r' || u > 0x7F) {
            return false;
        }
    }
    return true;
}

void append_ldif_line(std::string& out, std::string_view attribute, std::string_view value) {
    out.append(attribute);
    if (ldif_safe(value)) {
        out.append(": ");
        out.append(value);
    } else {
        out.append(":: ");
        out.append(base64(value));
    }
    out += '\n';
}

void append_copy_field(std::string& out, std::string_view value) {
    for (const char c : value) {
        switch (c) {
        case '\\':
            out.append("\\\\");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        default:
            out += c;
        }
    }
}

std::string csv_field(std::string_view value, char delimiter) {
    if (value.find_first_of(std::string{delimiter, '"', '\r', '\n'}) == std::string_view::npos) {
        return std::string(value);
    }
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
    return out;
}

std::string utf8_to_latin1(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        const char32_t cp = decode_utf8(utf8, pos);
        if (cp > 0xFF) {
            throw std::invalid_argument(
                fmt::format("'{}' has a character (U+{:04X}) that ISO-8859-1 cannot encode", utf8,
                            static_cast<std::uint32_t>(cp)));
        }
        out += static_cast<char>(static_cast<unsigned char>(cp));
    }
    return out;
}

std::string ascii_fold_lower(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        const char32_t cp = decode_utf8(utf8, pos);
        if (cp < 0x80) {
            const auto c = static_cast<char>(cp);
            out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        } else if (const char* ascii = fold(cp)) {
            out.append(ascii);
        }
    }
    return out;
}

std::size_t utf8_length(std::string_view utf8) {
    std::size_t n = 0;
    for (const char c : utf8) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
            ++n;
        }
    }
    return n;
}

std::string utf8_truncate(std::string_view utf8, std::size_t max_chars) {
    std::size_t chars = 0;
    std::size_t end = 0;
    while (end < utf8.size()) {
        if ((static_cast<unsigned char>(utf8[end]) & 0xC0) != 0x80) {
            if (chars == max_chars) {
                break;
            }
            ++chars;
        }
        ++end;
    }
    std::string out(utf8.substr(0, end));
    while (!out.empty() && (out.back() == ' ' || out.back() == '-')) {
        out.pop_back();
    }
    return out;
}

std::string json_string(std::string_view value) {
    std::string out = "\"";
    for (const char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(u));
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

} // namespace cohort_sync::generator
