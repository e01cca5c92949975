// eval(e, args...): constexpr on float and double, and lane-wise on xsimd batches.

#include <catch2/catch.hpp>

#include <limits>

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/eval.hpp>

#include "cases.hpp"

using cases::x;
using cases::y;

TEST_CASE("eval is constexpr on float and double", "[expr][eval]") {
    STATIC_REQUIRE(tg::eval(x * y + 1.0, 2.0, 3.0) == 7.0);
    STATIC_REQUIRE(tg::eval(x * y + 1.0, 2.0f, 3.0f) == 7.0f);
    STATIC_REQUIRE(tg::eval(tg::constant<0.5>{} * x, 3.0) == 1.5);
    STATIC_REQUIRE(tg::eval(tg::pow<-2>(x), 2.0) == 0.25);
    STATIC_REQUIRE(tg::eval(tg::max(x, y), 1.0, -1.0) == 1.0);
    STATIC_REQUIRE(tg::eval(tg::relu(x), -3.0) == 0.0);
    STATIC_REQUIRE(tg::eval(tg::abs(x), -3.0) == 3.0);
    STATIC_REQUIRE(tg::eval(tg::sign(x), -3.0) == -1.0);
    STATIC_REQUIRE(tg::eval(tg::sigmoid(x), 0.0) == 0.5);
    STATIC_REQUIRE(tg::eval(tg::exp(x), 0.0) == 1.0);
    STATIC_REQUIRE(tg::eval(y, std::array{1.0, 2.0}) == 2.0);
}

TEST_CASE("eval of piecewise functions at their kinks follows PyTorch", "[expr][eval]") {
    CHECK(tg::eval(tg::d(tg::relu(x), x), 0.0) == 0.0);
    CHECK(tg::eval(tg::d(tg::abs(x), x), 0.0) == 0.0);
    CHECK(tg::eval(tg::relu(x), -0.0) == 0.0);
    CHECK(tg::eval(tg::sigmoid(x), -1000.0) == 0.0);
    CHECK(tg::eval(tg::sigmoid(x), 1000.0) == 1.0);
    CHECK(tg::eval(tg::softplus(x), 1000.0) == 1000.0);  // no overflow of e^1000
    CHECK(tg::eval(tg::softplus(x), -1000.0) == 0.0);
    CHECK(tg::eval(tg::softplus(x), 0.0f) == Approx(std::log(2.0f)));
    CHECK(tg::eval(tg::min(x, y), 1.0, 2.0) == 1.0);
}

// ---- laws ---------------------------------------------------------------------------------

namespace {

// A point inside the case's box, the same at compile time and at run time.
template <class Case>
constexpr std::array<double, 2> fixed_point() {
    double const lo = Case::domain.lo, hi = Case::domain.hi;
    return {lo + 0.3125 * (hi - lo), lo + 0.6875 * (hi - lo)};
}

template <class T>
constexpr T tolerance = 16 * std::numeric_limits<T>::epsilon();

template <class T, class E>
void check_lanes(E e, char const* what, std::vector<std::array<double, 2>> const& points) {
    using batch = xsimd::batch<T>;
    for (std::size_t start = 0; start + batch::size <= points.size(); start += batch::size) {
        alignas(64) std::array<T, batch::size> a{}, b{}, out{};
        for (std::size_t i = 0; i < batch::size; ++i) {
            a[i] = static_cast<T>(points[start + i][0]);
            b[i] = static_cast<T>(points[start + i][1]);
        }
        tg::eval(e, batch::load_aligned(a.data()), batch::load_aligned(b.data())).store_aligned(out.data());
        for (std::size_t i = 0; i < batch::size; ++i) {
            INFO(what << " lane " << i << " at (" << a[i] << ", " << b[i] << ")");
            CHECK(out[i] == Approx(tg::eval(e, a[i], b[i])).epsilon(tolerance<T>).margin(tolerance<T>));
        }
    }
}

}  // namespace

TEMPLATE_LIST_TEST_CASE("law: SIMD lanes equal scalar evaluation", "[expr][eval][simd][law]", cases::all) {
    auto const points = cases::sample_points<TestType>(64);
    check_lanes<float>(TestType::f, TestType::name, points);
    check_lanes<double>(TestType::f, TestType::name, points);
    check_lanes<float>(tg::d(TestType::f, x), "d/dx", points);
    check_lanes<double>(tg::d(TestType::f, y), "d/dy", points);
}

TEMPLATE_LIST_TEST_CASE("law: constant evaluation agrees with run-time evaluation", "[expr][eval][law]",
                        cases::all) {
    constexpr auto p = fixed_point<TestType>();
    constexpr double value = tg::eval(TestType::f, p[0], p[1]);
    constexpr double dx = tg::eval(tg::d(TestType::f, x), p[0], p[1]);
    constexpr float value_f = tg::eval(TestType::f, float(p[0]), float(p[1]));
    auto run_time = [&](auto e, auto a, auto b) { return tg::eval(e, a, b); };  // not constant-evaluated
    INFO(TestType::name);
    CHECK(value == Approx(run_time(TestType::f, p[0], p[1])).epsilon(tolerance<double>).margin(tolerance<double>));
    CHECK(dx == Approx(run_time(tg::d(TestType::f, x), p[0], p[1])).epsilon(tolerance<double>).margin(tolerance<double>));
    CHECK(value_f == Approx(run_time(TestType::f, float(p[0]), float(p[1]))).epsilon(tolerance<float>).margin(tolerance<float>));
}
