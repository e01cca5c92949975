#pragma once
// tg::nn::forward(net, x): the network's output for the rows of x, for inference: dropout passes
// its input through and batch_norm normalises with its running statistics. The layers' outputs
// stay in the network's workspace (for a backward, and so that a warm forward allocates
// nothing); forward returns a copy, forward_view a view that is valid until the next pass.
//
// tg::nn::forward_train(net, x): the forward of a training step, as tg::nn::backprop runs it: the
// step advances (new dropout masks) and batch_norm uses the batch's statistics and updates its
// running ones.

#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include <typegrad/error.hpp>
#include <typegrad/nn/graph/evaluate.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/tensor/gemm.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::nn {

namespace detail {

template <class Net> inline constexpr bool is_network_v = false;
template <class T, class... L> inline constexpr bool is_network_v<basic_sequential<T, L...>> = true;

template <class Net>
using value_t = typename Net::value_type;

/// Whether layer I, in mode M, runs inside layer I - 1: it is an activation whose derivative
/// reads only its value (relu, sigmoid, tanh) and layer I - 1 ends in one GEMM (dense). Layer
/// I - 1's GEMM then applies the activation as it stores its results, so the pre-activation is
/// never stored nor read again, and layer I has no forward pass and no value of its own.
template <class Net, std::size_t I, mode M>
constexpr bool runs_in_previous() {
    if constexpr (I == 0 || I >= Net::size)
        return false;
    else
        return graph::is_value_activation_v<typename Net::template graph_type<I, M>> &&
               graph::is_gemm_root_v<typename Net::template graph_type<I - 1, M>>;
}

/// The output of layer I (after a forward over it in mode M): the workspace value of its graph's
/// root, or, for a layer whose graph is its input (identity) or that ran inside the layer before
/// it, the output of the layer before (which then holds this layer's).
template <std::size_t I, mode M, class Net>
auto output_view(Net const& net, const_matrix_view<value_t<Net>, Net::in_features> x) {
    using root = typename Net::template graph_type<I, M>;
    if constexpr (graph::is_input_v<root> || runs_in_previous<Net, I, M>()) {
        if constexpr (I == 0)
            return x;
        else
            return output_view<I - 1, M>(net, x);
    } else {
        return const_matrix_view<value_t<Net>, root::cols>(
            net.template workspace<I, M>().template value<root>().view());
    }
}

template <std::size_t I, mode M, class Net>
auto input_view(Net const& net, const_matrix_view<value_t<Net>, Net::in_features> x) {
    if constexpr (I == 0)
        return x;
    else
        return output_view<I - 1, M>(net, x);
}

/// Runs the mode-M graphs of layers [0, Count) on x. Changes no state: a training forward is
/// replayed exactly (the same masks) until the step advances. An activation that runs inside
/// the layer before it does so only when it is among the Count.
template <std::size_t Count, mode M, class Net>
void forward_layers(Net const& net, const_matrix_view<value_t<Net>, Net::in_features> x) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using root = typename Net::template graph_type<I, M>;
                auto const run = [&](auto epilogue) {
                    graph::forward(net.template workspace<I, M>(), input_view<I, M>(net, x), net.template layer<I>(),
                                   net.template buffers<I>(), net.random_stream(I), epilogue);
                };
                if constexpr (graph::is_input_v<root> || runs_in_previous<Net, I, M>())
                    return;
                else if constexpr (I + 1 < Count && runs_in_previous<Net, I + 1, M>())
                    run(graph::activation_epilogue<typename Net::template graph_type<I + 1, M>>{});
                else
                    run(gemm::identity{});
            }(),
            ...);
    }(std::make_index_sequence<Count>{});
}

template <class L>
constexpr std::size_t min_training_rows() {
    if constexpr (requires { L::min_training_rows; })
        return L::min_training_rows;
    else
        return 0;
}

/// What a training pass does before its forward: checks that every layer can train on a batch
/// of `rows` (before anything changes), then advances the step, and with it every dropout mask.
template <class Net>
void begin_training_pass(Net& net, std::size_t rows) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                constexpr std::size_t needed = min_training_rows<typename Net::template layer_type<I>>();
                if (rows < needed)
                    throw error("typegrad::nn: layer " + std::to_string(I) + " takes statistics over the rows of a "
                                "training batch and needs at least " + std::to_string(needed) + " rows; this batch has " +
                                std::to_string(rows));
            }(),
            ...);
    }(std::make_index_sequence<Net::size>{});
    net.reseed(net.seed(), net.step() + 1);
}

/// What a training pass does after the forward over layers [0, Count): layers with buffers
/// update them from the training graph's values.
template <std::size_t Count, class Net>
void update_buffers(Net& net, std::size_t rows) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using L = typename Net::template layer_type<I>;
                using buffers = std::remove_reference_t<decltype(net.template buffers<I>())>;
                using workspace = typename Net::template workspace_type<I>;
                if constexpr (requires(buffers& b, workspace& ws, std::size_t n) { L::update_buffers(b, ws, n); })
                    L::update_buffers(net.template buffers<I>(), net.template workspace<I>(), rows);
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

template <class T, std::size_t C>
matrix<T, C> copy_of(const_matrix_view<T, C> v) {
    matrix<T, C> m(v.rows());
    std::copy_n(v.data(), v.size(), m.data());
    return m;
}

}  // namespace detail

/// The network's output for x, as a view into the network's workspace (valid until its next pass).
template <class Net, matrix_like X>
auto forward_view(Net const& net, X const& x) {
    auto const input = detail::network_input<Net>(x);
    detail::forward_layers<Net::size, mode::inference>(net, input);
    return detail::output_view<Net::size - 1, mode::inference>(net, input);
}

/// The network's output for x: a matrix of x.rows() rows and out_features columns.
template <class Net, matrix_like X>
matrix<detail::value_t<Net>, Net::out_features> forward(Net const& net, X const& x) {
    return detail::copy_of(forward_view(net, x));
}

/// One training forward of the network on x, as tg::nn::backprop's: the step advances (new
/// dropout masks), batch_norm normalises with the batch's statistics and updates its running
/// ones. Throws tg::error, changing nothing, if a layer needs more rows than x has.
template <class Net, matrix_like X>
matrix<detail::value_t<Net>, Net::out_features> forward_train(Net& net, X const& x) {
    auto const input = detail::network_input<Net>(x);
    detail::begin_training_pass(net, input.rows());
    detail::forward_layers<Net::size, mode::training>(net, input);
    detail::update_buffers<Net::size>(net, input.rows());
    return detail::copy_of(detail::output_view<Net::size - 1, mode::training>(net, input));
}

}  // namespace typegrad::nn
