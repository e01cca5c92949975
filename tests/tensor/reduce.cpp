// Row reductions and sums against plain double loops, on widths with and without SIMD tails.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/reduce.hpp>

namespace tg = typegrad;

namespace {

template <class T, std::size_t Cols>
tg::matrix<T, Cols> random_matrix(std::size_t rows, double scale) {
    std::mt19937_64 engine(Cols * 31 + rows);
    std::uniform_real_distribution<double> value(-scale, scale);
    tg::matrix<T, Cols> m(rows);
    for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(value(engine));
    return m;
}

template <class T, std::size_t Cols>
void check_rows(double scale) {
    constexpr double eps = std::numeric_limits<T>::epsilon();
    for (std::size_t rows : {1u, 5u, 37u}) {
        auto const m = random_matrix<T, Cols>(rows, scale);
        std::vector<T> mx(rows), sm(rows), lse(rows);
        tg::row_max(m, std::span<T>(mx));
        tg::row_sum(m, std::span<T>(sm));
        tg::row_logsumexp(m, std::span<T>(lse));
        double total = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            double expected_max = -INFINITY, expected_sum = 0, abs_sum = 0;
            for (std::size_t c = 0; c < Cols; ++c) {
                expected_max = std::max<double>(expected_max, m(r, c));
                expected_sum += m(r, c);
                abs_sum += std::abs(double(m(r, c)));
            }
            double shifted = 0;
            for (std::size_t c = 0; c < Cols; ++c) shifted += std::exp(double(m(r, c)) - expected_max);
            double const expected_lse = expected_max + std::log(shifted);
            total += expected_sum;
            INFO("Cols " << Cols << " rows " << rows << " row " << r << " scale " << scale);
            CHECK(mx[r] == expected_max);
            // Summation error is bounded by Cols eps times the sum of magnitudes.
            CHECK(std::abs(sm[r] - expected_sum) <= Cols * eps * abs_sum);
            CHECK(std::isfinite(lse[r]));
            CHECK(lse[r] == Approx(expected_lse).epsilon(8 * eps).margin(8 * eps));
        }
        CHECK(std::abs(tg::sum(m) - total) <= rows * Cols * eps * rows * Cols * scale);
    }
}

}  // namespace

TEMPLATE_TEST_CASE("row reductions agree with plain loops", "[tensor][reduce]", float, double) {
    check_rows<TestType, 1>(3.0);
    check_rows<TestType, 10>(3.0);
    check_rows<TestType, 17>(3.0);
    check_rows<TestType, 33>(3.0);
    check_rows<TestType, 257>(3.0);
}

TEMPLATE_TEST_CASE("log-sum-exp stays finite for logits of magnitude 1000", "[tensor][reduce]", float, double) {
    check_rows<TestType, 10>(1000.0);
    tg::matrix<TestType, 3> m(1);
    m(0, 0) = TestType(1000);
    m(0, 1) = TestType(-1000);
    m(0, 2) = TestType(999);
    TestType lse = 0;
    tg::row_logsumexp(m, std::span<TestType>(&lse, 1));
    CHECK(lse == Approx(1000.0 + std::log1p(std::exp(-1.0))));
}

TEST_CASE("log-sum-exp of a row of -infinity is -infinity", "[tensor][reduce]") {
    tg::matrix<double, 4> m(1);
    m.fill(-std::numeric_limits<double>::infinity());
    double lse = 0;
    tg::row_logsumexp(m, std::span<double>(&lse, 1));
    CHECK(lse == -std::numeric_limits<double>::infinity());
}

TEST_CASE("a row output of the wrong size is a tg::error", "[tensor][reduce]") {
    tg::matrix<float, 4> m(3);
    std::vector<float> out(2);
    CHECK_THROWS_WITH(tg::row_max(m, std::span<float>(out)),
                      Catch::Contains("typegrad::row_max: the output has 2 elements, expected 3"));
}
