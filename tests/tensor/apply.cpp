// tg::apply / tg::apply_backward: expressions evaluated elementwise on SIMD lanes with a tail.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/tensor/apply.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace tg = typegrad;

namespace {

constexpr tg::var<0> x;
constexpr tg::var<1> y;

template <class T, std::size_t Cols>
tg::matrix<T, Cols> random_matrix(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> value(-3.0, 3.0);
    tg::matrix<T, Cols> m(rows);
    for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(value(engine));
    return m;
}

template <class T>
constexpr T tolerance = 8 * std::numeric_limits<T>::epsilon();

// Rows chosen so that rows * Cols has no tail, a short tail and a long one for every batch width.
constexpr std::size_t row_counts[] = {1, 3, 37};

}  // namespace

TEMPLATE_TEST_CASE("apply evaluates a unary expression at every element", "[tensor][apply]", float, double) {
    constexpr auto swish = x * tg::sigmoid(x);  // a user's activation: no SIMD code written for it
    for (std::size_t rows : row_counts) {
        auto const in = random_matrix<TestType, 7>(rows, rows);
        tg::matrix<TestType, 7> out(rows);
        tg::apply(swish, in, out);
        for (std::size_t i = 0; i < in.size(); ++i) {
            double const v = in.data()[i];
            INFO("rows " << rows << " element " << i);
            CHECK(out.data()[i] == Approx(v / (1.0 + std::exp(-v))).epsilon(tolerance<TestType>).margin(tolerance<TestType>));
        }
    }
}

TEST_CASE("apply works in place and on subrow views", "[tensor][apply]") {
    auto m = random_matrix<float, 5>(9, 1);
    auto const original = m;
    tg::apply(tg::relu(x), m.subrows(2, 4), m.subrows(2, 4));
    for (std::size_t r = 0; r < 9; ++r)
        for (std::size_t c = 0; c < 5; ++c) {
            float const expected = (r >= 2 && r < 6) ? std::max(original(r, c), 0.0f) : original(r, c);
            CHECK(m(r, c) == expected);
        }
}

TEMPLATE_TEST_CASE("apply evaluates a binary expression pairwise", "[tensor][apply]", float, double) {
    for (std::size_t rows : row_counts) {
        auto const a = random_matrix<TestType, 9>(rows, 2);
        auto const b = random_matrix<TestType, 9>(rows, 3);
        tg::matrix<TestType, 9> out(rows);
        tg::apply(tg::pow<2>(x - y) + tg::max(x, y), a, b, out);
        for (std::size_t i = 0; i < a.size(); ++i) {
            double const p = a.data()[i], q = b.data()[i];
            CHECK(out.data()[i] == Approx((p - q) * (p - q) + std::max(p, q)).epsilon(tolerance<TestType>));
        }
    }
}

TEMPLATE_TEST_CASE("apply_backward multiplies by the derived derivative", "[tensor][apply]", float, double) {
    constexpr auto f = tg::tanh(x) * tg::sigmoid(2.0 * x);
    for (std::size_t rows : row_counts) {
        auto const in = random_matrix<TestType, 11>(rows, 4);
        auto const dout = random_matrix<TestType, 11>(rows, 5);
        tg::matrix<TestType, 11> din(rows);
        tg::apply_backward(f, in, dout, din);
        for (std::size_t i = 0; i < in.size(); ++i) {
            double const v = in.data()[i];
            // by hand: (tanh s)' = (1 - tanh^2) s + tanh 2 s (1 - s), s = sigmoid(2v)
            double const s = 1.0 / (1.0 + std::exp(-2.0 * v)), t = std::tanh(v);
            double const expected = dout.data()[i] * ((1.0 - t * t) * s + t * 2.0 * s * (1.0 - s));
            CHECK(din.data()[i] == Approx(expected).epsilon(4 * tolerance<TestType>).margin(4 * tolerance<TestType>));
        }
    }
}

TEST_CASE("apply reports operands of different row counts", "[tensor][apply]") {
    tg::matrix<float, 4> a(3), b(2), out(3);
    CHECK_THROWS_WITH(tg::apply(tg::exp(x), a, b), Catch::Contains("typegrad::apply: out has 2 rows, expected 3"));
    CHECK_THROWS_WITH(tg::apply(x * y, a, b, out), Catch::Contains("typegrad::apply: b has 2 rows, expected 3"));
    CHECK_THROWS_AS(tg::apply_backward(tg::exp(x), a, a, b), tg::error);
}
