#pragma once
// tg::nn::backprop(net, loss, x, targets, grads): one training step's forward and backward pass.
// Fills grads with dLoss/dParam of the mean loss over the rows and returns that loss. Once the
// network's workspace has seen a batch this large, it allocates nothing. The pass is in training
// mode (see nn/forward.hpp's forward_train): the step advances, so dropout draws new masks, and
// batch_norm uses the batch's statistics and updates its running ones.
//
// Rewrites on types: a network ending in tg::nn::sigmoid trained with binary_cross_entropy is
// trained as bce_with_logits on the sigmoid's input, and one ending in tg::nn::softmax trained
// with cross_entropy as softmax_cross_entropy on the softmax's input. Same loss, but the
// gradient is the cheap and stable sigmoid(z) - y (or softmax(z) - y), and the last layer is
// not even computed. (fused_loss_t names the rewrite; tests check it.)

#include <cstddef>
#include <type_traits>
#include <utility>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/graph/evaluate.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/nn/softmax.hpp>

namespace typegrad::nn {

namespace detail {

template <class Last, class Loss>
struct fused_loss {
    using type = void;
};
template <>
struct fused_loss<nn::sigmoid, loss::binary_cross_entropy> {
    using type = loss::bce_with_logits;
};
template <>
struct fused_loss<nn::softmax, loss::cross_entropy> {
    using type = loss::softmax_cross_entropy;
};

/// Where the gradient of layer I's output lives during the backward.
template <std::size_t I, class Net>
auto gradient_target(Net const& net) {
    using root = typename Net::template graph_type<I>;
    if constexpr (graph::is_input_v<root>) {
        static_assert(I > 0);
        return gradient_target<I - 1>(net);
    } else {
        return net.template workspace<I>().template gradient<root>().view();
    }
}

}  // namespace detail

/// The loss a network ending in layer Last is trained with instead of Loss, on Last's input; void
/// when there is no rewrite.
template <class Last, class Loss>
using fused_loss_t = typename detail::fused_loss<Last, Loss>::type;

namespace detail {

template <class Net, class Loss>
using training_loss_t = std::conditional_t<std::is_void_v<fused_loss_t<typename Net::template layer_type<Net::size - 1>, Loss>>,
                                           Loss, fused_loss_t<typename Net::template layer_type<Net::size - 1>, Loss>>;

/// How many layers a training pass computes: all, or all but the last when the loss takes
/// over the last layer's work.
template <class Net, class Loss>
inline constexpr std::size_t trained_layers_v =
    Net::size - (std::is_void_v<fused_loss_t<typename Net::template layer_type<Net::size - 1>, Loss>> ? 0 : 1);

/// The mean loss of the network on (x, targets), computed the way training computes it, with the
/// mode-M graphs. Changes no state: in training mode it replays the current step (the same
/// dropout masks as the last backprop) and leaves running statistics alone.
template <mode M, class T, class... L, class Loss, class Targets>
T loss_value(basic_sequential<T, L...> const& net, Loss const& loss,
             const_matrix_view<T, basic_sequential<T, L...>::in_features> input, Targets const& targets) {
    using net_t = basic_sequential<T, L...>;
    constexpr std::size_t count = trained_layers_v<net_t, Loss>;
    forward_layers<count, M>(net, input);
    auto const out = output_view<count - 1, M>(net, input);
    using out_view = matrix_view<T, decltype(out)::cols>;
    if constexpr (count == net_t::size)
        return loss.evaluate(out, targets, out_view{});
    else
        return training_loss_t<net_t, Loss>{}.evaluate(out, targets, out_view{});
}

/// backprop; with InputGradient, also writes dLoss/dx into dx.
template <bool InputGradient, class T, class... L, class Loss, class Targets>
T backprop_into(basic_sequential<T, L...>& net, Loss const& loss,
                const_matrix_view<T, basic_sequential<T, L...>::in_features> input, Targets const& targets,
                parameter_set<T, L...>& grads, matrix_view<T, basic_sequential<T, L...>::in_features> dx_input) {
    using net_t = basic_sequential<T, L...>;
    constexpr std::size_t count = trained_layers_v<net_t, Loss>;

    begin_training_pass(net, input.rows());
    forward_layers<count, mode::training>(net, input);
    update_buffers<count>(net, input.rows());
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (net.template workspace<I>().resize_gradients(input.rows()), ...);
    }(std::make_index_sequence<count>{});
    grads.zero();

    auto const out = output_view<count - 1, mode::training>(net, input);
    auto const d_out = gradient_target<count - 1>(net);
    T const mean_loss = [&] {
        if constexpr (count == net_t::size)
            return loss.evaluate(out, targets, d_out);
        else
            return training_loss_t<net_t, Loss>{}.evaluate(out, targets, d_out);
    }();

    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                constexpr std::size_t layer = count - 1 - I;
                using root = typename net_t::template graph_type<layer>;
                if constexpr (runs_in_previous<net_t, layer, mode::training>()) {
                    graph::backward_activation<root>(output_view<layer, mode::training>(net, input),
                                                     const_matrix_view<T, root::cols>(gradient_target<layer>(net)),
                                                     gradient_target<layer - 1>(net));
                } else if constexpr (!graph::is_input_v<root>) {
                    constexpr std::size_t in = net_t::widths[layer];
                    matrix_view<T, in> dx{};
                    if constexpr (layer > 0)
                        dx = gradient_target<layer - 1>(net);
                    else
                        dx = dx_input;
                    graph::backward<(layer > 0 || InputGradient)>(
                        net.template workspace<layer>(), input_view<layer, mode::training>(net, input),
                        net.template layer<layer>(), net.template buffers<layer>(), dx, grads.template layer<layer>());
                }
            }(),
            ...);
    }(std::make_index_sequence<count>{});
    return mean_loss;
}

}  // namespace detail

/// One training pass over (x, targets): grads receives dLoss/dParam; returns the mean loss.
template <class T, class... L, class Loss, matrix_like X, class Targets>
T backprop(basic_sequential<T, L...>& net, Loss const& loss, X const& x, Targets const& targets,
           parameter_set<T, L...>& grads) {
    using net_t = basic_sequential<T, L...>;
    return detail::backprop_into<false>(net, loss, detail::network_input<net_t>(x), targets, grads,
                                        matrix_view<T, net_t::in_features>{});
}

}  // namespace typegrad::nn
