#pragma once
// The plan of a layer's graph, read off its type: the order nodes are computed in, which of them
// keep a value in the workspace (and so are there for the backward), which are fused into their
// consumer, and which need a gradient. All of it is decided at compile time.

#include <cstddef>
#include <type_traits>

#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/type_list.hpp>

namespace typegrad::nn::graph {

namespace detail {

template <class Acc, class... Ns>
constexpr auto visit(Acc acc, type_list<Ns...>);

template <class N, class Acc>
constexpr auto visit_node(Acc acc) {
    return append_unique<N>(visit(acc, children_t<N>{}));
}

template <class Acc, class... Ns>
constexpr auto visit(Acc acc, type_list<Ns...>) {
    if constexpr (sizeof...(Ns) == 0) {
        return acc;
    } else {
        return []<class Head, class... Tail>(Acc a, type_list<Head, Tail...>) {
            return visit(visit_node<Head>(a), type_list<Tail...>{});
        }(acc, type_list<Ns...>{});
    }
}

template <class N, class... Ms>
constexpr std::size_t count_consumers(type_list<Ms...>) {
    std::size_t n = 0;
    (for_each_type(children_t<Ms>{}, [&n]<class C>(std::type_identity<C>) { n += std::is_same_v<C, N> ? 1 : 0; }),
     ...);
    return n;
}

template <class M, class N> inline constexpr bool is_add_row_of_v = false;
template <class N, class B> inline constexpr bool is_add_row_of_v<add_row<N, B>, N> = true;

template <class N, class... Ms>
constexpr bool read_by_add_row(type_list<Ms...>) {
    return (is_add_row_of_v<Ms, N> || ...);
}

template <class T> inline constexpr bool is_transposed_matmul_v = false;
template <class A, class P> inline constexpr bool is_transposed_matmul_v<matmul<A, transposed<P>>> = true;

template <class N>
constexpr bool contains_param() {
    if constexpr (is_param_v<N>) {
        return true;
    } else {
        bool found = false;
        for_each_type(children_t<N>{}, [&found]<class C>(std::type_identity<C>) { found = found || contains_param<C>(); });
        return found;
    }
}

template <class N>
constexpr bool contains_input() {
    if constexpr (is_input_v<N>) {
        return true;
    } else {
        bool found = false;
        for_each_type(children_t<N>{}, [&found]<class C>(std::type_identity<C>) { found = found || contains_input<C>(); });
        return found;
    }
}

}  // namespace detail

/// Every node below and including Root, children before parents, each once.
template <class Root>
using order_t = decltype(detail::visit_node<Root>(detail::type_list<>{}));

/// How many nodes of Root's graph read N.
template <class Root, class N>
inline constexpr std::size_t consumers_v = detail::count_consumers<N>(order_t<Root>{});

/// A product a * transpose(w) read only by `+ b` is computed inside that node, by one GEMM with
/// the bias in its epilogue; it never has a value of its own.
template <class Root, class N>
inline constexpr bool is_fused_v =
    detail::is_transposed_matmul_v<N> && consumers_v<Root, N> == 1 && detail::read_by_add_row<N>(order_t<Root>{});

/// Whether N holds a value (and a gradient) in the workspace: every computed node (batch or row)
/// but a fused product. The input is the caller's; parameters and buffers are the layer's.
template <class Root, class N>
inline constexpr bool is_stored_v =
    (tensor_expression<N> || row_expression<N>) && !is_input_v<N> && !is_fused_v<Root, N>;

/// Whether the backward must compute a gradient for N: it leads to a parameter, or to the input
/// when the caller wants the input's gradient.
template <class N, bool InputGradient>
inline constexpr bool needs_gradient_v = detail::contains_param<N>() || (InputGradient && detail::contains_input<N>());

namespace detail {
template <class N, class P> inline constexpr bool multiplies_by_v = false;
template <class A, class P> inline constexpr bool multiplies_by_v<matmul<A, P>, P> = true;
template <class A, class P> inline constexpr bool multiplies_by_v<matmul<A, transposed<P>>, P> = true;

template <class P, class... Ns>
constexpr bool multiplied_in(type_list<Ns...>) noexcept {
    return (multiplies_by_v<Ns, P> || ...);
}
}  // namespace detail

/// Whether parameter P is a bias in Root's graph: one row, never a matmul operand. (Biases start
/// at zero and are saved as vectors, as PyTorch's are; dense<In, 1>'s one-row weight is not one.
/// A one-row scale read elementwise, such as batch_norm's, is saved as a vector too.)
template <class Root, class P>
inline constexpr bool is_bias_v = P::rows == 1 && !detail::multiplied_in<P>(order_t<Root>{});

namespace detail {
template <class E> inline constexpr bool derivative_reads_only_value = false;
// The identity reads nothing; a unary op of the variable reads only its value when its rule,
// written over var<0> (the argument) and var<1> (the value), never reads var<0>.
template <> inline constexpr bool derivative_reads_only_value<var<0>> = true;
template <class Op>
inline constexpr bool derivative_reads_only_value<unary<Op, var<0>>> =
    !reads_var_v<0, decltype(Op::derivative(var<0>{}, var<1>{}))>;

template <class Root> inline constexpr bool computed_by_gemm = is_transposed_matmul_v<Root>;
template <class A, class P> inline constexpr bool computed_by_gemm<add_row<A, P>> = is_fused_v<add_row<A, P>, A>;
}  // namespace detail

/// Whether the derivative of the scalar expression E, given E's value y, reads nothing else:
/// sigmoid (y (1 - y)), tanh (1 - y^2), relu (step(y)) and the identity do; swish and
/// leaky_relu (a max of two operands) read their argument.
template <class E>
inline constexpr bool derivative_reads_only_value_v = detail::derivative_reads_only_value<E>;

/// Whether Root is a graph's only computed node, an elementwise map of the input whose
/// derivative reads only its value: an activation layer that can run inside the layer before it.
template <class Root>
inline constexpr bool is_value_activation_v = false;
template <class E, std::size_t W>
inline constexpr bool is_value_activation_v<elementwise<E, input<W>>> = derivative_reads_only_value_v<E>;

/// Whether Root is computed by one forward GEMM (x W^T, with or without a fused bias) whose
/// epilogue can apply a following activation as it stores; nothing in Root's own backward reads
/// Root's value, so the value may be the activation's instead.
template <class Root>
inline constexpr bool is_gemm_root_v = detail::computed_by_gemm<Root>;

namespace detail {
template <class Root, class... Ns>
constexpr auto stored_nodes(type_list<Ns...>) {
    return (type_list<>{} + ... + std::conditional_t<is_stored_v<Root, Ns>, type_list<Ns>, type_list<>>{});
}
}  // namespace detail

/// The nodes that own a value and a gradient in the workspace, in computation order.
template <class Root>
using stored_t = decltype(detail::stored_nodes<Root>(order_t<Root>{}));
}  // namespace typegrad::nn::graph
