#pragma once
// Building a layer's graph: operators and functions over graph nodes. Shapes are checked here,
// where the user wrote the expression, with messages in plain words; elementwise chains are
// fused as they are built, so `relu(a) * sigmoid(b) + a` is one elementwise node with one scalar
// expression, evaluated (and differentiated) in one pass.

#include <cstddef>
#include <type_traits>

#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/expr/substitute.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/type_list.hpp>

namespace typegrad::nn::graph {

namespace detail {

template <class T> inline constexpr bool is_elementwise_v = false;
template <class E, class... As> inline constexpr bool is_elementwise_v<elementwise<E, As...>> = true;

// The arguments a fused node reads: those of elementwise arguments, and the others themselves,
// each once (an argument that appears twice is the same value, so it is read once).
template <class Acc>
constexpr auto fused_arguments(Acc acc) {
    return acc;
}
template <class Acc, class Arg, class... Rest>
constexpr auto fused_arguments(Acc acc, std::type_identity<Arg>, std::type_identity<Rest>... rest) {
    if constexpr (is_elementwise_v<Arg>) {
        auto const with_inner = []<class E, class... Bs>(Acc a, std::type_identity<elementwise<E, Bs...>>) {
            return fused_arguments(a, std::type_identity<Bs>{}...);
        }(acc, std::type_identity<Arg>{});
        return fused_arguments(with_inner, rest...);
    } else {
        return fused_arguments(append_unique<Arg>(acc), rest...);
    }
}

// What the outer expression's variable for `Arg` becomes over the fused argument list.
template <class List, class Arg>
constexpr auto variable_for(std::type_identity<Arg>) {
    if constexpr (is_elementwise_v<Arg>) {
        return []<class E, class... Bs>(std::type_identity<elementwise<E, Bs...>>) {
            return substitute(E{}, var<index_of<Bs>(List{})>{}...);
        }(std::type_identity<Arg>{});
    } else {
        return var<index_of<Arg>(List{})>{};
    }
}

template <class E, class... Args>
constexpr auto build_elementwise(E, Args...) {
    static_assert(std::is_empty_v<E>,
                  "typegrad::nn: a layer's elementwise expression must be known from its type; write "
                  "constants as tg::constant<V>{} rather than plain numbers");
    constexpr auto list = fused_arguments(type_list<>{}, std::type_identity<Args>{}...);
    using fused_e = decltype(substitute(E{}, variable_for<decltype(list)>(std::type_identity<Args>{})...));
    return []<class F0, class... Fs>(type_list<F0, Fs...>) {
        if constexpr (sizeof...(Fs) == 0 && std::is_same_v<fused_e, var<0>>)
            return F0{};  // the identity: the argument itself
        else
            return elementwise<fused_e, F0, Fs...>{};
    }(list);
}

template <class A, class B>
constexpr void check_elementwise_shapes() {
    static_assert(A::cols == B::cols || A::cols == 1 || B::cols == 1,
                  "typegrad::nn: elementwise operands must have the same number of columns (or one "
                  "column, which is broadcast along each row)");
}

// A value an elementwise node reads: a batch, a row (broadcast down the batch), or a constant.
template <class T>
concept value_operand = tensor_expression<T> || is_row_v<T>;
template <class T>
concept operand = value_operand<T> || is_constant_v<T>;

// An elementwise binary node from a scalar expression in var<0>, var<1>, for tensors or
// constants on either side.
template <class E, class L, class R>
constexpr auto build_binary(E e, L l, R r) {
    if constexpr (is_constant_v<L>) {
        return build_elementwise(substitute(e, l, var<0>{}), r);
    } else if constexpr (is_constant_v<R>) {
        return build_elementwise(substitute(e, var<0>{}, r), l);
    } else {
        check_elementwise_shapes<L, R>();
        return build_elementwise(e, l, r);
    }
}

inline constexpr var<0> x0{};
inline constexpr var<1> x1{};

}  // namespace detail

// ---- linear algebra -----------------------------------------------------------------------

template <class P>
    requires is_param_v<P>
constexpr transposed<P> transpose(P) noexcept {
    return {};
}

/// a * w: a matrix product with a parameter (or a transposed one) on the right. (To scale each
/// column by a one-row parameter p, write p * a: a parameter on the left is elementwise.)
template <tensor_expression A, parameter_operand B>
constexpr auto operator*(A, B) noexcept {
    static_assert(A::cols == B::rows,
                  "typegrad::nn: in a * w, a's number of columns must equal w's number of rows (for "
                  "a * transpose(w): w's number of columns); for an elementwise product with a one-row "
                  "parameter p, write p * a");
    return matmul<A, B>{};
}

/// a + b for a parameter row b: b is added to every row of a.
template <tensor_expression A, class P>
    requires is_param_v<P>
constexpr auto operator+(A, P) noexcept {
    static_assert(P::rows == 1, "typegrad::nn: in a + b with a parameter b, b must have one row (a bias)");
    static_assert(P::cols == A::cols, "typegrad::nn: in a + b with a parameter b, b needs as many columns as a");
    return add_row<A, P>{};
}

// ---- elementwise arithmetic ---------------------------------------------------------------
// Operands are batches, rows (a one-row parameter, a buffer, a column reduction) and constants.
// A batch with a parameter on its right keeps its linear-algebra meaning: a + b is add_row and
// a * w a matmul (above).

template <detail::operand L, detail::operand R>
    requires(detail::value_operand<L> || detail::value_operand<R>) && (!(tensor_expression<L> && is_param_v<R>))
constexpr auto operator+(L l, R r) noexcept {
    return detail::build_binary(detail::x0 + detail::x1, l, r);
}
template <detail::operand L, detail::operand R>
    requires(detail::value_operand<L> || detail::value_operand<R>)
constexpr auto operator-(L l, R r) noexcept {
    return detail::build_binary(detail::x0 - detail::x1, l, r);
}
template <detail::operand L, detail::operand R>
    requires(detail::value_operand<L> || detail::value_operand<R>) && (!(tensor_expression<L> && is_param_v<R>))
constexpr auto operator*(L l, R r) noexcept {
    return detail::build_binary(detail::x0 * detail::x1, l, r);
}
template <detail::operand L, detail::operand R>
    requires(detail::value_operand<L> || detail::value_operand<R>)
constexpr auto operator/(L l, R r) noexcept {
    return detail::build_binary(detail::x0 / detail::x1, l, r);
}
template <detail::value_operand A>
constexpr auto operator-(A a) noexcept {
    return detail::build_elementwise(-detail::x0, a);
}

/// f(a) at every element, for any scalar expression f in tg::var<0> (an activation).
template <expression F, detail::value_operand A>
constexpr auto map(F f, A a) noexcept {
    static_assert(arity_v<F> <= 1, "typegrad::nn::graph::map(f, a): f must be an expression in tg::var<0> only");
    return detail::build_elementwise(f, a);
}

template <detail::value_operand A> constexpr auto exp(A a) noexcept { return map(typegrad::exp(detail::x0), a); }
template <detail::value_operand A> constexpr auto log(A a) noexcept { return map(typegrad::log(detail::x0), a); }
template <detail::value_operand A> constexpr auto sqrt(A a) noexcept { return map(typegrad::sqrt(detail::x0), a); }
template <detail::value_operand A> constexpr auto tanh(A a) noexcept { return map(typegrad::tanh(detail::x0), a); }
template <detail::value_operand A> constexpr auto sigmoid(A a) noexcept { return map(typegrad::sigmoid(detail::x0), a); }
template <detail::value_operand A> constexpr auto relu(A a) noexcept { return map(typegrad::relu(detail::x0), a); }
template <detail::value_operand A> constexpr auto abs(A a) noexcept { return map(typegrad::abs(detail::x0), a); }
template <int N, detail::value_operand A> constexpr auto pow(A a) noexcept { return map(typegrad::pow<N>(detail::x0), a); }
template <detail::operand L, detail::operand R>
    requires(detail::value_operand<L> || detail::value_operand<R>)
constexpr auto max(L l, R r) noexcept {
    return detail::build_binary(typegrad::max(detail::x0, detail::x1), l, r);
}

// ---- rows ---------------------------------------------------------------------------------

template <tensor_expression A> constexpr auto row_sum(A) noexcept { return row_reduction<row_sum_kind, A>{}; }
template <tensor_expression A> constexpr auto row_max(A) noexcept { return row_reduction<row_max_kind, A>{}; }
template <tensor_expression A> constexpr auto row_logsumexp(A) noexcept {
    return row_reduction<row_logsumexp_kind, A>{};
}
template <tensor_expression A> constexpr auto softmax(A) noexcept { return row_softmax<A>{}; }

// ---- columns ------------------------------------------------------------------------------

/// The mean of each column over the batch's rows: one row, broadcast back down the rows by any
/// elementwise node that reads it (x - column_mean(x) centres every column).
template <tensor_expression A> constexpr auto column_mean(A) noexcept { return column_reduction<column_mean_kind, A>{}; }

}  // namespace typegrad::nn::graph
