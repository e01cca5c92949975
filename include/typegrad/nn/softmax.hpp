#pragma once
// softmax: each row mapped to probabilities, exp(x - max) / sum. For training with
// cross-entropy, end the network with logits and use tg::loss::softmax_cross_entropy; a network
// ending in softmax trained with tg::loss::cross_entropy is rewritten to it (see nn/backprop.hpp).

#include <cstddef>

#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/graph/node.hpp>

namespace typegrad::nn {

struct softmax {
    static constexpr bool any_width = true;

    template <std::size_t W>
    static constexpr auto forward(graph::input<W> x) noexcept {
        return graph::softmax(x);
    }
};

}  // namespace typegrad::nn
