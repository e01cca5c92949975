#pragma once
// Little-endian byte order for files: a copy on little-endian machines, a byte swap per element
// elsewhere. Floating-point values move as their bit patterns, so NaN payloads, signed zeros and
// subnormals survive a round trip unchanged.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace typegrad::io::detail {

template <class T>
using same_size_uint_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <class U>
constexpr U byte_swap(U u) noexcept {
    U out = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) {
        out = static_cast<U>((out << 8) | (u & 0xFF));
        u = static_cast<U>(u >> 8);
    }
    return out;
}

/// Writes n values of T to `out` (n * sizeof(T) bytes) in little-endian order.
template <class T>
void to_little_endian(T const* in, std::size_t n, std::byte* out) noexcept {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "typegrad::io: only 4- and 8-byte values are stored");
    if constexpr (std::endian::native == std::endian::little) {
        if (n != 0) std::memcpy(out, in, n * sizeof(T));
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            auto const u = byte_swap(std::bit_cast<same_size_uint_t<T>>(in[i]));
            std::memcpy(out + i * sizeof(T), &u, sizeof(T));
        }
    }
}

/// Reads n values of T from `in` (n * sizeof(T) bytes in little-endian order).
template <class T>
void from_little_endian(std::byte const* in, std::size_t n, T* out) noexcept {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "typegrad::io: only 4- and 8-byte values are stored");
    if constexpr (std::endian::native == std::endian::little) {
        if (n != 0) std::memcpy(out, in, n * sizeof(T));
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            same_size_uint_t<T> u;
            std::memcpy(&u, in + i * sizeof(T), sizeof(T));
            out[i] = std::bit_cast<T>(byte_swap(u));
        }
    }
}

/// The 8-byte little-endian encoding of an unsigned 64-bit number, and back.
inline void put_u64_le(std::uint64_t v, std::byte* out) noexcept {
    for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::byte>((v >> (8 * i)) & 0xFF);
}
inline std::uint64_t get_u64_le(std::byte const* in) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v |= std::uint64_t(std::to_integer<unsigned>(in[i])) << (8 * i);
    return v;
}

}  // namespace typegrad::io::detail
