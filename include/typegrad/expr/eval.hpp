#pragma once
// eval(e, x0, x1, ...): the value of an expression, with one argument per variable. Generic
// over the value type: float and double (constexpr), and xsimd batches, one sample per lane.

#include <array>
#include <cstddef>

#include <typegrad/expr/node.hpp>
#include <typegrad/expr/ops.hpp>
#include <typegrad/simd/batch.hpp>

namespace typegrad {

namespace detail {

template <std::size_t I, class T, std::size_t N>
constexpr T evaluate(var<I>, std::array<T, N> const& args) noexcept {
    return args[I];
}

template <double V, class T, std::size_t N>
constexpr T evaluate(constant<V>, std::array<T, N> const&) noexcept {
    return T(static_cast<scalar_of_t<T>>(V));
}

template <class T, std::size_t N>
constexpr T evaluate(literal l, std::array<T, N> const&) noexcept {
    return T(static_cast<scalar_of_t<T>>(l.value));
}

template <class Op, class A, class T, std::size_t N>
constexpr T evaluate(unary<Op, A> e, std::array<T, N> const& args) noexcept {
    return Op::apply(evaluate(e.arg(), args));
}

template <class Op, class L, class R, class T, std::size_t N>
constexpr T evaluate(binary<Op, L, R> e, std::array<T, N> const& args) noexcept {
    return Op::apply(evaluate(e.lhs(), args), evaluate(e.rhs(), args));
}

// The checks shared by eval and gradient, so both explain misuse the same way.
template <class E, class T, class... Ts>
constexpr bool check_arguments() noexcept {
    static_assert(expression<E>,
                  "typegrad::eval, typegrad::gradient: the first argument must be an expression built from tg::var, "
                  "tg::constant and the tg:: functions and operators");
    static_assert(value<T>,
                  "typegrad::eval, typegrad::gradient: expressions are evaluated on float, double, or xsimd::batch of "
                  "either; convert other arguments (such as integers) first");
    static_assert((std::is_same_v<T, Ts> && ...),
                  "typegrad::eval, typegrad::gradient: all arguments must have the same type (one value per variable)");
    if constexpr (expression<E>) {
        static_assert(1 + sizeof...(Ts) >= arity_v<E>,
                      "typegrad::eval, typegrad::gradient: too few arguments; the expression uses variable tg::var<I> for "
                      "some I >= the number of arguments given (pass one per variable, x0 first)");
        return value<T> && (std::is_same_v<T, Ts> && ...) && 1 + sizeof...(Ts) >= arity_v<E>;
    } else {
        return false;
    }
}

}  // namespace detail

/// The value of `e` at `x0, xs...` (argument I is the value of tg::var<I>).
template <class E, class T, class... Ts>
constexpr T eval(E e, T x0, Ts... xs) noexcept {
    if constexpr (detail::check_arguments<E, T, Ts...>())
        return detail::evaluate(e, std::array<T, 1 + sizeof...(Ts)>{x0, xs...});
    else
        return x0;
}

/// The value of `e` with the variables' values in an array.
template <expression E, value T, std::size_t N>
constexpr T eval(E e, std::array<T, N> const& args) noexcept {
    static_assert(N >= arity_v<E>, "typegrad::eval(e, args): the array has fewer values than the "
                                   "expression has variables");
    return detail::evaluate(e, args);
}

}  // namespace typegrad
