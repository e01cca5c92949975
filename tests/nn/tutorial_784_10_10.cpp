// The 784-10-10 worked example of the backpropagation tutorials (ReLU hidden layer, softmax
// output, categorical cross-entropy with one-hot targets, as Keras' CategoricalCrossentropy), on a
// few rows of generated pixels rather than the data set, as a user writes it with typegrad (a
// float network), against the same step computed here by hand in double with plain loops. Every
// gradient entry and the loss are compared.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include "tutorial_support.hpp"

using namespace tutorial;

TEST_CASE("tutorial 784-10-10: ReLU, softmax and categorical cross-entropy, by hand", "[nn][tutorial]") {
    using net_t = nn::sequential<nn::dense<784, 10>, nn::relu, nn::dense<10, 10>, nn::softmax>;
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 784);
    std::size_t const n = 6;
    auto const x = filled<784>(n, 0.7, 0.5, 0.5);  // pixels in [0, 1]
    tg::matrix<float, 10> y(n);                     // one-hot, as Keras' CategoricalCrossentropy
    for (std::size_t r = 0; r < n; ++r) y(r, (r * 3 + 1) % 10) = 1;

    auto grads = nn::gradients_like(net);
    double const loss = nn::backprop(net, tg::loss::cross_entropy{}, x, y, grads);

    hand_dense l1(784, 10, net.layer<0>()), l2(10, 10, net.layer<2>());
    double hand_loss = 0;
    for (std::size_t r = 0; r < n; ++r) {
        auto const in = row_of(x, r);
        auto const z1 = l1.forward(in);
        std::vector<double> a1(10);
        for (std::size_t j = 0; j < 10; ++j) a1[j] = z1[j] > 0 ? z1[j] : 0;
        auto const z2 = l2.forward(a1);
        double sum = 0;
        for (double v : z2) sum += std::exp(v);
        std::vector<double> p(10), dz2(10);
        for (std::size_t k = 0; k < 10; ++k) {
            p[k] = std::exp(z2[k]) / sum;
            double const t = static_cast<double>(y(r, k));
            hand_loss -= t * std::log(p[k]) / n;
            dz2[k] = (p[k] - t) / n;  // softmax then cross-entropy: p - y
        }
        auto const da1 = l2.backward(a1, dz2);
        std::vector<double> dz1(10);
        for (std::size_t j = 0; j < 10; ++j) dz1[j] = z1[j] > 0 ? da1[j] : 0;
        l1.backward(in, dz1);
    }
    CHECK(loss == Approx(hand_loss).epsilon(1e-6));
    compare(grads.layer<0>(), l1, "layer 0");
    compare(grads.layer<2>(), l2, "layer 2");
}
