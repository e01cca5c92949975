#pragma once
// Declarations of the functions that build expressions, with their documentation. The
// derivative rules in expr/ops.hpp are written with these functions, and the functions
// construct nodes of those ops, so the declarations come first (definitions: expr/functions.hpp).

#include <typegrad/expr/node.hpp>

namespace typegrad {

/// e^a.
template <expression A> constexpr auto exp(A a) noexcept;
/// Natural logarithm.
template <expression A> constexpr auto log(A a) noexcept;
/// Square root.
template <expression A> constexpr auto sqrt(A a) noexcept;
/// Sine (radians).
template <expression A> constexpr auto sin(A a) noexcept;
/// Cosine (radians).
template <expression A> constexpr auto cos(A a) noexcept;
/// Hyperbolic tangent; its derivative reuses the forward value: 1 - tanh(a)^2.
template <expression A> constexpr auto tanh(A a) noexcept;
/// Logistic function 1 / (1 + e^-a); its derivative reuses the forward value: s (1 - s).
template <expression A> constexpr auto sigmoid(A a) noexcept;
/// log(1 + e^a), computed without overflow for large a; its derivative is sigmoid(a). It is the
/// stable form of -log(sigmoid(-a)), which binary cross-entropy on logits is made of.
template <expression A> constexpr auto softplus(A a) noexcept;
/// max(a, 0). Its derivative is step(a), which is 0 at 0 (as in PyTorch).
template <expression A> constexpr auto relu(A a) noexcept;
/// |a|. Its derivative is sign(a), which is 0 at 0 (as in PyTorch).
template <expression A> constexpr auto abs(A a) noexcept;
/// 1 where a > 0, else 0. Derivative zero everywhere (it is used as one, not differentiated).
template <expression A> constexpr auto step(A a) noexcept;
/// -1, 0 or 1. Derivative zero everywhere.
template <expression A> constexpr auto sign(A a) noexcept;
/// a^N for an integer N (negative N divide). pow<0> is 1 and pow<1> is `a` itself.
template <int N, expression A> constexpr auto pow(A a) noexcept;
/// The larger of a and b; the derivative follows the larger operand (b on a tie).
template <expression_operand A, expression_operand B>
    requires(expression<A> || expression<B>)
constexpr auto max(A a, B b) noexcept;
/// The smaller of a and b; the derivative follows the smaller operand (b on a tie).
template <expression_operand A, expression_operand B>
    requires(expression<A> || expression<B>)
constexpr auto min(A a, B b) noexcept;

}  // namespace typegrad
