#pragma once
// Small helpers that make the data readers' error messages read alike: hexadecimal numbers,
// quoted excerpts of untrusted text (escaped and shortened, so a binary file cannot flood a
// terminal), plural counts.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace typegrad::data::detail {

/// `0x00000803`: a 32-bit value as eight hexadecimal digits.
inline std::string hex32(std::uint32_t value) {
    constexpr char digits[] = "0123456789abcdef";
    std::string out = "0x00000000";
    for (std::size_t i = 0; i < 8; ++i) out[9 - i] = digits[(value >> (4 * i)) & 0xFu];
    return out;
}

/// `"text"` with control and non-ASCII bytes as \xNN and a quote as \", cut to `limit` bytes of
/// input with a trailing "..." when longer.
inline std::string quoted(std::string_view text, std::size_t limit = 40) {
    constexpr char digits[] = "0123456789abcdef";
    std::string out = "\"";
    std::size_t const shown = text.size() < limit ? text.size() : limit;
    for (std::size_t i = 0; i < shown; ++i) {
        auto const c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            out += "\\x";
            out += digits[c >> 4];
            out += digits[c & 0xFu];
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
    if (shown < text.size()) out += "...";
    return out;
}

/// `1 byte`, `3 bytes`.
inline std::string count(std::uint64_t n, char const* singular, char const* plural) {
    return std::to_string(n) + ' ' + (n == 1 ? singular : plural);
}

}  // namespace typegrad::data::detail
