#pragma once
// Every op of expr/, each as a "case": a function of two variables that exercises the op
// (composed with an inner function, so that the chain rule is exercised too), the box its
// arguments are drawn from, and where the op is not differentiable. The law tests run over
// the whole list, so adding an op without adding it here leaves a visible gap in this file.

#include <array>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

#include <typegrad/typegrad.hpp>

namespace tg = typegrad;

namespace cases {

inline constexpr tg::var<0> x;
inline constexpr tg::var<1> y;

struct box {
    double lo, hi;
};

// Defaults: smooth everywhere, arguments in [-2, 2]^2.
struct smooth {
    static constexpr box domain{-2.0, 2.0};
    static constexpr bool differentiable_at(double, double) { return true; }
};

// A kink where `distance` vanishes: finite differences are only taken away from it.
constexpr bool away_from_kink(double distance) { return distance > 1e-3 || distance < -1e-3; }

struct neg : smooth { static constexpr auto f = -(x * y); static constexpr auto name = "neg"; };
struct exp : smooth { static constexpr auto f = tg::exp(x * y - x); static constexpr auto name = "exp"; };
struct log {
    static constexpr auto f = tg::log(x * y + x);
    static constexpr box domain{0.1, 3.0};
    static constexpr bool differentiable_at(double, double) { return true; }
    static constexpr auto name = "log";
};
struct sqrt {
    static constexpr auto f = tg::sqrt(x * y + y);
    static constexpr box domain{0.1, 3.0};
    static constexpr bool differentiable_at(double, double) { return true; }
    static constexpr auto name = "sqrt";
};
struct sin : smooth { static constexpr auto f = tg::sin(x * y + 0.5); static constexpr auto name = "sin"; };
struct cos : smooth { static constexpr auto f = tg::cos(x - 2.0 * y); static constexpr auto name = "cos"; };
struct tanh : smooth { static constexpr auto f = tg::tanh(x * y - y); static constexpr auto name = "tanh"; };
struct sigmoid : smooth { static constexpr auto f = tg::sigmoid(3.0 * x - y); static constexpr auto name = "sigmoid"; };
struct softplus : smooth { static constexpr auto f = tg::softplus(3.0 * x * y); static constexpr auto name = "softplus"; };
struct relu : smooth {
    static constexpr auto f = tg::relu(x - y) * x;
    static constexpr bool differentiable_at(double a, double b) { return away_from_kink(a - b); }
    static constexpr auto name = "relu";
};
struct abs : smooth {
    static constexpr auto f = tg::abs(x * y - 0.5);
    static constexpr bool differentiable_at(double a, double b) { return away_from_kink(a * b - 0.5); }
    static constexpr auto name = "abs";
};
struct step : smooth {
    static constexpr auto f = tg::step(x - y) * y;
    static constexpr bool differentiable_at(double a, double b) { return away_from_kink(a - b); }
    static constexpr auto name = "step";
};
struct sign : smooth {
    static constexpr auto f = tg::sign(x + y) * x;
    static constexpr bool differentiable_at(double a, double b) { return away_from_kink(a + b); }
    static constexpr auto name = "sign";
};
struct square : smooth { static constexpr auto f = tg::pow<2>(x - y); static constexpr auto name = "pow<2>"; };
struct cube : smooth { static constexpr auto f = tg::pow<3>(x * y + 1.0); static constexpr auto name = "pow<3>"; };
struct inverse_square {
    static constexpr auto f = tg::pow<-2>(x + y);
    static constexpr box domain{0.5, 2.0};
    static constexpr bool differentiable_at(double, double) { return true; }
    static constexpr auto name = "pow<-2>";
};
struct add : smooth { static constexpr auto f = x * x + y; static constexpr auto name = "add"; };
struct sub : smooth { static constexpr auto f = x - y * y; static constexpr auto name = "sub"; };
struct mul : smooth { static constexpr auto f = (x + 1.0) * (y - x); static constexpr auto name = "mul"; };
struct div {
    static constexpr auto f = (x - y) / (x * y);
    static constexpr box domain{0.2, 2.0};
    static constexpr bool differentiable_at(double, double) { return true; }
    static constexpr auto name = "div";
};
struct max : smooth {
    static constexpr auto f = tg::max(x * y, x - y);
    static constexpr bool differentiable_at(double a, double b) { return away_from_kink(a * b - (a - b)); }
    static constexpr auto name = "max";
};
struct max_with_number : smooth {
    static constexpr auto f = tg::max(x * y, 0.25);
    static constexpr bool differentiable_at(double a, double b) { return away_from_kink(a * b - 0.25); }
    static constexpr auto name = "max(e, number)";
};

struct min : smooth {
    static constexpr auto f = tg::min(x * y, x + y);
    static constexpr bool differentiable_at(double a, double b) { return away_from_kink(a * b - (a + b)); }
    static constexpr auto name = "min";
};

using all = std::tuple<neg, exp, log, sqrt, sin, cos, tanh, sigmoid, softplus, relu, abs, step, sign, square,
                       cube, inverse_square, add, sub, mul, div, max, max_with_number, min>;

/// Seeded points of the case's box where it is differentiable.
template <class Case>
std::vector<std::array<double, 2>> sample_points(std::size_t count, std::uint64_t seed = 2026) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> coordinate(Case::domain.lo, Case::domain.hi);
    std::vector<std::array<double, 2>> points;
    while (points.size() < count) {
        double const a = coordinate(engine);
        double const b = coordinate(engine);
        if (Case::differentiable_at(a, b)) points.push_back({a, b});
    }
    return points;
}

/// Central finite difference of e in variable I at p, in double.
template <std::size_t I, class E>
double central_difference(E e, std::array<double, 2> p) {
    double const h = 1e-6 * std::max(1.0, std::abs(p[I]));
    auto forward = p;
    auto backward = p;
    forward[I] += h;
    backward[I] -= h;
    return (tg::eval(e, forward) - tg::eval(e, backward)) / (forward[I] - backward[I]);
}

}  // namespace cases
