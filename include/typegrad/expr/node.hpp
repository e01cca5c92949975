#pragma once
// The structure of a scalar expression: leaves, the two node shapes, and the traits that
// read them. Nodes hold only structure; what an operation computes lives in its policy
// (expr/ops.hpp), and evaluation and differentiation are free functions.

#include <cstddef>
#include <type_traits>

#if !defined(__cpp_nontype_template_args) || __cpp_nontype_template_args < 201911L
#error "typegrad needs floating-point template arguments (C++20, P1907R1): GCC 11 or newer, or Clang 18 or newer, with -std=c++20"
#endif

namespace typegrad {

/// The I-th independent variable. Empty: an expression of variables costs nothing to copy.
template <std::size_t I>
struct var {
    static constexpr std::size_t index = I;
};

/// A constant known to the type system. Arithmetic on constants folds at compile time, and
/// `zero_t` / `one_t` drive the simplification rules.
template <double V>
struct constant {
    static constexpr double value = V;
};

using zero_t = constant<0.0>;
using one_t = constant<1.0>;

/// A value-carrying leaf: an arithmetic value mixed into an expression (`2.0 * x`). Its value
/// is only known at run time (or in a constant expression), so it takes part in no rule
/// that needs the value, but its derivative is still `zero_t`.
struct literal {
    double value;
};

namespace detail {

// Children are stored only when they carry state, so that a tree of variables and
// constants is itself an empty type (the empty-base optimisation does the rest).
template <class Slot, class E, bool = std::is_empty_v<E>>
struct child {
    constexpr child() = default;
    constexpr explicit child(E) noexcept {}
    constexpr E get() const noexcept { return E{}; }
};

template <class Slot, class E>
struct child<Slot, E, false> {
    E value;
    constexpr explicit child(E e) noexcept : value(e) {}
    constexpr E get() const noexcept { return value; }
};

struct arg_slot;
struct lhs_slot;
struct rhs_slot;

}  // namespace detail

/// `Op(A)`: a function applied to one subexpression. `Op` is a policy from expr/ops.hpp.
template <class Op, class A>
struct unary : private detail::child<detail::arg_slot, A> {
    using op = Op;
    using arg_type = A;

    constexpr unary() = default;
    constexpr explicit unary(A a) noexcept : detail::child<detail::arg_slot, A>(a) {}

    constexpr A arg() const noexcept { return detail::child<detail::arg_slot, A>::get(); }
};

/// `Op(L, R)`: an arithmetic operator or a binary function.
template <class Op, class L, class R>
struct binary : private detail::child<detail::lhs_slot, L>, private detail::child<detail::rhs_slot, R> {
    using op = Op;
    using lhs_type = L;
    using rhs_type = R;

    constexpr binary() = default;
    constexpr binary(L l, R r) noexcept
        : detail::child<detail::lhs_slot, L>(l), detail::child<detail::rhs_slot, R>(r) {}

    constexpr L lhs() const noexcept { return detail::child<detail::lhs_slot, L>::get(); }
    constexpr R rhs() const noexcept { return detail::child<detail::rhs_slot, R>::get(); }
};

// ---- traits -------------------------------------------------------------------------------

template <class T> inline constexpr bool is_var_v = false;
template <std::size_t I> inline constexpr bool is_var_v<var<I>> = true;

template <class T> inline constexpr bool is_constant_v = false;
template <double V> inline constexpr bool is_constant_v<constant<V>> = true;

template <class T> inline constexpr bool is_literal_v = std::is_same_v<T, literal>;

template <class T> inline constexpr bool is_unary_v = false;
template <class Op, class A> inline constexpr bool is_unary_v<unary<Op, A>> = true;

template <class T> inline constexpr bool is_binary_v = false;
template <class Op, class L, class R> inline constexpr bool is_binary_v<binary<Op, L, R>> = true;

/// Anything built from the leaves and nodes above.
template <class T>
concept expression = is_var_v<T> || is_constant_v<T> || is_literal_v<T> || is_unary_v<T> ||
                     is_binary_v<T>;

/// Operands that an operator accepts next to an expression: they become `literal`s.
template <class T>
concept expression_operand = expression<T> || std::is_arithmetic_v<T>;

namespace detail {

template <class E>
struct arity_of : std::integral_constant<std::size_t, 0> {};
template <std::size_t I>
struct arity_of<var<I>> : std::integral_constant<std::size_t, I + 1> {};
template <class Op, class A>
struct arity_of<unary<Op, A>> : arity_of<A> {};
template <class Op, class L, class R>
struct arity_of<binary<Op, L, R>>
    : std::integral_constant<std::size_t, (arity_of<L>::value > arity_of<R>::value)
                                              ? arity_of<L>::value
                                              : arity_of<R>::value> {};

template <std::size_t I, class E>
struct reads_var : std::false_type {};
template <std::size_t I>
struct reads_var<I, var<I>> : std::true_type {};
template <std::size_t I, class Op, class A>
struct reads_var<I, unary<Op, A>> : reads_var<I, A> {};
template <std::size_t I, class Op, class L, class R>
struct reads_var<I, binary<Op, L, R>> : std::bool_constant<reads_var<I, L>::value || reads_var<I, R>::value> {};

}  // namespace detail

/// How many arguments evaluating `E` takes: one more than the highest variable index.
template <class E>
    requires expression<std::remove_cvref_t<E>>
inline constexpr std::size_t arity_v = detail::arity_of<std::remove_cvref_t<E>>::value;

/// Whether evaluating `E` reads var<I> (var<1> * var<1> does not read var<0>, though its arity is 2).
template <std::size_t I, class E>
    requires expression<std::remove_cvref_t<E>>
inline constexpr bool reads_var_v = detail::reads_var<I, std::remove_cvref_t<E>>::value;

/// True when `E` does not depend on any variable, so every derivative of it is zero.
template <class E>
    requires expression<std::remove_cvref_t<E>>
inline constexpr bool is_closed_v = arity_v<E> == 0;

/// Turns an operand into an expression: expressions pass through, numbers become literals.
template <expression_operand T>
constexpr auto as_expression(T t) noexcept {
    if constexpr (expression<T>)
        return t;
    else
        return literal{static_cast<double>(t)};
}

}  // namespace typegrad
