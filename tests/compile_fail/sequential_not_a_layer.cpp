// expect: every L must be a layer
// A type that is not a layer in a sequential.
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/sequential.hpp>

namespace tg = typegrad;

struct not_a_layer {};

int main() {
#ifndef TYPEGRAD_MUST_COMPILE
    using net_t = tg::nn::sequential<tg::nn::dense<2, 3>, not_a_layer>;
#else
    using net_t = tg::nn::sequential<tg::nn::dense<2, 3>>;
#endif
    net_t net;
    (void)net;
}
