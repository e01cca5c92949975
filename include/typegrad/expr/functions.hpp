#pragma once
// The elementary functions of expressions (declared and documented in expr/fwd.hpp).

#include <typegrad/expr/fwd.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/ops.hpp>
#include <typegrad/expr/simplify.hpp>

namespace typegrad {

template <expression A> constexpr auto exp(A a) noexcept { return detail::make<ops::exp>(a); }
template <expression A> constexpr auto log(A a) noexcept { return detail::make<ops::log>(a); }
template <expression A> constexpr auto sqrt(A a) noexcept { return detail::make<ops::sqrt>(a); }
template <expression A> constexpr auto sin(A a) noexcept { return detail::make<ops::sin>(a); }
template <expression A> constexpr auto cos(A a) noexcept { return detail::make<ops::cos>(a); }
template <expression A> constexpr auto tanh(A a) noexcept { return detail::make<ops::tanh>(a); }
template <expression A> constexpr auto sigmoid(A a) noexcept { return detail::make<ops::sigmoid>(a); }
template <expression A> constexpr auto softplus(A a) noexcept { return detail::make<ops::softplus>(a); }
template <expression A> constexpr auto relu(A a) noexcept { return detail::make<ops::relu>(a); }
template <expression A> constexpr auto abs(A a) noexcept { return detail::make<ops::abs>(a); }
template <expression A> constexpr auto step(A a) noexcept { return detail::make<ops::step>(a); }
template <expression A> constexpr auto sign(A a) noexcept { return detail::make<ops::sign>(a); }
template <int N, expression A> constexpr auto pow(A a) noexcept { return detail::make<ops::pow<N>>(a); }

template <expression_operand A, expression_operand B>
    requires(expression<A> || expression<B>)
constexpr auto max(A a, B b) noexcept {
    return detail::make<ops::max>(as_expression(a), as_expression(b));
}

template <expression_operand A, expression_operand B>
    requires(expression<A> || expression<B>)
constexpr auto min(A a, B b) noexcept {
    return detail::make<ops::min>(as_expression(a), as_expression(b));
}

}  // namespace typegrad
