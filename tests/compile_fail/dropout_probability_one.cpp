// expect: dropout<P>: P is the probability of dropping each value, so it must satisfy 0 <= P < 1
// dropout<1.0> would drop every value and scale what is left by 1 / 0.
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/dropout.hpp>
#include <typegrad/nn/sequential.hpp>

namespace tg = typegrad;

int main() {
#ifndef TYPEGRAD_MUST_COMPILE
    using net_t = tg::nn::sequential<tg::nn::dense<2, 3>, tg::nn::dropout<1.0>>;
#else
    using net_t = tg::nn::sequential<tg::nn::dense<2, 3>, tg::nn::dropout<0.5>>;
#endif
    net_t net;
    (void)net;
}
