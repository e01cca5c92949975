#pragma once
// The tensor-expression graph a layer's forward is written in. Every node is an empty type whose
// template arguments are its children, so a layer's whole computation, the shapes of all its
// intermediates, and its backward are known from its type alone.
//
// Values are matrices with a run-time number of rows (the batch) and `cols` columns; parameters
// have fixed shapes. The primitives are the only places where a derivative is written down:
//   input<Cols>              the layer's input
//   param<Name, Rows, Cols>  a parameter (a row vector when Rows == 1)
//   buffer<Name, Cols, V>    a row the layer keeps but does not learn (running statistics); starts
//                            at V, has no gradient, and is saved in checkpoints
//   random_mask<Drop, Cols>  per element, 0 with probability Drop, else 1 / (1 - Drop); drawn
//                            anew each training step (a constant to the backward)
//   matmul<A, transposed<P>> A P^T        matmul<A, P>   A P
//   add_row<A, P>            A + P broadcast to every row (P is 1 x cols)
//   elementwise<E, A...>     E(a, ...) at every element; E is a scalar expression from expr/ in
//                            var<0> .. var<n-1>; an argument of 1 column broadcasts along rows,
//                            one of 1 row (a one-row parameter, a buffer, a column reduction)
//                            down the columns
//   row_reduction<Kind, A>   one column per row: Kind is row_sum_kind, row_max_kind or
//                            row_logsumexp_kind
//   column_reduction<Kind, A> one row: Kind is column_mean_kind (the mean over the batch's rows)
//   row_softmax<A>           softmax of every row
// A node's value has one row per sample (a batch node) or exactly one row (a row node: a column
// reduction, or an elementwise node of rows only).
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

template <name Name, std::size_t Cols, double Initial = 0.0>
struct buffer {
    static_assert(Cols > 0, "typegrad::nn::buffer: a buffer needs at least one column");
    static constexpr auto label = Name;
    static constexpr std::size_t rows = 1;
    static constexpr std::size_t cols = Cols;
    static constexpr double initial = Initial;
};

template <double Drop, std::size_t Cols>
struct random_mask {
    static_assert(Drop >= 0.0 && Drop < 1.0, "typegrad::nn::random_mask: Drop must satisfy 0 <= Drop < 1");
    static constexpr double drop = Drop;
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

struct column_mean_kind;

template <class Kind, class A>
struct column_reduction {
    static constexpr std::size_t cols = A::cols;
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

template <class T> inline constexpr bool is_buffer_v = false;
template <name N, std::size_t C, double V> inline constexpr bool is_buffer_v<buffer<N, C, V>> = true;

namespace detail {
template <class T> inline constexpr bool is_batch_node_v = false;
template <std::size_t C> inline constexpr bool is_batch_node_v<input<C>> = true;
template <double D, std::size_t C> inline constexpr bool is_batch_node_v<random_mask<D, C>> = true;
template <class A, class B> inline constexpr bool is_batch_node_v<matmul<A, B>> = true;
template <class A, class P> inline constexpr bool is_batch_node_v<add_row<A, P>> = true;
template <class E, class... As> inline constexpr bool is_batch_node_v<elementwise<E, As...>> = (is_batch_node_v<As> || ...);
template <class K, class A> inline constexpr bool is_batch_node_v<row_reduction<K, A>> = true;
template <class A> inline constexpr bool is_batch_node_v<row_softmax<A>> = true;

template <class T> inline constexpr bool is_row_node_v = false;
template <class K, class A> inline constexpr bool is_row_node_v<column_reduction<K, A>> = true;
template <class E, class... As> inline constexpr bool is_row_node_v<elementwise<E, As...>> = !(is_batch_node_v<As> || ...);

template <class T> inline constexpr bool is_row_param_v = false;
template <name N, std::size_t C> inline constexpr bool is_row_param_v<param<N, 1, C>> = true;
}  // namespace detail

/// A value of exactly one row, broadcast down the rows of a batch when an elementwise node reads
/// it: a row node, a buffer, or a one-row parameter.
template <class T>
inline constexpr bool is_row_v = detail::is_row_node_v<T> || is_buffer_v<T> || detail::is_row_param_v<T>;

/// The children of a node, in order.
template <class N> struct children { using type = detail::type_list<>; };
template <class P> struct children<transposed<P>> { using type = detail::type_list<P>; };
template <class A, class B> struct children<matmul<A, B>> { using type = detail::type_list<A, B>; };
template <class A, class P> struct children<add_row<A, P>> { using type = detail::type_list<A, P>; };
template <class E, class... As> struct children<elementwise<E, As...>> { using type = detail::type_list<As...>; };
template <class K, class A> struct children<row_reduction<K, A>> { using type = detail::type_list<A>; };
template <class K, class A> struct children<column_reduction<K, A>> { using type = detail::type_list<A>; };
template <class A> struct children<row_softmax<A>> { using type = detail::type_list<A>; };
template <class N> using children_t = typename children<N>::type;

/// A value with one row per sample: what a layer's forward computes and returns.
template <class T>
concept tensor_expression = detail::is_batch_node_v<T>;

/// A value of one row computed from the batch (a column reduction, or elementwise over rows).
template <class T>
concept row_expression = detail::is_row_node_v<T>;

/// A parameter, or a parameter transposed: the right operand of a matmul.
template <class T>
concept parameter_operand = is_param_v<T> || is_transposed_v<T>;

}  // namespace typegrad::nn::graph
