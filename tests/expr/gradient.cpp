// gradient(e, args...): one reverse sweep must give what d() gives, partial by partial.

#include <catch2/catch.hpp>

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/gradient.hpp>

#include "cases.hpp"

namespace {

constexpr tg::var<0> x;
constexpr tg::var<1> y;
constexpr tg::var<2> z;

constexpr auto rosenbrock = tg::pow<2>(1.0 - x) + 100.0 * tg::pow<2>(y - x * x);
constexpr auto log_sum_exp = tg::log(tg::exp(x) + tg::exp(y) + tg::exp(z));
constexpr auto nested = tg::sigmoid(tg::tanh(x * y) - tg::sigmoid(z * x)) * tg::tanh(tg::sigmoid(y) + z);

template <class E, std::size_t... I>
void check_gradient_equals_derivatives(E e, std::array<double, 3> p, std::index_sequence<I...>) {
    auto const g = tg::gradient(e, p[0], p[1], p[2]);
    std::array<double, 3> const symbolic{tg::eval(tg::d(e, tg::var<I>{}), p)...};
    for (std::size_t i = 0; i < 3; ++i) CHECK(g[i] == Approx(symbolic[i]).epsilon(1e-13).margin(1e-15));
}

template <class E>
void check_composed(E e) {
    std::mt19937_64 engine(7);
    std::uniform_real_distribution<double> coordinate(-1.5, 1.5);
    for (int i = 0; i < 200; ++i) {
        std::array<double, 3> const p{coordinate(engine), coordinate(engine), coordinate(engine)};
        INFO("at (" << p[0] << ", " << p[1] << ", " << p[2] << ")");
        check_gradient_equals_derivatives(e, p, std::make_index_sequence<3>{});
    }
}

}  // namespace

TEST_CASE("gradient of Rosenbrock's function by hand", "[expr][gradient]") {
    // d/dx = -2 (1 - x) - 400 x (y - x^2), d/dy = 200 (y - x^2)
    constexpr auto g = tg::gradient(rosenbrock, -1.5, 2.0, 0.0);
    STATIC_REQUIRE(g[0] == -2.0 * 2.5 - 400.0 * -1.5 * (2.0 - 2.25));
    STATIC_REQUIRE(g[1] == 200.0 * (2.0 - 2.25));
    STATIC_REQUIRE(g[2] == 0.0);
    constexpr auto at_minimum = tg::gradient(rosenbrock, 1.0, 1.0);
    STATIC_REQUIRE(at_minimum[0] == 0.0);
    STATIC_REQUIRE(at_minimum[1] == 0.0);
}

TEST_CASE("gradient of log-sum-exp is the softmax", "[expr][gradient]") {
    std::array<double, 3> const p{0.3, -1.2, 2.0};
    double const total = std::exp(p[0]) + std::exp(p[1]) + std::exp(p[2]);
    auto const g = tg::gradient(log_sum_exp, p[0], p[1], p[2]);
    for (std::size_t i = 0; i < 3; ++i) CHECK(g[i] == Approx(std::exp(p[i]) / total).epsilon(1e-14));
}

TEST_CASE("gradient equals the vector of derivatives for composed functions", "[expr][gradient]") {
    SECTION("Rosenbrock") { check_composed(rosenbrock); }
    SECTION("log-sum-exp of three variables") { check_composed(log_sum_exp); }
    SECTION("nested sigmoid and tanh") { check_composed(nested); }
}

TEST_CASE("gradient is constexpr and agrees with the run-time sweep", "[expr][gradient]") {
    constexpr auto at_compile_time = tg::gradient(nested, 0.25, -0.5, 0.75);
    auto const at_run_time = tg::gradient(nested, 0.25, -0.5, 0.75);
    for (std::size_t i = 0; i < 3; ++i) CHECK(at_compile_time[i] == Approx(at_run_time[i]).epsilon(1e-14));
}

TEST_CASE("gradient takes extra arguments as variables the expression ignores", "[expr][gradient]") {
    constexpr auto g = tg::gradient(x * x, 3.0, 1.0, 1.0);
    STATIC_REQUIRE(g.size() == 3);
    STATIC_REQUIRE(g[0] == 6.0);
    STATIC_REQUIRE(g[1] == 0.0);
}

TEMPLATE_TEST_CASE("gradient on SIMD lanes equals the scalar sweep, lane by lane", "[expr][gradient][simd]", float,
                   double) {
    using batch = xsimd::batch<TestType>;
    constexpr std::size_t lanes = batch::size;
    alignas(64) std::array<TestType, lanes> a{}, b{}, c{};
    for (std::size_t i = 0; i < lanes; ++i) {
        a[i] = TestType(-1) + TestType(0.13) * TestType(i);
        b[i] = TestType(0.5) - TestType(0.07) * TestType(i);
        c[i] = TestType(0.2) * TestType(i % 5);
    }
    auto const g = tg::gradient(nested, batch::load_aligned(a.data()), batch::load_aligned(b.data()),
                                batch::load_aligned(c.data()));
    for (std::size_t i = 0; i < lanes; ++i) {
        auto const s = tg::gradient(nested, a[i], b[i], c[i]);
        for (std::size_t k = 0; k < 3; ++k) {
            INFO("lane " << i << " partial " << k);
            CHECK(g[k].get(i) == Approx(s[k]).epsilon(16 * std::numeric_limits<TestType>::epsilon()).margin(
                                     16 * std::numeric_limits<TestType>::epsilon()));
        }
    }
}

TEMPLATE_LIST_TEST_CASE("law: gradient equals (d f/dx, d f/dy) for every op", "[expr][gradient][law]",
                        cases::all) {
    for (auto const& p : cases::sample_points<TestType>(100)) {
        auto const g = tg::gradient(TestType::f, p[0], p[1]);
        INFO(TestType::name << " at (" << p[0] << ", " << p[1] << ")");
        CHECK(g[0] == Approx(tg::eval(tg::d(TestType::f, x), p)).epsilon(1e-13).margin(1e-15));
        CHECK(g[1] == Approx(tg::eval(tg::d(TestType::f, y), p)).epsilon(1e-13).margin(1e-15));
    }
}

TEMPLATE_LIST_TEST_CASE("law: value_and_gradient is eval and gradient from one sweep, for every op",
                        "[expr][gradient][law]", cases::all) {
    for (auto const& p : cases::sample_points<TestType>(100)) {
        auto const [value, partials] = tg::value_and_gradient(TestType::f, p[0], p[1]);
        INFO(TestType::name << " at (" << p[0] << ", " << p[1] << ")");
        // The same operations, though the compiler may contract a different a * b + c into an
        // FMA in each: equal up to rounding of the terms (a margin, for values that cancel to ~0).
        auto const g = tg::gradient(TestType::f, p[0], p[1]);
        CHECK(value == Approx(tg::eval(TestType::f, p[0], p[1])).epsilon(1e-15).margin(1e-14));
        CHECK(partials[0] == Approx(g[0]).epsilon(1e-15).margin(1e-14));
        CHECK(partials[1] == Approx(g[1]).epsilon(1e-15).margin(1e-14));
    }
}

TEMPLATE_LIST_TEST_CASE("law: gradient_given_value with the true value is gradient, for every op",
                        "[expr][gradient][law]", cases::all) {
    for (auto const& p : cases::sample_points<TestType>(100)) {
        INFO(TestType::name << " at (" << p[0] << ", " << p[1] << ")");
        double const value = tg::eval(TestType::f, p[0], p[1]);
        auto const given = tg::gradient_given_value(TestType::f, value, p[0], p[1]);
        auto const g = tg::gradient(TestType::f, p[0], p[1]);
        CHECK(given[0] == Approx(g[0]).epsilon(1e-14).margin(1e-14));
        CHECK(given[1] == Approx(g[1]).epsilon(1e-14).margin(1e-14));
    }
}

TEST_CASE("gradient_given_value reads the outer operation's value instead of recomputing it",
          "[expr][gradient]") {
    // sigmoid' = y (1 - y) and tanh' = 1 - y^2 come from the given y alone: a value that is not
    // sigmoid(100) shows it was used, which is what lets a stored forward value save the exp.
    STATIC_REQUIRE(tg::gradient_given_value(tg::sigmoid(x), 0.5, 100.0)[0] == 0.25);
    STATIC_REQUIRE(tg::gradient_given_value(tg::tanh(x), 0.5, 100.0)[0] == 0.75);
    STATIC_REQUIRE(tg::gradient_given_value(tg::exp(x), 3.0, 0.0)[0] == 3.0);
    // relu' = step(y): a given value of 0 switches the unit off whatever the argument says.
    STATIC_REQUIRE(tg::gradient_given_value(tg::relu(x), 0.0, 2.0)[0] == 0.0);
    STATIC_REQUIRE(tg::gradient_given_value(tg::relu(x), 2.0, -1.0)[0] == 1.0);
    // Only the outermost value is taken: the operands of x * sigmoid(x) are still evaluated.
    constexpr double at = 0.25;
    constexpr double s = tg::eval(tg::sigmoid(x), at);
    STATIC_REQUIRE(tg::gradient_given_value(x * tg::sigmoid(x), -7.0, at)[0] == s + at * (s * (1.0 - s)));
    constexpr auto vg = tg::value_and_gradient(x * y, 3.0, 4.0);
    STATIC_REQUIRE(vg.value == 12.0);
    STATIC_REQUIRE(vg.gradient[0] == 4.0);
    STATIC_REQUIRE(vg.gradient[1] == 3.0);
}
