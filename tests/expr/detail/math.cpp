// Tests for typegrad/expr/detail/math.hpp where a batch does not simply forward to xsimd: the
// rational tanh of float batches. Its bound is stated in ulp of the correctly rounded tanh (the
// double tanh rounded to float stands for it), over a strided sweep of every float bit pattern
// and dense sweeps where the approximation changes regime (the tiny-x cut, the clamp).

#include <typegrad/expr/detail/math.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <vector>

namespace math = typegrad::detail::math;

namespace {

// The bound math.hpp states (the -O2 build reaches 5 ulp, the -O1 sanitizer build 6, near 3.84).
constexpr std::int64_t tanh_ulp_bound = 6;

/// Distance in representable floats (+0 and -0 are the same point).
std::int64_t ulp_distance(float a, float b) {
    auto const ordered = [](float x) {
        auto const bits = static_cast<std::int64_t>(std::bit_cast<std::int32_t>(x));
        return bits < 0 ? std::int64_t{std::numeric_limits<std::int32_t>::min()} - bits : bits;
    };
    return std::llabs(ordered(a) - ordered(b));
}

struct worst {
    std::int64_t ulp = 0;
    float at = 0;
    std::size_t nan_mismatches = 0;
};

/// math::tanh on batches B over xs, against the correctly rounded tanh.
template <class B>
worst sweep(std::vector<float> const& xs) {
    worst w;
    alignas(64) float in[B::size];
    alignas(64) float out[B::size];
    for (std::size_t i = 0; i < xs.size(); i += B::size) {
        for (std::size_t k = 0; k < B::size; ++k) in[k] = xs[(i + k) % xs.size()];
        math::tanh(B::load_aligned(in)).store_aligned(out);
        for (std::size_t k = 0; k < B::size; ++k) {
            if (std::isnan(in[k])) {
                w.nan_mismatches += !std::isnan(out[k]);
                continue;
            }
            auto const expected = static_cast<float>(std::tanh(static_cast<double>(in[k])));
            if (auto const d = ulp_distance(out[k], expected); d > w.ulp) w = {d, in[k], w.nan_mismatches};
        }
    }
    return w;
}

std::vector<float> strided_bit_patterns(std::uint32_t stride) {
    std::vector<float> xs;
    for (std::uint64_t u = 0; u <= 0xffffffffu; u += stride) xs.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(u)));
    return xs;
}

/// Every float in [lo, hi] (lo < hi, same sign), and their negations.
std::vector<float> every_float(float lo, float hi) {
    std::vector<float> xs;
    for (float x = lo; x <= hi; x = std::nextafter(x, hi + 1)) {
        xs.push_back(x);
        xs.push_back(-x);
        if (x == hi) break;
    }
    return xs;
}

template <class B>
void check_bound(std::vector<float> const& xs) {
    worst const w = sweep<B>(xs);
    INFO("batch of " << B::size << ": worst " << w.ulp << " ulp at x = " << w.at);
    CHECK(w.ulp <= tanh_ulp_bound);
    CHECK(w.nan_mismatches == 0);
}

template <class B>
void check_all_regimes() {
    check_bound<B>(strided_bit_patterns(1021));  // every exponent, NaNs and infinities included
    check_bound<B>(every_float(0.0003f, 0.0005f));  // the tiny-x cut at 0.0004
    check_bound<B>(every_float(3.5f, 4.0f));        // where the rational function is least accurate
    check_bound<B>(every_float(7.9f, 9.5f));        // the clamp, and tanh reaching 1
}

}  // namespace

TEST_CASE("float batch tanh is within the stated ulp of the correctly rounded tanh") {
    check_all_regimes<xsimd::batch<float>>();
#if XSIMD_WITH_AVX2
    check_all_regimes<xsimd::batch<float, xsimd::avx2>>();
#endif
#if XSIMD_WITH_SSE4_2
    check_all_regimes<xsimd::batch<float, xsimd::sse4_2>>();
#endif
}

TEST_CASE("float batch tanh keeps signed zeros, saturates at infinity and propagates NaN") {
    using B = xsimd::batch<float>;
    float const nan = std::numeric_limits<float>::quiet_NaN();
    float const inf = std::numeric_limits<float>::infinity();
    std::vector<float> const xs{0.0f, -0.0f, inf, -inf, nan, -nan, 1e-30f, -1e-30f,
                                std::numeric_limits<float>::denorm_min(), 20.0f, -20.0f, 1e30f};
    alignas(64) float in[B::size] = {};
    alignas(64) float out[B::size];
    for (std::size_t k = 0; k < xs.size(); ++k) in[k] = xs[k];
    math::tanh(B::load_aligned(in)).store_aligned(out);
    for (std::size_t k = 0; k < xs.size(); ++k) {
        INFO("x = " << xs[k]);
        if (std::isnan(xs[k])) {
            CHECK(std::isnan(out[k]));
        } else {
            CHECK(out[k] == std::tanh(xs[k]));  // exact at these points
            CHECK(std::signbit(out[k]) == std::signbit(xs[k]));
        }
    }
}

TEST_CASE("double batch tanh still agrees with std::tanh") {
    using B = xsimd::batch<double>;
    alignas(64) double in[B::size];
    alignas(64) double out[B::size];
    for (double x = -20; x <= 20; x += 0.01) {
        for (std::size_t k = 0; k < B::size; ++k) in[k] = x + 1e-3 * static_cast<double>(k);
        math::tanh(B::load_aligned(in)).store_aligned(out);
        for (std::size_t k = 0; k < B::size; ++k) CHECK(out[k] == Approx(std::tanh(in[k])).epsilon(1e-14).margin(1e-300));
    }
}

TEST_CASE("log1p_unit: log1p of a float in [0, 1] within an ulp of the correctly rounded value", "[expr][math]") {
    // Every 97th float from 1 down to 2^-30, and every float within 4096 of the cut at 2^-24
    // (below it the result is e itself), against the double log1p rounded to float.
    std::int64_t worst_ulp = 0;
    float worst_at = 0;
    std::size_t checked = 0;
    auto const check = [&](float e) {
        auto const expected = static_cast<float>(std::log1p(static_cast<double>(e)));
        std::int64_t const ulp = ulp_distance(math::log1p_unit(e), expected);
        if (ulp > worst_ulp) {
            worst_ulp = ulp;
            worst_at = e;
        }
        ++checked;
    };
    auto const bits = [](float e) { return std::bit_cast<std::uint32_t>(e); };
    for (std::uint32_t b = bits(1.0f); b >= bits(0x1p-30f); b -= 97) check(std::bit_cast<float>(b));
    for (std::uint32_t b = bits(0x1p-24f) - 4096; b <= bits(0x1p-24f) + 4096; ++b) check(std::bit_cast<float>(b));
    INFO("worst at e = " << worst_at << " of " << checked << " values");
    CHECK(checked > 2'000'000);
    CHECK(worst_ulp <= 1);
    CHECK(math::log1p_unit(0.0f) == 0.0f);
    CHECK(math::log1p_unit(0x1p-100f) == 0x1p-100f);
}
