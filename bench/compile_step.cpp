// One translation unit holding the whole 784-256-128-10 training step: the network type, He
// initialisation, forward, softmax cross-entropy on class labels, backward and an Adam update.
// It is what scripts/compile_time.sh times (issue 4's target: under 10 s; a libtorch or Eigen
// version of the same program takes about 20 s here). Built with the benchmarks so that it
// cannot rot; running it trains one step on constant inputs and fails on a non-finite loss.

#include <cmath>
#include <vector>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/optim/adam.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace tg = typegrad;

using net_t = tg::nn::sequential<tg::nn::dense<784, 256>, tg::nn::relu, tg::nn::dense<256, 128>, tg::nn::relu,
                                 tg::nn::dense<128, 10>>;

int main() {
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 1);
    auto grads = tg::nn::gradients_like(net);
    tg::optim::adam opt{net, {}};
    tg::matrix<float, 784> x(64);
    x.fill(0.5f);
    std::vector<int> labels(64);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>(i % 10);
    float const loss = tg::nn::backprop(net, tg::loss::softmax_cross_entropy{}, x, labels, grads);
    opt.step(net, grads);
    return std::isfinite(loss) ? 0 : 1;
}
