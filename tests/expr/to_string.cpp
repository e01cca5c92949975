// to_string(e): readable infix with the parentheses the tree needs.

#include <catch2/catch.hpp>

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/to_string.hpp>

namespace tg = typegrad;

namespace {
constexpr tg::var<0> x;
constexpr tg::var<1> y;
constexpr tg::var<2> z;
}  // namespace

TEST_CASE("to_string prints leaves", "[expr][to_string]") {
    CHECK(tg::to_string(x) == "x0");
    CHECK(tg::to_string(tg::var<12>{}) == "x12");
    CHECK(tg::to_string(tg::constant<2.0>{}) == "2");
    CHECK(tg::to_string(tg::constant<0.1>{}) == "0.1");
    CHECK(tg::to_string(tg::literal{-2.5}) == "-2.5");
}

TEST_CASE("to_string prints the design's example", "[expr][to_string]") {
    constexpr auto f = tg::sin(x) * y + tg::exp(x);
    CHECK(tg::to_string(f) == "sin(x0) * x1 + exp(x0)");
    CHECK(tg::to_string(tg::d(f, x)) == "cos(x0) * x1 + exp(x0)");
    CHECK(tg::to_string(tg::d(tg::d(f, x), x)) == "exp(x0) - sin(x0) * x1");
}

TEST_CASE("to_string keeps the tree's grouping and no more", "[expr][to_string]") {
    CHECK(tg::to_string(x + y * z) == "x0 + x1 * x2");
    CHECK(tg::to_string((x + y) * z) == "(x0 + x1) * x2");
    CHECK(tg::to_string(x - (y - z)) == "x0 - (x1 - x2)");
    CHECK(tg::to_string((x - y) - z) == "x0 - x1 - x2");
    CHECK(tg::to_string(x / (y * z)) == "x0 / (x1 * x2)");
    CHECK(tg::to_string(x * tg::sin(-y)) == "x0 * sin(-x1)");
    CHECK(tg::to_string(x * -tg::sin(y)) == "-(x0 * sin(x1))");
    CHECK(tg::to_string(-(x * y)) == "-(x0 * x1)");
    CHECK(tg::to_string(x * tg::literal{-2.0}) == "-2 * x0");
    CHECK(tg::to_string(x - tg::literal{-2.0}) == "x0 - (-2)");
}

TEST_CASE("to_string prints functions and powers", "[expr][to_string]") {
    CHECK(tg::to_string(tg::pow<2>(x + y)) == "(x0 + x1)^2");
    CHECK(tg::to_string(tg::pow<-1>(x)) == "x0^(-1)");
    CHECK(tg::to_string(-tg::pow<2>(x)) == "-x0^2");
    CHECK(tg::to_string(tg::max(x, 0.5)) == "max(x0, 0.5)");
    CHECK(tg::to_string(tg::d(tg::tanh(x), x)) == "1 - tanh(x0)^2");
    CHECK(tg::to_string(tg::d(tg::sigmoid(x), x)) == "sigmoid(x0) * (1 - sigmoid(x0))");
    CHECK(tg::to_string(tg::d(tg::relu(x), x)) == "step(x0)");
}
