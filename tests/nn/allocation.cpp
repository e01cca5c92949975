// A training step allocates nothing once the network has seen a batch of its size: counted by
// replacing every global operator new in this program.

#include <catch2/catch.hpp>

#include <vector>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/batch_norm.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/dropout.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/softmax.hpp>

#include "../support/count_allocations.hpp"

namespace tg = typegrad;

namespace {

struct gated {  // reads its input twice, so its backward adds two GEMM results (scratch space)
    static constexpr std::size_t in_features = 6, out_features = 5;
    using w1 = tg::nn::graph::param<"W1", 5, 6>;
    using w2 = tg::nn::graph::param<"W2", 5, 6>;
    using parameters = tg::nn::parameter_list<w1, w2>;
    static constexpr auto forward(tg::nn::graph::input<6> x) { return sigmoid(x * transpose(w1{})) * (x * transpose(w2{})); }
};

template <class Net, class Loss, class Targets>
long allocations_per_step(Net& net, Loss loss, tg::matrix<float, Net::in_features> const& x, Targets const& targets) {
    auto grads = tg::nn::gradients_like(net);
    tg::nn::backprop(net, loss, x, targets, grads);  // warm: the workspace is sized here
    long const before = typegrad_test::allocations();
    for (int step = 0; step < 5; ++step) tg::nn::backprop(net, loss, x, targets, grads);
    return typegrad_test::allocations() - before;
}

}  // namespace

TEST_CASE("a warm training step allocates nothing", "[nn][allocation]") {
    using net_t = tg::nn::sequential<tg::nn::dense<784, 64>, tg::nn::relu, tg::nn::dense<64, 10>>;
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 1);
    tg::matrix<float, 784> x(32);
    std::vector<int> labels(32, 7);
    CHECK(allocations_per_step(net, tg::loss::softmax_cross_entropy{}, x, labels) == 0);
}

TEST_CASE("training and inference with dropout and batch_norm allocate nothing once warm", "[nn][allocation]") {
    // Two graphs per regularising layer (and a workspace each), masks drawn and running
    // statistics updated every step.
    using net_t = tg::nn::sequential<tg::nn::dense<20, 16>, tg::nn::batch_norm<16>, tg::nn::relu,
                                     tg::nn::dropout<0.5>, tg::nn::dense<16, 4>>;
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 3);
    tg::matrix<float, 20> x(32);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 7) - 3.0f;
    std::vector<int> labels(32, 2);
    auto grads = tg::nn::gradients_like(net);
    tg::nn::backprop(net, tg::loss::softmax_cross_entropy{}, x, labels, grads);
    (void)tg::nn::forward_view(net, x);
    long const before = typegrad_test::allocations();
    for (int step = 0; step < 5; ++step) {
        tg::nn::backprop(net, tg::loss::softmax_cross_entropy{}, x, labels, grads);
        (void)tg::nn::forward_view(net, x);
    }
    CHECK(typegrad_test::allocations() - before == 0);
    CHECK(net.buffers<1>().get<"num_batches_tracked">() == 6);  // the steps did run
}

TEST_CASE("a smaller batch after a larger one allocates nothing", "[nn][allocation]") {
    using net_t = tg::nn::sequential<tg::nn::dense<6, 6>, tg::nn::tanh, gated, tg::nn::softmax>;
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 2);
    auto grads = tg::nn::gradients_like(net);
    tg::matrix<float, 6> big(37), small(3);
    tg::matrix<float, 5> big_targets(37), small_targets(3);
    tg::nn::backprop(net, tg::loss::mse{}, big, big_targets, grads);
    long const before = typegrad_test::allocations();
    tg::nn::backprop(net, tg::loss::mse{}, small, small_targets, grads);
    tg::nn::backprop(net, tg::loss::mse{}, big, big_targets, grads);
    auto const out = tg::nn::forward_view(net, small);
    CHECK(typegrad_test::allocations() - before == 0);
    CHECK(out.rows() == 3);
}

TEST_CASE("the counter counts", "[nn][allocation]") {
    long const before = typegrad_test::allocations();
    auto* p = new tg::matrix<float, 4>(3);  // the object and its aligned storage
    delete p;
    CHECK(typegrad_test::allocations() - before == 2);
}
