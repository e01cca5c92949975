#pragma once
// gradient(e, x0, x1, ...): every partial derivative of e in one forward and one reverse
// sweep over its static tree. The forward sweep keeps each node's value in a trace whose
// layout mirrors the expression's type (no tape, no heap); the reverse sweep pushes adjoints
// down the same tree with the derivative rules of expr/ops.hpp, evaluated on those values.

#include <array>
#include <cstddef>
#include <type_traits>

#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/ops.hpp>

namespace typegrad {

namespace detail {

// The value of every node of E, laid out like E.
template <class E, class T>
struct trace {
    T value;
};

template <class Op, class A, class T>
struct trace<unary<Op, A>, T> {
    trace<A, T> arg;
    T value;
};

template <class Op, class L, class R, class T>
struct trace<binary<Op, L, R>, T> {
    trace<L, T> lhs;
    trace<R, T> rhs;
    T value;
};

template <class E, class T, std::size_t N>
constexpr trace<E, T> forward(E e, std::array<T, N> const& args) noexcept;

// The trace of E whose own value is already known (a forward pass stored it): only the children
// are evaluated. For sigmoid, tanh and exp, whose derivative rules read the node's value, the
// reverse sweep then costs no transcendental call at all.
template <class E, class T, std::size_t N>
constexpr trace<E, T> forward_below(E e, std::array<T, N> const& args, T value) noexcept {
    if constexpr (is_unary_v<E>)
        return {forward(e.arg(), args), value};
    else if constexpr (is_binary_v<E>)
        return {forward(e.lhs(), args), forward(e.rhs(), args), value};
    else
        return {value};
}

template <class E, class T, std::size_t N>
constexpr trace<E, T> forward(E e, std::array<T, N> const& args) noexcept {
    if constexpr (is_unary_v<E>) {
        auto arg = forward(e.arg(), args);
        return {arg, E::op::apply(arg.value)};
    } else if constexpr (is_binary_v<E>) {
        auto lhs = forward(e.lhs(), args);
        auto rhs = forward(e.rhs(), args);
        return {lhs, rhs, E::op::apply(lhs.value, rhs.value)};
    } else {
        return {evaluate(e, args)};
    }
}

// Local partials are the ops' derivative rules over placeholder variables: var<0> stands for
// the argument's value (and var<1> for the right operand of a binary op), the last variable
// for the node's own value. A rule that is a constant costs nothing: adjoint * 1 is skipped.
template <class Partial, class T, class... Vs>
constexpr T scale(T adjoint, Partial partial, Vs... values) noexcept {
    if constexpr (std::is_same_v<Partial, one_t>)
        return adjoint;
    else if constexpr (std::is_same_v<Partial, constant<-1.0>>)
        return -adjoint;
    else
        return adjoint * evaluate(partial, std::array<T, sizeof...(Vs)>{values...});
}

template <class E, class T, std::size_t N>
constexpr void backward(E e, trace<E, T> const& t, T adjoint, std::array<T, N>& grad) noexcept {
    if constexpr (is_closed_v<E>) {
        // no variable below: nothing to propagate
    } else if constexpr (is_var_v<E>) {
        grad[E::index] = grad[E::index] + adjoint;
    } else if constexpr (is_unary_v<E>) {
        constexpr auto partial = E::op::derivative(var<0>{}, var<1>{});
        backward(e.arg(), t.arg, scale(adjoint, partial, t.arg.value, t.value), grad);
    } else {
        using op = typename E::op;
        constexpr auto partial_lhs = op::partial_lhs(var<0>{}, var<1>{}, var<2>{});
        constexpr auto partial_rhs = op::partial_rhs(var<0>{}, var<1>{}, var<2>{});
        backward(e.lhs(), t.lhs, scale(adjoint, partial_lhs, t.lhs.value, t.rhs.value, t.value), grad);
        backward(e.rhs(), t.rhs, scale(adjoint, partial_rhs, t.lhs.value, t.rhs.value, t.value), grad);
    }
}

template <class E, class T, class... Ts>
constexpr std::array<T, 1 + sizeof...(Ts)> reverse_sweep(E e, trace<E, T> const& t) noexcept {
    std::array<T, 1 + sizeof...(Ts)> grad;
    grad.fill(T(0));
    backward(e, t, T(1), grad);
    return grad;
}

}  // namespace detail

/// The value of an expression and all its partial derivatives, from one sweep each way.
template <class T, std::size_t N>
struct value_and_gradient_result {
    T value;
    std::array<T, N> gradient;
};

/// All partial derivatives of `e` at `x0, xs...`: element I is de/d(var<I>). One forward and
/// one reverse sweep; constexpr for float and double, and one lane per sample on batches.
template <class E, class T, class... Ts>
constexpr std::array<T, 1 + sizeof...(Ts)> gradient(E e, T x0, Ts... xs) noexcept {
    if constexpr (detail::check_arguments<E, T, Ts...>())
        return detail::reverse_sweep<E, T, Ts...>(e, detail::forward(e, std::array<T, 1 + sizeof...(Ts)>{x0, xs...}));
    else
        return {};
}

/// `e` at `x0, xs...` and every partial derivative there: what eval and gradient return, from
/// the one forward sweep that gradient needs anyway (`auto [v, g] = value_and_gradient(e, x, y)`).
template <class E, class T, class... Ts>
constexpr value_and_gradient_result<T, 1 + sizeof...(Ts)> value_and_gradient(E e, T x0, Ts... xs) noexcept {
    if constexpr (detail::check_arguments<E, T, Ts...>()) {
        auto const t = detail::forward(e, std::array<T, 1 + sizeof...(Ts)>{x0, xs...});
        return {t.value, detail::reverse_sweep<E, T, Ts...>(e, t)};
    } else {
        return {x0, {}};
    }
}

/// gradient(e, x0, xs...) when the value of `e` there is already known: `value` is used in
/// place of evaluating e's outermost operation (its operands are still evaluated). The result is
/// exact as long as `value == eval(e, x0, xs...)`, as it is when a forward pass stored it.
template <class E, class T, class... Ts>
constexpr std::array<T, 1 + sizeof...(Ts)> gradient_given_value(E e, T value, T x0, Ts... xs) noexcept {
    if constexpr (detail::check_arguments<E, T, Ts...>())
        return detail::reverse_sweep<E, T, Ts...>(
            e, detail::forward_below(e, std::array<T, 1 + sizeof...(Ts)>{x0, xs...}, value));
    else
        return {};
}

}  // namespace typegrad
