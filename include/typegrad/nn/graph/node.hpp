#pragma once
// The tensor-expression graph a layer's forward is written in. Every node is an empty type whose
// template arguments are its children, so a layer's whole computation, the shapes of all its
// intermediates, and its backward are known from its type alone.
//
// Values are matrices with a run-time number of rows (the batch) and `cols` columns; parameters
// have fixed shapes. The primitives are the only places where a derivative is written down:
//   input<Cols>              the layer's input
//   param<Name, Rows, Cols>  a parameter (a row vector when Rows == 1)
//   matmul<A, transposed<P>> A P^T        matmul<A, P>   A P
//   add_row<A, P>            A + P broadcast to every row (P is 1 x cols)
//   elementwise<E, A...>     E(a, ...) at every element; E is a scalar expression from expr/ in
//                            var<0> .. var<n-1>; an argument of 1 column broadcasts along rows
//   row_reduction<Kind, A>   one column per row: Kind is row_sum_kind, row_max_kind or
//                            row_logsumexp_kind
//   row_softmax<A>           softmax of every row
// Builders and operators (graph/build.hpp) live in this namespace too, so that a layer's forward
// finds them by argument-dependent lookup: x * transpose(w) + b, sigmoid(a) * b, softmax(a).

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include <typegrad/expr/node.hpp>
#include <typegrad/nn/name.hpp>
#include <typegrad/nn/graph/type_list.hpp>

namespace typegrad::nn::graph {

template <std::size_t Cols>
struct input {
    static constexpr std::size_t cols = Cols;
};

template <name Name, std::size_t Rows, std::size_t Cols>
struct param {
    static_assert(Rows > 0 && Cols > 0, "typegrad::nn::param: a parameter needs at least one row and column");
    static constexpr auto label = Name;
    static constexpr std::size_t rows = Rows;
    static constexpr std::size_t cols = Cols;
};

template <class P>
struct transposed {
    static constexpr std::size_t rows = P::cols;
    static constexpr std::size_t cols = P::rows;
};

template <class A, class B>
struct matmul {
    static constexpr std::size_t cols = B::cols;
};

template <class A, class P>
struct add_row {
    static constexpr std::size_t cols = A::cols;
};

template <class E, class... Args>
struct elementwise {
    static constexpr std::size_t cols = std::max({Args::cols...});
};

struct row_sum_kind;
struct row_max_kind;
struct row_logsumexp_kind;

template <class Kind, class A>
struct row_reduction {
    static constexpr std::size_t cols = 1;
};

template <class A>
struct row_softmax {
    static constexpr std::size_t cols = A::cols;
};

// ---- traits -------------------------------------------------------------------------------

template <class T> inline constexpr bool is_param_v = false;
template <name N, std::size_t R, std::size_t C> inline constexpr bool is_param_v<param<N, R, C>> = true;

template <class T> inline constexpr bool is_transposed_v = false;
template <class P> inline constexpr bool is_transposed_v<transposed<P>> = true;

template <class T> inline constexpr bool is_input_v = false;
template <std::size_t C> inline constexpr bool is_input_v<input<C>> = true;

namespace detail {
template <class T> inline constexpr bool is_batch_node_v = false;
template <std::size_t C> inline constexpr bool is_batch_node_v<input<C>> = true;
template <class A, class B> inline constexpr bool is_batch_node_v<matmul<A, B>> = true;
template <class A, class P> inline constexpr bool is_batch_node_v<add_row<A, P>> = true;
template <class E, class... As> inline constexpr bool is_batch_node_v<elementwise<E, As...>> = true;
template <class K, class A> inline constexpr bool is_batch_node_v<row_reduction<K, A>> = true;
template <class A> inline constexpr bool is_batch_node_v<row_softmax<A>> = true;
}  // namespace detail

/// The children of a node, in order.
template <class N> struct children { using type = detail::type_list<>; };
template <class P> struct children<transposed<P>> { using type = detail::type_list<P>; };
template <class A, class B> struct children<matmul<A, B>> { using type = detail::type_list<A, B>; };
template <class A, class P> struct children<add_row<A, P>> { using type = detail::type_list<A, P>; };
template <class E, class... As> struct children<elementwise<E, As...>> { using type = detail::type_list<As...>; };
template <class K, class A> struct children<row_reduction<K, A>> { using type = detail::type_list<A>; };
template <class A> struct children<row_softmax<A>> { using type = detail::type_list<A>; };
template <class N> using children_t = typename children<N>::type;

/// A value with one row per sample: what a layer's forward computes and returns.
template <class T>
concept tensor_expression = detail::is_batch_node_v<T>;

/// A parameter, or a parameter transposed: the right operand of a matmul.
template <class T>
concept parameter_operand = is_param_v<T> || is_transposed_v<T>;

}  // namespace typegrad::nn::graph
