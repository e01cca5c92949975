// The 10-20-1 worked example of the backpropagation tutorials (ReLU hidden layer, linear output,
// mean squared error), as a user writes it with typegrad (a float network), against the same
// step computed here by hand in double with plain loops. Every gradient entry and the loss are
// compared.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include "tutorial_support.hpp"

using namespace tutorial;

TEST_CASE("tutorial 10-20-1: ReLU and mean squared error, by hand", "[nn][tutorial]") {
    using net_t = nn::sequential<nn::dense<10, 20>, nn::relu, nn::dense<20, 1>>;
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 10201);
    for (std::size_t j = 0; j < 20; ++j) net.layer<0>().bias(j) = 0.05f * static_cast<float>(j % 5) - 0.1f;
    std::size_t const n = 8;
    auto const x = filled<10>(n, 0.3, 1.0);
    auto const y = filled<1>(n, 1.1, 0.8);

    auto grads = nn::gradients_like(net);
    double const loss = nn::backprop(net, tg::loss::mse{}, x, y, grads);

    hand_dense l1(10, 20, net.layer<0>()), l2(20, 1, net.layer<2>());
    double hand_loss = 0;
    std::size_t active = 0;
    for (std::size_t r = 0; r < n; ++r) {
        auto const in = row_of(x, r);
        auto const z1 = l1.forward(in);
        std::vector<double> a1(20);
        for (std::size_t j = 0; j < 20; ++j) {
            a1[j] = z1[j] > 0 ? z1[j] : 0;
            active += z1[j] > 0 ? 1 : 0;
        }
        double const e = l2.forward(a1)[0] - static_cast<double>(y(r, 0));
        hand_loss += e * e / n;
        std::vector<double> const dz2{2 * e / n};  // d/dyhat of the mean of (yhat - y)^2
        auto const da1 = l2.backward(a1, dz2);
        std::vector<double> dz1(20);
        for (std::size_t j = 0; j < 20; ++j) dz1[j] = z1[j] > 0 ? da1[j] : 0;
        l1.backward(in, dz1);
    }
    CHECK(active > 20);       // ReLU's two sides are both exercised
    CHECK(active < 20 * n);
    CHECK(loss == Approx(hand_loss).epsilon(1e-6));
    compare(grads.layer<0>(), l1, "layer 0");
    compare(grads.layer<2>(), l2, "layer 2");
}
