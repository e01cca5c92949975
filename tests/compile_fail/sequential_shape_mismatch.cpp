// expect: in_features differ from the out_features of the layer before it
// expect-context: layer_at_position<2>::expects_inputs<4>::but_layer_at_position<1>::produces_outputs<3>
// A dense layer after a width-3 activation that expects 4 inputs.
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/sequential.hpp>

namespace tg = typegrad;

int main() {
#ifndef TYPEGRAD_MUST_COMPILE
    using net_t = tg::nn::sequential<tg::nn::dense<2, 3>, tg::nn::relu, tg::nn::dense<4, 1>>;
#else
    using net_t = tg::nn::sequential<tg::nn::dense<2, 3>, tg::nn::relu, tg::nn::dense<3, 1>>;
#endif
    net_t net;
    (void)net;
}
