// Simplification at construction: each rule's result type, and that it keeps the value of
// the expression as written (built here node by node, bypassing the rules).

#include <catch2/catch.hpp>

#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/operators.hpp>

#include "cases.hpp"

using cases::x;
using cases::y;

namespace {

template <class A, class B>
constexpr bool same(A, B) {
    return std::is_same_v<A, B>;
}

using zero = tg::zero_t;
using one = tg::one_t;
using two = tg::constant<2.0>;
using minus_one = tg::constant<-1.0>;

template <class Op, class... Es>
constexpr auto raw(Es... es) {
    if constexpr (sizeof...(Es) == 1)
        return tg::unary<Op, Es...>(es...);
    else
        return tg::binary<Op, Es...>(es...);
}

constexpr auto e = tg::sin(x) * y;  // any expression that is not a leaf

template <class Raw, class Simplified>
void check_same_value(Raw r, Simplified s) {
    for (auto const& p : cases::sample_points<cases::sin>(50)) {
        INFO("at (" << p[0] << ", " << p[1] << ")");
        CHECK(tg::eval(s, p) == Approx(tg::eval(r, p)).epsilon(1e-15).margin(1e-300));
    }
}

}  // namespace

TEST_CASE("zeros and ones vanish", "[expr][simplify]") {
    STATIC_REQUIRE(same(e + zero{}, e));
    STATIC_REQUIRE(same(zero{} + e, e));
    STATIC_REQUIRE(same(e - zero{}, e));
    STATIC_REQUIRE(same(zero{} - e, -e));
    STATIC_REQUIRE(same(e * zero{}, zero{}));
    STATIC_REQUIRE(same(zero{} * e, zero{}));
    STATIC_REQUIRE(same(e * one{}, e));
    STATIC_REQUIRE(same(one{} * e, e));
    STATIC_REQUIRE(same(zero{} / e, zero{}));
    STATIC_REQUIRE(same(e / one{}, e));
    STATIC_REQUIRE(same(tg::pow<0>(e), one{}));
    STATIC_REQUIRE(same(tg::pow<1>(e), e));
    check_same_value(raw<tg::ops::add>(e, zero{}), e + zero{});
    check_same_value(raw<tg::ops::sub>(zero{}, e), zero{} - e);
    check_same_value(raw<tg::ops::mul>(e, one{}), e * one{});
    check_same_value(raw<tg::ops::mul>(zero{}, e), zero{} * e);
    check_same_value(raw<tg::ops::div>(e, one{}), e / one{});
    check_same_value(raw<tg::ops::pow<0>>(e), tg::pow<0>(e));
}

TEST_CASE("constants fold in the type", "[expr][simplify]") {
    STATIC_REQUIRE(same(two{} + two{}, tg::constant<4.0>{}));
    STATIC_REQUIRE(same(two{} * tg::constant<3.0>{}, tg::constant<6.0>{}));
    STATIC_REQUIRE(same(two{} - two{}, zero{}));
    STATIC_REQUIRE(same(one{} / two{}, tg::constant<0.5>{}));
    STATIC_REQUIRE(same(-two{}, tg::constant<-2.0>{}));
    STATIC_REQUIRE(same(tg::pow<3>(two{}), tg::constant<8.0>{}));
    STATIC_REQUIRE(same(tg::exp(zero{}), one{}));
    STATIC_REQUIRE(same(-zero{}, zero{}));  // no negative zero constant
    STATIC_REQUIRE(same(tg::max(two{}, one{}), two{}));
    // Numbers meet on the left and fold there: 2 (3 e) = 6 e.
    STATIC_REQUIRE(same(two{} * (tg::constant<3.0>{} * e), tg::constant<6.0>{} * e));
    STATIC_REQUIRE(same(e * two{}, two{} * e));
    // A non-finite result stays a node, so that log(0) remains visible.
    STATIC_REQUIRE(tg::is_unary_v<decltype(tg::log(zero{}))>);
    check_same_value(raw<tg::ops::mul>(e, two{}), e * two{});
    check_same_value(raw<tg::ops::mul>(two{}, raw<tg::ops::mul>(tg::constant<3.0>{}, e)),
                     two{} * (tg::constant<3.0>{} * e));
}

TEST_CASE("literals fold by value", "[expr][simplify]") {
    STATIC_REQUIRE(same(tg::literal{2.0} * tg::literal{3.0}, tg::literal{}));
    STATIC_REQUIRE((tg::literal{2.0} * tg::literal{3.0}).value == 6.0);
    STATIC_REQUIRE((two{} + tg::literal{0.5}).value == 2.5);
    constexpr auto scaled = 2.0 * (3.0 * x);
    STATIC_REQUIRE(same(scaled, tg::literal{} * x));
    STATIC_REQUIRE(scaled.lhs().value == 6.0);
}

TEST_CASE("negations cancel", "[expr][simplify]") {
    STATIC_REQUIRE(same(-(-e), e));
    STATIC_REQUIRE(same(x + (-y), x - y));
    STATIC_REQUIRE(same(-x + y, y - x));
    STATIC_REQUIRE(same(x - (-y), x + y));
    STATIC_REQUIRE(same(-(x - y), y - x));
    STATIC_REQUIRE(same(minus_one{} * e, -e));
    STATIC_REQUIRE(same((-x) * (-y), x * y));
    STATIC_REQUIRE(same(e / minus_one{}, -e));
    STATIC_REQUIRE(same(tg::pow<2>(-e), tg::pow<2>(e)));
    STATIC_REQUIRE(same(x - x, zero{}));
    check_same_value(raw<tg::ops::neg>(raw<tg::ops::neg>(e)), -(-e));
    check_same_value(raw<tg::ops::add>(x, raw<tg::ops::neg>(y)), x + (-y));
    check_same_value(raw<tg::ops::add>(raw<tg::ops::neg>(x), y), -x + y);
    check_same_value(raw<tg::ops::sub>(x, raw<tg::ops::neg>(y)), x - (-y));
    check_same_value(raw<tg::ops::neg>(raw<tg::ops::sub>(x, y)), -(x - y));
    check_same_value(raw<tg::ops::mul>(raw<tg::ops::neg>(x), raw<tg::ops::neg>(y)), (-x) * (-y));
    check_same_value(raw<tg::ops::div>(raw<tg::ops::neg>(x), y), (-x) / y);
    check_same_value(raw<tg::ops::pow<2>>(raw<tg::ops::neg>(e)), tg::pow<2>(-e));
    check_same_value(raw<tg::ops::sub>(x, x), x - x);
}

TEST_CASE("relu's derivative, written on its value, simplifies back to the argument's step", "[expr][simplify]") {
    STATIC_REQUIRE(same(tg::step(tg::relu(x)), tg::step(x)));
    STATIC_REQUIRE(same(tg::d(tg::relu(x * y), x), y * tg::step(x * y)));
    STATIC_REQUIRE(!same(tg::step(tg::abs(x)), tg::step(x)));
    check_same_value(raw<tg::ops::step>(raw<tg::ops::relu>(x)), tg::step(tg::relu(x)));
}

TEST_CASE("a literal is never assumed to be zero or one", "[expr][simplify]") {
    STATIC_REQUIRE(same(0.0 * x, tg::literal{} * x));
    STATIC_REQUIRE(same(x + 0.0, x + tg::literal{}));
    STATIC_REQUIRE(tg::eval(x + 0.0, 2.0) == 2.0);
}
