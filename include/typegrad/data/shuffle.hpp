#pragma once
// Seeded shuffling that gives the same order with every standard library.
//
// std::shuffle and std::uniform_int_distribution use algorithms the standard leaves open, so a
// seed gives one order with libstdc++ and another with libc++ or MSVC. Here every step is
// specified: the engine is std::mt19937_64 (its output is fixed by the standard), a bounded
// integer is drawn by rejection (below), and the shuffle is a Fisher-Yates written out.
//
//   uniform_below(rng, n)            an integer in [0, n), exactly uniform
//   shuffle(items, rng)              Fisher-Yates over a span
//   epoch_engine(seed, epoch)        the engine of one epoch of a seeded run
//   random_permutation(n, seed, e)   0..n-1 shuffled by epoch_engine(seed, e)

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <span>
#include <utility>
#include <vector>

#include <typegrad/error.hpp>

namespace typegrad::data {

/// An integer uniformly distributed in [0, n), n >= 1 (n == 0 is a tg::error). Draws 64-bit
/// words and rejects the 2^64 mod n lowest, so the accepted ones split evenly over the residues
/// (the method of OpenBSD's arc4random_uniform); at most half the draws are rejected, usually
/// none.
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
    if (n == 0) throw error("typegrad::data::uniform_below: the bound must be at least 1, got 0");
    std::uint64_t const threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
        std::uint64_t const x = rng();
        if (x >= threshold) return x % n;
    }
}

/// Fisher-Yates: for i from the last index down to 1, swaps item i with an item drawn uniformly
/// from [0, i].
template <class T>
void shuffle(std::span<T> items, std::mt19937_64& rng) {
    for (std::size_t i = items.size(); i > 1; --i) {
        auto const j = static_cast<std::size_t>(uniform_below(rng, i));
        using std::swap;
        swap(items[i - 1], items[j]);
    }
}

/// The engine for epoch `epoch` of a run seeded with `seed`: std::mt19937_64 seeded with the
/// (epoch + 1)-th output of SplitMix64 started at `seed`. Epochs get unrelated streams, any epoch
/// can be reproduced on its own (to resume a run), and nothing is allocated.
inline std::mt19937_64 epoch_engine(std::uint64_t seed, std::uint64_t epoch) {
    std::uint64_t z = seed + (epoch + 1) * 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return std::mt19937_64(z);
}

/// Fills `order` with 0, 1, ..., size - 1 and shuffles it with `rng`.
inline void random_permutation(std::span<std::size_t> order, std::mt19937_64& rng) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    shuffle(order, rng);
}

/// 0..n-1 in the order of epoch `epoch` of a run seeded with `seed`.
inline std::vector<std::size_t> random_permutation(std::size_t n, std::uint64_t seed, std::uint64_t epoch = 0) {
    std::vector<std::size_t> order(n);
    auto rng = epoch_engine(seed, epoch);
    random_permutation(order, rng);
    return order;
}

}  // namespace typegrad::data
