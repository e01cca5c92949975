#pragma once
// What a layer is. A layer declares its parameters (graph::param types) and writes its forward
// as a graph expression of its input and those parameters; it never writes a backward.
//
//   struct gated {                                  // a user's layer
//       static constexpr std::size_t in_features = 8, out_features = 4;
//       using w1 = tg::nn::graph::param<"W1", 4, 8>;
//       using w2 = tg::nn::graph::param<"W2", 4, 8>;
//       using parameters = tg::nn::parameter_list<w1, w2>;
//       static constexpr auto forward(tg::nn::graph::input<8> x) {
//           return sigmoid(x * transpose(w1{})) * (x * transpose(w2{}));
//       }
//   };
//
// A layer of any width (an activation, softmax) says `static constexpr bool any_width = true;`
// and writes forward as a template over graph::input<W>; sequential gives it the width of the
// layer before it.
//
// A layer that behaves differently while training (dropout, batch_norm) also writes
//   static constexpr auto training_forward(graph::input<W> x);
// the graph backprop computes and differentiates; forward is then what inference computes. It
// may declare, all optional:
//   using buffers = tg::nn::buffer_list<...>;   state it updates but does not learn (buffers.hpp)
//   static void update_buffers(Buffers& b, Workspace& ws, std::size_t rows);
//                                              called after each training forward, with its
//                                              buffers and the training graph's workspace
//   static constexpr std::size_t min_training_rows = 2;   fewer rows in a training batch are an error
//   template <class P> static constexpr double initial_value();
//                                              the value tg::init gives each parameter P, whatever
//                                              the scheme (batch_norm's scale starts at 1)
// There is no mode flag to forget: tg::nn::forward runs the inference graphs, tg::nn::backprop
// (and tg::nn::forward_train) the training graphs.

#include <concepts>
#include <cstddef>
#include <type_traits>

#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/plan.hpp>
#include <typegrad/nn/parameters.hpp>

namespace typegrad::nn {

namespace detail {

template <class L>
concept any_width_layer = requires {
    requires L::any_width == true;
};

template <class L>
concept fixed_width_layer = requires {
    { L::in_features } -> std::convertible_to<std::size_t>;
    { L::out_features } -> std::convertible_to<std::size_t>;
};

// The width the forward is instantiated at to check a layer of any width.
inline constexpr std::size_t probe_width = 2;

template <class L>
constexpr std::size_t own_width() {
    if constexpr (fixed_width_layer<L>)
        return L::in_features;
    else
        return probe_width;
}

}  // namespace detail

/// A layer: fixed or any width, its parameters, and a forward that is a graph expression.
template <class L>
concept layer = (detail::fixed_width_layer<L> || detail::any_width_layer<L>) && requires {
    { L::forward(graph::input<detail::own_width<L>()>{}) } -> graph::tensor_expression;
};

/// Which of a layer's graphs a pass computes: inference (forward) or training (training_forward
/// when the layer has one, forward otherwise).
enum class mode { inference, training };

namespace detail {
template <class L, std::size_t Width, mode M>
constexpr auto graph_of() {
    if constexpr (M == mode::training && requires { L::training_forward(graph::input<Width>{}); })
        return L::training_forward(graph::input<Width>{});
    else
        return L::forward(graph::input<Width>{});
}
}  // namespace detail

/// The graph of layer L reading an input of `Width` columns: by default the one training
/// computes and differentiates.
template <class L, std::size_t Width, mode M = mode::training>
using graph_t = decltype(detail::graph_of<L, Width, M>());

/// The number of outputs of layer L given `Width` inputs.
template <class L, std::size_t Width>
inline constexpr std::size_t out_features_v = graph_t<L, Width>::cols;

namespace detail {

// The error names the parameter and the layer in the line above the message:
//   In instantiation of 'struct ...::parameter_does_not_reach_the_output<param<"W2", 4, 8>, gated>'
template <class P, class L>
struct parameter_does_not_reach_the_output {
    static_assert(sizeof(P) == 0,
                  "typegrad::nn: a layer declares a parameter that its forward expression never uses, so "
                  "it could never learn; remove it or use it (the parameter and the layer are named above)");
};

template <class L, std::size_t Width, class... Ps>
constexpr bool check_parameters_used(parameter_list<Ps...>) {
    using order = graph::order_t<graph_t<L, Width>>;
    (
        [] {
            if constexpr (!graph::detail::contains<Ps>(order{})) parameter_does_not_reach_the_output<Ps, L>{};
        }(),
        ...);
    return true;
}

template <class L, std::size_t Width>
constexpr bool check_graphs() {
    using training = graph_t<L, Width, mode::training>;
    using inference = graph_t<L, Width, mode::inference>;
    static_assert(graph::tensor_expression<training>,
                  "typegrad::nn: a layer's training_forward must return a graph expression with one row per "
                  "sample, as forward does");
    if constexpr (graph::tensor_expression<training>)
        static_assert(training::cols == inference::cols,
                      "typegrad::nn: a layer's training_forward and forward must have the same number of outputs");
    return true;
}

}  // namespace detail

/// Compile-time checks of a layer at a width; used by sequential for every layer it holds.
template <class L, std::size_t Width>
inline constexpr bool layer_checked_v =
    detail::check_graphs<L, Width>() && detail::check_parameters_used<L, Width>(parameters_t<L>{});

}  // namespace typegrad::nn
