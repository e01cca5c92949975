// Tests for typegrad/simd/transform.hpp: every run length from 0 to 40 goes through full
// batches, narrower batches and (transform) one zero-padded batch or (for_each_block) scalars.
// Each length is checked against scalar evaluation, with the run in a buffer of exactly its size
// (ASan catches a read past it) and sentinels around the output (a write past it is caught here).

#include <typegrad/expr/detail/math.hpp>
#include <typegrad/simd/transform.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

namespace simd = typegrad::simd;
namespace math = typegrad::detail::math;

namespace {

constexpr std::size_t max_length = 40;

template <class T>
std::unique_ptr<T[]> exact_buffer(std::size_t n, T first) {
    auto p = std::make_unique<T[]>(n);
    for (std::size_t i = 0; i < n; ++i) p[i] = first + static_cast<T>(i) * T(0.25) - T(3);
    return p;
}

}  // namespace

TEMPLATE_TEST_CASE("transform computes every element of every short run as scalar evaluation does", "", float, double) {
    using T = TestType;
    // Exact arithmetic and a select: batch lanes and scalars must agree bit for bit.
    auto const f = [](auto u, auto v) { return math::max(u * v - u, decltype(u)(0.5)) + v; };
    T const sentinel = T(-12345);
    for (std::size_t n = 0; n <= max_length; ++n) {
        INFO("n = " << n);
        auto const u = exact_buffer<T>(n, T(1));
        auto const v = exact_buffer<T>(n, T(-2));
        std::vector<T> out(n + 2, sentinel);
        simd::transform(n, out.data() + 1, f, u.get(), v.get());
        CHECK(out.front() == sentinel);
        CHECK(out.back() == sentinel);
        for (std::size_t i = 0; i < n; ++i) CHECK(out[i + 1] == f(u[i], v[i]));
    }
}

TEMPLATE_TEST_CASE("transform in place on short runs of a transcendental map", "", float, double) {
    using T = TestType;
    for (std::size_t n = 0; n <= max_length; ++n) {
        INFO("n = " << n);
        auto const x = exact_buffer<T>(n, T(0.5));
        std::vector<T> y(x.get(), x.get() + n);
        simd::transform(n, y.data(), [](auto a) { return math::sigmoid(a); }, static_cast<T const*>(y.data()));
        for (std::size_t i = 0; i < n; ++i) CHECK(y[i] == Approx(T(1) / (T(1) + std::exp(-x[i]))).epsilon(4 * std::numeric_limits<T>::epsilon()));
    }
}

TEMPLATE_TEST_CASE("for_each_block visits every index of every short run once, batches first", "", float, double) {
    using T = TestType;
    for (std::size_t n = 0; n <= max_length; ++n) {
        INFO("n = " << n);
        std::vector<int> visits(n, 0);
        std::size_t next = 0;
        std::size_t last_width = xsimd::batch<T>::size;
        bool widths_shrink = true;
        std::size_t scalars = 0;
        simd::for_each_block<T>(n, [&]<class V>(std::size_t i, std::type_identity<V>) {
            std::size_t width = 1;
            if constexpr (typegrad::is_batch_v<V>) {
                static_assert(std::is_same_v<typename V::value_type, T>);
                width = V::size;
            } else {
                ++scalars;
            }
            CHECK(i == next);  // in order, no gaps
            REQUIRE(i + width <= n);  // never past the end
            widths_shrink = widths_shrink && width <= last_width;
            last_width = width;
            for (std::size_t k = 0; k < width; ++k) ++visits[i + k];
            next = i + width;
        });
        CHECK(next == n);
        CHECK(widths_shrink);
        for (std::size_t i = 0; i < n; ++i) CHECK(visits[i] == 1);
        // Only what the narrowest batch cannot cover is left to scalars.
        CHECK(scalars == n % simd::narrowest_batch_t<T>::size);
    }
}

TEMPLATE_TEST_CASE("for_each_block sums a short run like a scalar loop", "", float, double) {
    using T = TestType;
    for (std::size_t n = 0; n <= max_length; ++n) {
        INFO("n = " << n);
        auto const x = exact_buffer<T>(n, T(1));
        T total = 0;
        T expected = 0;
        simd::for_each_block<T>(n, [&]<class V>(std::size_t i, std::type_identity<V>) {
            V const v = simd::load_as<V>(x.get() + i);
            if constexpr (typegrad::is_batch_v<V>)
                total += xsimd::hadd(v * v);
            else
                total += v * v;
        });
        for (std::size_t i = 0; i < n; ++i) expected += x[i] * x[i];
        CHECK(total == expected);  // quarter steps: every square and partial sum is exact
    }
}
