#pragma once
// tg::nn::forward(net, x): the network's output for the rows of x. The layers' outputs stay in the
// network's workspace (for a backward, and so that a warm forward allocates nothing); forward
// returns a copy, forward_view a view that is valid until the next pass.

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include <typegrad/error.hpp>
#include <typegrad/nn/graph/evaluate.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::nn {

namespace detail {

template <class Net> inline constexpr bool is_network_v = false;
template <class T, class... L> inline constexpr bool is_network_v<basic_sequential<T, L...>> = true;

template <class Net>
using value_t = typename Net::value_type;

/// The output of layer I (after a forward over it): the workspace value of its graph's root, or,
/// for a layer whose graph is its input (identity), the output of the layer before.
template <std::size_t I, class Net>
auto output_view(Net const& net, const_matrix_view<value_t<Net>, Net::in_features> x) {
    using root = typename Net::template graph_type<I>;
    if constexpr (graph::is_input_v<root>) {
        if constexpr (I == 0)
            return x;
        else
            return output_view<I - 1>(net, x);
    } else {
        return const_matrix_view<value_t<Net>, root::cols>(net.template workspace<I>().template value<root>().view());
    }
}

template <std::size_t I, class Net>
auto input_view(Net const& net, const_matrix_view<value_t<Net>, Net::in_features> x) {
    if constexpr (I == 0)
        return x;
    else
        return output_view<I - 1>(net, x);
}

/// Runs layers [0, Count) on x.
template <std::size_t Count, class Net>
void forward_layers(Net const& net, const_matrix_view<value_t<Net>, Net::in_features> x) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using root = typename Net::template graph_type<I>;
                if constexpr (!graph::is_input_v<root>)
                    graph::forward(net.template workspace<I>(), input_view<I>(net, x), net.template layer<I>());
            }(),
            ...);
    }(std::make_index_sequence<Count>{});
}

template <class Net, class X>
auto network_input(X const& x) {
    static_assert(is_network_v<Net>, "typegrad::nn: the first argument must be a tg::nn::sequential network");
    static_assert(matrix_like<X>, "typegrad::nn: the input must be a tg::matrix or tg::matrix_view");
    auto const v = x.view();
    static_assert(std::is_same_v<typename decltype(v)::value_type, value_t<Net>>,
                  "typegrad::nn: the input's scalar type differs from the network's (use tg::nn::rebind_t)");
    static_assert(decltype(v)::cols == Net::in_features,
                  "typegrad::nn: the input's number of columns differs from the network's in_features");
    return const_matrix_view<value_t<Net>, Net::in_features>(v);
}

}  // namespace detail

/// The network's output for x, as a view into the network's workspace (valid until its next pass).
template <class Net, matrix_like X>
auto forward_view(Net const& net, X const& x) {
    auto const input = detail::network_input<Net>(x);
    detail::forward_layers<Net::size>(net, input);
    return detail::output_view<Net::size - 1>(net, input);
}

/// The network's output for x: a matrix of x.rows() rows and out_features columns.
template <class Net, matrix_like X>
matrix<detail::value_t<Net>, Net::out_features> forward(Net const& net, X const& x) {
    auto const out = forward_view(net, x);
    matrix<detail::value_t<Net>, Net::out_features> result(out.rows());
    std::copy_n(out.data(), out.size(), result.data());
    return result;
}

}  // namespace typegrad::nn
