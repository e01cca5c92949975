// substitute(e, r...): composition of expressions, simplified as it is rebuilt.

#include <catch2/catch.hpp>

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/substitute.hpp>

#include "cases.hpp"

using cases::x;
using cases::y;

TEST_CASE("substitute composes functions", "[expr][substitute]") {
    constexpr auto f = tg::sigmoid(x) * y;
    STATIC_REQUIRE(std::is_same_v<decltype(tg::substitute(f, tg::tanh(x), x)), decltype(tg::sigmoid(tg::tanh(x)) * x)>);
    STATIC_REQUIRE(std::is_same_v<decltype(tg::substitute(x * y, y, x)), decltype(y * x)>);
    // Rebuilding simplifies: x * y with y := 1 is x.
    STATIC_REQUIRE(std::is_same_v<decltype(tg::substitute(x * y, x, tg::one_t{})), tg::var<0>>);
    constexpr auto g = tg::substitute(2.5 * x, y);  // literals keep their values
    STATIC_REQUIRE(tg::eval(g, 0.0, 2.0) == 5.0);
}

TEMPLATE_LIST_TEST_CASE("law: substitute(f, g, h) evaluates to f(g, h)", "[expr][substitute][law]", cases::all) {
    // Inner functions that map any point into the case's box, so f is evaluated in its domain.
    constexpr double lo = TestType::domain.lo, width = TestType::domain.hi - TestType::domain.lo;
    constexpr auto g = lo + width * tg::sigmoid(tg::sin(x) + y);
    constexpr auto h = lo + width * tg::sigmoid(x * y);
    constexpr auto composed = tg::substitute(TestType::f, g, h);
    for (auto const& p : cases::sample_points<cases::sin>(30)) {
        double const inner[2] = {tg::eval(g, p), tg::eval(h, p)};
        if (!TestType::differentiable_at(inner[0], inner[1])) continue;  // values at kinks may differ by rounding
        INFO(TestType::name << " at (" << p[0] << ", " << p[1] << ")");
        CHECK(tg::eval(composed, p) == Approx(tg::eval(TestType::f, inner[0], inner[1])).epsilon(1e-14).margin(1e-14));
    }
}
