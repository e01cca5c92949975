// d(e, x): derivative types after simplification, and the laws every op must satisfy.

#include <catch2/catch.hpp>

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/eval.hpp>

#include "cases.hpp"

using cases::x;
using cases::y;

template <class A, class B>
constexpr bool same(A, B) {
    return std::is_same_v<A, B>;
}

TEST_CASE("derivatives of leaves", "[expr][derivative]") {
    STATIC_REQUIRE(same(tg::d(x, x), tg::one_t{}));
    STATIC_REQUIRE(same(tg::d(x, y), tg::zero_t{}));
    STATIC_REQUIRE(same(tg::d(tg::constant<4.0>{}, x), tg::zero_t{}));
    STATIC_REQUIRE(same(tg::d(tg::literal{4.0}, x), tg::zero_t{}));
}

TEST_CASE("derivative types are simplified", "[expr][derivative]") {
    STATIC_REQUIRE(same(tg::d(x * x, y), tg::zero_t{}));
    STATIC_REQUIRE(same(tg::d(x * y, x), y));
    STATIC_REQUIRE(same(tg::d(x + y, y), tg::one_t{}));
    STATIC_REQUIRE(same(tg::d(x - y, y), tg::constant<-1.0>{}));
    STATIC_REQUIRE(same(tg::d(tg::exp(x), x), tg::exp(x)));
    STATIC_REQUIRE(same(tg::d(tg::sin(x), x), tg::cos(x)));
    STATIC_REQUIRE(same(tg::d(tg::cos(x), x), -tg::sin(x)));
    STATIC_REQUIRE(same(tg::d(tg::relu(x), x), tg::step(x)));
    STATIC_REQUIRE(same(tg::d(tg::abs(x), x), tg::sign(x)));
    STATIC_REQUIRE(same(tg::d(tg::step(x), x), tg::zero_t{}));
    STATIC_REQUIRE(same(tg::d(tg::softplus(x), x), tg::sigmoid(x)));
    // Binary cross-entropy on logits, softplus(z) - z t: its derivative is the cheap, stable
    // sigmoid(z) - t, read off the type.
    STATIC_REQUIRE(same(tg::d(tg::softplus(x) - x * y, x), tg::sigmoid(x) - y));
    // Derivatives that reuse the forward value, as the design asks.
    STATIC_REQUIRE(same(tg::d(tg::tanh(x), x), tg::one_t{} - tg::pow<2>(tg::tanh(x))));
    STATIC_REQUIRE(same(tg::d(tg::sigmoid(x), x), tg::sigmoid(x) * (tg::one_t{} - tg::sigmoid(x))));
    // Constants meet on the left and fold: d(3 x^2) = 6 x, with 6 in the type.
    STATIC_REQUIRE(same(tg::d(tg::constant<3.0>{} * tg::pow<2>(x), x), tg::constant<6.0>{} * x));
    STATIC_REQUIRE(same(tg::d(tg::d(tg::pow<3>(x), x), x), tg::constant<6.0>{} * x));
    STATIC_REQUIRE(same(tg::d(tg::d(tg::d(tg::pow<3>(x), x), x), x), tg::constant<6.0>{}));
    // The design's example.
    constexpr auto f = tg::sin(x) * y + tg::exp(x);
    STATIC_REQUIRE(same(tg::d(f, x), tg::cos(x) * y + tg::exp(x)));
    STATIC_REQUIRE(tg::eval(tg::d(f, x), 0.0, 2.0) == 3.0);
}

TEST_CASE("a literal's value flows into the derivative", "[expr][derivative]") {
    constexpr auto f = 2.5 * x * y;
    STATIC_REQUIRE(tg::eval(tg::d(f, x), 1.0, 4.0) == 10.0);
    STATIC_REQUIRE(tg::eval(tg::d(f, y), 2.0, 4.0) == 5.0);
}

TEST_CASE("derivatives of expressions of empty leaves are empty", "[expr][derivative]") {
    STATIC_REQUIRE(std::is_empty_v<decltype(tg::d(tg::sigmoid(x * y) / tg::exp(y), y))>);
}

// ---- laws ---------------------------------------------------------------------------------

template <std::size_t I, class Case, class E>
void check_against_finite_differences(E e) {
    for (auto const& p : cases::sample_points<Case>(200)) {
        double const symbolic = tg::eval(tg::d(e, tg::var<I>{}), p);
        double const numeric = cases::central_difference<I>(e, p);
        INFO(Case::name << " d/dx" << I << " at (" << p[0] << ", " << p[1] << ")");
        CHECK(symbolic == Approx(numeric).epsilon(1e-6).margin(1e-7));
    }
}

TEMPLATE_LIST_TEST_CASE("law: the derivative equals central finite differences", "[expr][derivative][law]",
                        cases::all) {
    check_against_finite_differences<0, TestType>(TestType::f);
    check_against_finite_differences<1, TestType>(TestType::f);
}

TEMPLATE_LIST_TEST_CASE("law: second derivatives equal finite differences of the first",
                        "[expr][derivative][law]", cases::all) {
    constexpr auto fx = tg::d(TestType::f, x);
    constexpr auto fy = tg::d(TestType::f, y);
    check_against_finite_differences<0, TestType>(fx);
    check_against_finite_differences<1, TestType>(fx);
    check_against_finite_differences<0, TestType>(fy);
    // Symmetry of mixed partials where both orders are smooth.
    for (auto const& p : cases::sample_points<TestType>(50)) {
        INFO(TestType::name << " at (" << p[0] << ", " << p[1] << ")");
        CHECK(tg::eval(tg::d(fx, y), p) == Approx(tg::eval(tg::d(fy, x), p)).epsilon(1e-12).margin(1e-12));
    }
}
