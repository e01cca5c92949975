#pragma once
// Operation policies: for every op, its value on any `tg::value` and its derivative rule.
// This is the only place where a scalar derivative is written down; d(), gradient() and the
// tensor kernels all read the rules from here.
//
// A unary op provides
//     apply(x)           its value, generic over float, double and xsimd batches;
//     derivative(a, y)   f'(a) as an expression, given the argument a and the node y = f(a),
//                        so that rules can reuse the forward value (sigmoid' = y (1 - y)).
// A binary op provides apply(l, r) and partial_lhs(l, r, y), partial_rhs(l, r, y).
// The reverse sweep evaluates the same rules with variables standing for the values of a, y.

#include <string_view>

#include <typegrad/expr/detail/math.hpp>
#include <typegrad/expr/fwd.hpp>
#include <typegrad/expr/node.hpp>

namespace typegrad::ops {

// ---- unary ----------------------------------------------------------------------------------

struct neg {
    static constexpr std::string_view name = "-";
    template <value T> static constexpr T apply(T x) noexcept { return -x; }
    static constexpr auto derivative(expression auto, expression auto) noexcept { return constant<-1.0>{}; }
};

struct exp {
    static constexpr std::string_view name = "exp";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::exp(x); }
    static constexpr auto derivative(expression auto, expression auto y) noexcept { return y; }
};

struct log {
    static constexpr std::string_view name = "log";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::log(x); }
    static constexpr auto derivative(expression auto a, expression auto) noexcept { return one_t{} / a; }
};

struct sqrt {
    static constexpr std::string_view name = "sqrt";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::sqrt(x); }
    static constexpr auto derivative(expression auto, expression auto y) noexcept {
        return constant<0.5>{} / y;
    }
};

struct sin {
    static constexpr std::string_view name = "sin";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::sin(x); }
    static constexpr auto derivative(expression auto a, expression auto) noexcept { return typegrad::cos(a); }
};

struct cos {
    static constexpr std::string_view name = "cos";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::cos(x); }
    static constexpr auto derivative(expression auto a, expression auto) noexcept { return -typegrad::sin(a); }
};

struct tanh {
    static constexpr std::string_view name = "tanh";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::tanh(x); }
    static constexpr auto derivative(expression auto, expression auto y) noexcept {
        return one_t{} - typegrad::pow<2>(y);
    }
};

struct sigmoid {
    static constexpr std::string_view name = "sigmoid";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::sigmoid(x); }
    static constexpr auto derivative(expression auto, expression auto y) noexcept { return y * (one_t{} - y); }
};

struct softplus {
    static constexpr std::string_view name = "softplus";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::softplus(x); }
    static constexpr auto derivative(expression auto a, expression auto) noexcept { return typegrad::sigmoid(a); }
};

struct relu {
    static constexpr std::string_view name = "relu";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::relu(x); }
    // step(y), not step(a): the two agree everywhere (y > 0 exactly when a > 0, NaN included),
    // and a rule that reads only the value lets a layer's GEMM apply relu as it stores and keep
    // no pre-activation (nn/graph/plan.hpp, derivative_reads_only_value_v). Symbolically,
    // step(relu(a)) simplifies back to step(a).
    static constexpr auto derivative(expression auto, expression auto y) noexcept { return typegrad::step(y); }
};

struct abs {
    static constexpr std::string_view name = "abs";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::abs(x); }
    static constexpr auto derivative(expression auto a, expression auto) noexcept { return typegrad::sign(a); }
};

struct step {
    static constexpr std::string_view name = "step";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::step(x); }
    static constexpr auto derivative(expression auto, expression auto) noexcept { return zero_t{}; }
};

struct sign {
    static constexpr std::string_view name = "sign";
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::sign(x); }
    static constexpr auto derivative(expression auto, expression auto) noexcept { return zero_t{}; }
};

template <int N>
struct pow {
    static constexpr std::string_view name = "pow";
    static constexpr int exponent = N;
    template <value T> static constexpr T apply(T x) noexcept { return detail::math::pow<N>(x); }
    static constexpr auto derivative(expression auto a, expression auto) noexcept {
        return constant<double(N)>{} * typegrad::pow<N - 1>(a);
    }
};

// ---- binary ---------------------------------------------------------------------------------
// Infix operators carry their symbol and precedence for printing.

struct add {
    static constexpr std::string_view name = "+";
    static constexpr int precedence = 1;
    template <value T> static constexpr T apply(T l, T r) noexcept { return l + r; }
    static constexpr auto partial_lhs(expression auto, expression auto, expression auto) noexcept { return one_t{}; }
    static constexpr auto partial_rhs(expression auto, expression auto, expression auto) noexcept { return one_t{}; }
};

struct sub {
    static constexpr std::string_view name = "-";
    static constexpr int precedence = 1;
    template <value T> static constexpr T apply(T l, T r) noexcept { return l - r; }
    static constexpr auto partial_lhs(expression auto, expression auto, expression auto) noexcept { return one_t{}; }
    static constexpr auto partial_rhs(expression auto, expression auto, expression auto) noexcept {
        return constant<-1.0>{};
    }
};

struct mul {
    static constexpr std::string_view name = "*";
    static constexpr int precedence = 2;
    template <value T> static constexpr T apply(T l, T r) noexcept { return l * r; }
    static constexpr auto partial_lhs(expression auto, expression auto r, expression auto) noexcept { return r; }
    static constexpr auto partial_rhs(expression auto l, expression auto, expression auto) noexcept { return l; }
};

struct div {
    static constexpr std::string_view name = "/";
    static constexpr int precedence = 2;
    template <value T> static constexpr T apply(T l, T r) noexcept { return l / r; }
    static constexpr auto partial_lhs(expression auto, expression auto r, expression auto) noexcept {
        return one_t{} / r;
    }
    // d(l / r)/dr = -l / r^2, written as -y / r to reuse the quotient.
    static constexpr auto partial_rhs(expression auto, expression auto r, expression auto y) noexcept {
        return -(y / r);
    }
};

struct max {
    static constexpr std::string_view name = "max";
    template <value T> static constexpr T apply(T l, T r) noexcept { return detail::math::max(l, r); }
    // apply picks r exactly when l < r, so the derivative follows the same choice.
    static constexpr auto partial_lhs(expression auto l, expression auto r, expression auto) noexcept {
        return one_t{} - typegrad::step(r - l);
    }
    static constexpr auto partial_rhs(expression auto l, expression auto r, expression auto) noexcept {
        return typegrad::step(r - l);
    }
};

struct min {
    static constexpr std::string_view name = "min";
    template <value T> static constexpr T apply(T l, T r) noexcept { return detail::math::min(l, r); }
    // apply picks r exactly when r < l.
    static constexpr auto partial_lhs(expression auto l, expression auto r, expression auto) noexcept {
        return one_t{} - typegrad::step(l - r);
    }
    static constexpr auto partial_rhs(expression auto l, expression auto r, expression auto) noexcept {
        return typegrad::step(l - r);
    }
};

template <class Op>
concept infix_op = requires {
    { Op::precedence } -> std::convertible_to<int>;
};

}  // namespace typegrad::ops
