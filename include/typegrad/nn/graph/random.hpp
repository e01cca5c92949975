#pragma once
// Counter-based random bits for the graph's random leaves (dropout masks). Every value is a pure
// function of (seed, step, layer, element index): nothing carries over from one draw to the next,
// so a pass can be replayed exactly (gradcheck evaluates the loss again under the mask the
// backward saw), one layer's values do not depend on what another drew, and the loop over the
// elements has no dependency from one to the next. The mixing function is splitmix64's
// finaliser (Steele, Lea and Flood, 2014), which passes BigCrush when it is fed a counter.

#include <cstddef>
#include <cstdint>

namespace typegrad::nn::graph {

/// Where a pass draws its random values from: the network's seed, the training step (advanced
/// once per training pass), and the layer's position in the network.
struct random_stream {
    std::uint64_t seed = 0;
    std::uint64_t step = 0;
    std::uint64_t layer = 0;
};

namespace detail {

inline constexpr std::uint64_t golden_gamma = 0x9e3779b97f4a7c15;

constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
}

/// A key per (seed, step, layer); element i of the stream is mix64(key + (i + 1) * golden_gamma),
/// splitmix64's i-th output from the state `key`.
constexpr std::uint64_t stream_key(random_stream s) noexcept {
    std::uint64_t const k = mix64(s.seed + golden_gamma);
    return mix64(mix64(k ^ (s.step * golden_gamma)) ^ ((s.layer + 1) * 0xd1b54a32d192ed03));
}

constexpr std::uint64_t random_bits(std::uint64_t key, std::uint64_t index) noexcept {
    return mix64(key + (index + 1) * golden_gamma);
}

/// out[i] = 0 with probability Drop, else 1 / (1 - Drop), for i < n: the bits of element i are
/// compared with Drop * 2^64, so the probability is exact to 2^-64.
template <double Drop, class T>
void fill_random_mask(random_stream stream, T* out, std::size_t n) noexcept {
    static_assert(Drop >= 0.0 && Drop < 1.0);
    constexpr auto threshold = static_cast<std::uint64_t>(Drop * 0x1p64);
    constexpr T keep = static_cast<T>(1.0 / (1.0 - Drop));
    std::uint64_t const key = stream_key(stream);
    for (std::size_t i = 0; i < n; ++i) out[i] = random_bits(key, i) >= threshold ? keep : T(0);
}

}  // namespace detail

}  // namespace typegrad::nn::graph
