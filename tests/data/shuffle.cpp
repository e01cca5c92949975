// tg::data::uniform_below, shuffle, epoch_engine, random_permutation: exact uniformity of the
// bounded draw, permutations, determinism, and pinned values. The pinned values follow from the
// standard's definition of std::mt19937_64 and the algorithms written out in shuffle.hpp, so they
// are the same with any standard library; a change to them changes every seeded run.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include <typegrad/data/shuffle.hpp>
#include <typegrad/error.hpp>

namespace tg = typegrad;

TEST_CASE("std::mt19937_64 is the engine the standard specifies", "[data][shuffle]") {
    std::mt19937_64 rng;  // default seed 5489: the 10000th output is fixed by [rand.predef]
    rng.discard(9999);
    CHECK(rng() == 9981545732273789042ull);
}

TEST_CASE("uniform_below draws below its bound", "[data][shuffle]") {
    std::mt19937_64 rng(7);
    for (std::uint64_t n : {1ull, 2ull, 3ull, 10ull, 1000ull, (1ull << 63) + 1, ~0ull}) {
        bool in_range = true;
        for (int i = 0; i < 1000; ++i) in_range = in_range && tg::data::uniform_below(rng, n) < n;
        CAPTURE(n);
        CHECK(in_range);
    }
    CHECK(tg::data::uniform_below(rng, 1) == 0);
    CHECK_THROWS_WITH(tg::data::uniform_below(rng, 0), Catch::Contains("the bound must be at least 1, got 0"));
}

TEST_CASE("uniform_below is uniform", "[data][shuffle]") {
    // 60000 draws over 6 values: each count within 5 standard deviations (about 456) of 10000.
    std::mt19937_64 rng(11);
    std::array<int, 6> counts{};
    for (int i = 0; i < 60000; ++i) ++counts[tg::data::uniform_below(rng, 6)];
    for (int const c : counts) CHECK(std::abs(c - 10000) < 456);
}

TEST_CASE("uniform_below and random_permutation give pinned values", "[data][shuffle]") {
    std::mt19937_64 rng(1);
    std::vector<std::uint64_t> draws;
    for (int i = 0; i < 8; ++i) draws.push_back(tg::data::uniform_below(rng, 10));
    CHECK(draws == std::vector<std::uint64_t>{8, 2, 0, 6, 4, 9, 8, 5});
    std::mt19937_64 big(1);
    draws.clear();
    for (int i = 0; i < 4; ++i) draws.push_back(tg::data::uniform_below(big, 1000000007));
    CHECK(draws == std::vector<std::uint64_t>{259194324, 86572758, 199539365, 235775340});

    CHECK(tg::data::random_permutation(10, 42) == std::vector<std::size_t>{2, 9, 0, 7, 3, 6, 5, 4, 8, 1});
    CHECK(tg::data::random_permutation(10, 42, 1) == std::vector<std::size_t>{7, 3, 4, 1, 8, 5, 0, 9, 2, 6});
    CHECK(tg::data::random_permutation(10, 43) == std::vector<std::size_t>{3, 5, 8, 6, 2, 7, 1, 0, 4, 9});
}

TEST_CASE("random_permutation is a permutation fixed by seed and epoch", "[data][shuffle]") {
    for (std::size_t n : {0u, 1u, 2u, 5u, 1000u}) {
        CAPTURE(n);
        auto p = tg::data::random_permutation(n, 123, 4);
        CHECK(p == tg::data::random_permutation(n, 123, 4));
        std::sort(p.begin(), p.end());
        std::vector<std::size_t> identity(n);
        std::iota(identity.begin(), identity.end(), std::size_t{0});
        CHECK(p == identity);
    }
    auto const a = tg::data::random_permutation(1000, 1);
    CHECK(a != tg::data::random_permutation(1000, 2));     // another seed
    CHECK(a != tg::data::random_permutation(1000, 1, 1));  // another epoch
    std::vector<std::size_t> identity(1000);
    std::iota(identity.begin(), identity.end(), std::size_t{0});
    CHECK(a != identity);
}

TEST_CASE("shuffle reaches every arrangement of three items equally often", "[data][shuffle]") {
    std::mt19937_64 rng(5);
    std::array<int, 6> counts{};  // indexed by the arrangement's rank among the 6
    for (int i = 0; i < 60000; ++i) {
        std::array<int, 3> items{0, 1, 2};
        tg::data::shuffle(std::span<int>(items), rng);
        int rank = 0;
        std::array<int, 3> probe{0, 1, 2};
        while (probe != items) {
            std::next_permutation(probe.begin(), probe.end());
            ++rank;
        }
        ++counts[static_cast<std::size_t>(rank)];
    }
    for (int const c : counts) CHECK(std::abs(c - 10000) < 456);
}
