#pragma once
// tg::nn::gradients_like(net): zeroed storage with one matrix per parameter of the network, in its
// layout: grads.layer<I>().weight(o, i) is dLoss/dW(o, i) after a backprop.

#include <typegrad/nn/sequential.hpp>

namespace typegrad::nn {

template <class T, class... L>
parameter_set<T, L...> gradients_like(basic_sequential<T, L...> const&) {
    return {};
}

}  // namespace typegrad::nn
