// The structure of expressions: empty leaves and nodes, arity, the concept.

#include <catch2/catch.hpp>

#include <array>

#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>

namespace tg = typegrad;

namespace {
constexpr tg::var<0> x;
constexpr tg::var<3> w;
}  // namespace

TEST_CASE("expressions of variables and constants are empty types", "[expr][node]") {
    STATIC_REQUIRE(std::is_empty_v<tg::var<0>>);
    STATIC_REQUIRE(std::is_empty_v<tg::constant<1.5>>);
    STATIC_REQUIRE(std::is_empty_v<decltype(tg::exp(x) * w - tg::constant<2.0>{} / x)>);
    STATIC_REQUIRE(std::is_empty_v<decltype(tg::max(x, w))>);
}

TEST_CASE("a literal is stored, and only it", "[expr][node]") {
    constexpr auto e = tg::exp(x) * 2.5;
    STATIC_REQUIRE(sizeof(e) == sizeof(double));
    STATIC_REQUIRE(e.lhs().value == 2.5);
    STATIC_REQUIRE(std::is_trivially_copyable_v<decltype(e)>);
}

TEST_CASE("arity is one more than the highest variable", "[expr][node]") {
    STATIC_REQUIRE(tg::arity_v<decltype(x)> == 1);
    STATIC_REQUIRE(tg::arity_v<decltype(x * w)> == 4);
    STATIC_REQUIRE(tg::arity_v<tg::constant<1.0>> == 0);
    STATIC_REQUIRE(tg::is_closed_v<decltype(tg::literal{1.0} + tg::constant<1.0>{})>);
}

TEST_CASE("reads_var_v: which variables an expression reads, whatever its arity", "[expr][node]") {
    STATIC_REQUIRE(tg::reads_var_v<3, decltype(x * w)>);
    STATIC_REQUIRE(tg::reads_var_v<0, decltype(tg::exp(x) + w)>);
    STATIC_REQUIRE_FALSE(tg::reads_var_v<1, decltype(x * w)>);
    STATIC_REQUIRE_FALSE(tg::reads_var_v<0, decltype(w * w)>);
    STATIC_REQUIRE_FALSE(tg::reads_var_v<0, tg::constant<1.0>>);
}

TEST_CASE("the expression concept accepts nodes and rejects the rest", "[expr][node]") {
    STATIC_REQUIRE(tg::expression<decltype(x + w)>);
    STATIC_REQUIRE(tg::expression<tg::literal>);
    STATIC_REQUIRE_FALSE(tg::expression<double>);
    STATIC_REQUIRE_FALSE(tg::expression<int*>);
    STATIC_REQUIRE(tg::expression_operand<double>);
}

template <class A, class B>
concept multipliable = requires(A a, B b) { a * b; };

TEST_CASE("operators take numbers and expressions, and nothing else", "[expr][node]") {
    STATIC_REQUIRE(multipliable<double, tg::var<0>>);
    STATIC_REQUIRE(multipliable<tg::var<0>, int>);
    STATIC_REQUIRE_FALSE(multipliable<tg::var<0>, int*>);
    STATIC_REQUIRE_FALSE(multipliable<std::array<double, 2>, tg::var<0>>);
}
