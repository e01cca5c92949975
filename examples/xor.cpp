// The backpropagation tutorial's worked case: a 2-3-1 network, sigmoid in the hidden layer and
// at the output, trained with binary cross-entropy. The task is XOR, the smallest one a network
// without a hidden layer cannot learn; all four rows form one batch, and plain gradient descent
// (tg::optim::sgd, momentum 0.9) fits them.
//
// The network ends in tg::nn::sigmoid and is trained with binary_cross_entropy on probabilities,
// as the tutorial writes it; backprop rewrites the pair into bce_with_logits on the sigmoid's
// input, whose gradient is the stable sigmoid(z) - y. tg::nn::forward still gives probabilities.
//
// Exits nonzero unless every one of the four outputs ends on the right side of 0.5.

#include <cstdio>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/optim/sgd.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace tg = typegrad;

using net_t = tg::nn::sequential<tg::nn::dense<2, 3>, tg::nn::sigmoid, tg::nn::dense<3, 1>, tg::nn::sigmoid>;

int main() {
    tg::matrix<float, 2> inputs(4);
    tg::matrix<float, 1> targets(4);
    for (std::size_t r = 0; r < 4; ++r) {
        float const a = float(r >> 1), b = float(r & 1);
        inputs(r, 0) = a;
        inputs(r, 1) = b;
        targets(r, 0) = a != b ? 1.0f : 0.0f;
    }

    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, /*seed=*/1);
    tg::optim::sgd opt{net, {.lr = 0.5f, .momentum = 0.9f}};
    auto const loss = tg::loss::binary_cross_entropy{};
    auto grads = tg::nn::gradients_like(net);

    constexpr int steps = 2000;
    float first = 0, last = 0;
    for (int step = 0; step < steps; ++step) {
        last = tg::nn::backprop(net, loss, inputs, targets, grads);
        opt.step(net, grads);
        if (step == 0) first = last;
        if (step % 250 == 0) std::printf("step %4d  loss %.5f\n", step, last);
    }
    std::printf("loss %.5f -> %.5f after %d steps\n\n a b  target  output\n", first, last, steps);

    auto const outputs = tg::nn::forward(net, inputs);
    int wrong = 0;
    for (std::size_t r = 0; r < 4; ++r) {
        bool const right = (outputs(r, 0) > 0.5f) == (targets(r, 0) > 0.5f);
        wrong += right ? 0 : 1;
        std::printf(" %.0f %.0f  %6.0f  %6.4f%s\n", inputs(r, 0), inputs(r, 1), targets(r, 0), outputs(r, 0),
                    right ? "" : "  <- wrong side of 0.5");
    }
    if (wrong != 0) {
        std::fprintf(stderr, "xor: %d of 4 outputs on the wrong side of 0.5\n", wrong);
        return 1;
    }
    return 0;
}
