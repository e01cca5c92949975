#pragma once
// d(e, x): the symbolic derivative, by the chain rule over the type of e. The result is a new,
// simplified expression, so derivatives compose: d(d(f, x), y).

#include <cstddef>

#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/expr/ops.hpp>

namespace typegrad {

namespace detail {

template <std::size_t I, std::size_t J>
constexpr auto derive(var<I>, var<J>) noexcept {
    if constexpr (I == J)
        return one_t{};
    else
        return zero_t{};
}

template <expression E, std::size_t J>
    requires(is_constant_v<E> || is_literal_v<E>)
constexpr auto derive(E, var<J>) noexcept {
    return zero_t{};
}

// Each child contributes d(child) * (partial of the node in that child). A child whose
// derivative is zero contributes nothing, and its partial is not even built.
template <class Da, class Partial>
constexpr auto chain(Da da, Partial partial) noexcept {
    if constexpr (std::is_same_v<Da, zero_t>)
        return zero_t{};
    else
        return da * partial();
}

template <class Op, class A, std::size_t J>
constexpr auto derive(unary<Op, A> e, var<J> x) noexcept {
    return chain(derive(e.arg(), x), [e] { return Op::derivative(e.arg(), e); });
}

template <class Op, class L, class R, std::size_t J>
constexpr auto derive(binary<Op, L, R> e, var<J> x) noexcept {
    return chain(derive(e.lhs(), x), [e] { return Op::partial_lhs(e.lhs(), e.rhs(), e); }) +
           chain(derive(e.rhs(), x), [e] { return Op::partial_rhs(e.lhs(), e.rhs(), e); });
}

}  // namespace detail

/// The derivative of `e` with respect to the variable `x`, as a simplified expression.
template <class E, class V>
constexpr auto d(E e, V x) noexcept {
    static_assert(expression<E>,
                  "typegrad::d(e, x): e must be an expression built from tg::var, tg::constant "
                  "and the tg:: functions and operators");
    static_assert(is_var_v<V>,
                  "typegrad::d(e, x): x must be a variable such as tg::var<0>{}; to differentiate "
                  "with respect to a subexpression, name it as a variable of its own");
    if constexpr (expression<E> && is_var_v<V>)
        return detail::derive(e, x);
    else
        return zero_t{};
}

}  // namespace typegrad
