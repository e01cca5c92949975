#pragma once
// dropout<P>: while training, each value is zeroed with probability P and the others are scaled
// by 1 / (1 - P) ("inverted" dropout), so that a value's expected output is itself and inference
// needs no rescaling; for inference (tg::nn::forward) the layer passes its input through.
//
// The mask is a graph leaf (graph::random_mask), so the backward is derived like any other:
// dx = g * mask. Masks are reproducible and allocate nothing: element i of layer I's mask at
// training step s is a hash of (seed, s, I, i) (graph/random.hpp). tg::init::initialize(net,
// scheme, seed) or net.reseed(seed) sets the seed; each training pass (tg::nn::backprop,
// tg::nn::forward_train) advances the step by one, so every step draws a new mask, and
// tg::check::gradcheck holds the step still to difference the loss under the mask it checks.
//
// The other regularisers: batch_norm (nn/batch_norm.hpp), and L2 through the optimisers'
// weight_decay (tg::optim::sgd, adam: added to the gradient; adamw: decoupled).

#include <cstddef>

#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/graph/node.hpp>

namespace typegrad::nn {

template <double P>
struct dropout {
    static_assert(P >= 0.0 && P < 1.0,
                  "typegrad::nn::dropout<P>: P is the probability of dropping each value, so it must satisfy "
                  "0 <= P < 1 (P = 1 would drop everything and scale what is left by 1 / 0)");
    static constexpr double probability = P;
    static constexpr bool any_width = true;

    template <std::size_t W>
    static constexpr auto forward(graph::input<W> x) noexcept {
        return x;
    }
    template <std::size_t W>
    static constexpr auto training_forward(graph::input<W> x) noexcept {
        if constexpr (P == 0.0 || !(P < 1.0))  // (P >= 1 has been reported above)
            return x;
        else
            return x * graph::random_mask<P, W>{};
    }
};

}  // namespace typegrad::nn
