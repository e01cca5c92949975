// The 2-3-1 worked example of the backpropagation tutorials (sigmoid hidden and output layers,
// binary cross-entropy), as a user writes it with typegrad (a float network), against the same
// step computed here by hand in double with plain loops: forward, loss, and backward written out
// layer by layer. Every gradient entry and the loss are compared. Also: the same network in float
// and in double (rebind_t) gives the same loss, gradients and outputs within float rounding.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "tutorial_support.hpp"

using namespace tutorial;

TEST_CASE("tutorial 2-3-1: sigmoid layers and binary cross-entropy, by hand", "[nn][tutorial]") {
    using net_t = nn::sequential<nn::dense<2, 3>, nn::sigmoid, nn::dense<3, 1>, nn::sigmoid>;
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 231);
    net.layer<0>().bias(1) = 0.3f;  // biases too take part
    net.layer<2>().bias(0) = -0.2f;
    // The four XOR points.
    tg::matrix<float, 2> x(4);
    tg::matrix<float, 1> y(4);
    float const points[4][3] = {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}};
    for (std::size_t r = 0; r < 4; ++r) x(r, 0) = points[r][0], x(r, 1) = points[r][1], y(r, 0) = points[r][2];

    auto grads = nn::gradients_like(net);
    double const loss = nn::backprop(net, tg::loss::binary_cross_entropy{}, x, y, grads);

    hand_dense l1(2, 3, net.layer<0>()), l2(3, 1, net.layer<2>());
    double hand_loss = 0;
    std::size_t const n = 4;
    for (std::size_t r = 0; r < n; ++r) {
        auto const in = row_of(x, r);
        auto const z1 = l1.forward(in);
        std::vector<double> a1(3);
        for (std::size_t j = 0; j < 3; ++j) a1[j] = sigmoid(z1[j]);
        double const yhat = sigmoid(l2.forward(a1)[0]);
        double const t = static_cast<double>(y(r, 0));
        hand_loss += -(t * std::log(yhat) + (1 - t) * std::log(1 - yhat)) / n;
        // dJ/dz2 = yhat - y (of the mean: / n); dJ/dz1 = (w2^T dJ/dz2) sigma'(z1).
        std::vector<double> const dz2{(yhat - t) / n};
        auto const da1 = l2.backward(a1, dz2);
        std::vector<double> dz1(3);
        for (std::size_t j = 0; j < 3; ++j) dz1[j] = da1[j] * a1[j] * (1 - a1[j]);
        l1.backward(in, dz1);
    }
    CHECK(loss == Approx(hand_loss).epsilon(1e-6));
    compare(grads.layer<0>(), l1, "layer 0");
    compare(grads.layer<2>(), l2, "layer 2");
}

TEST_CASE("the 2-3-1 network in float and in double (rebind_t) agree within float rounding", "[nn][tutorial][float]") {
    using net_f = nn::sequential<nn::dense<2, 3>, nn::sigmoid, nn::dense<3, 1>, nn::sigmoid>;
    using net_d = nn::rebind_t<net_f, double>;
    STATIC_REQUIRE(std::is_same_v<net_d, nn::basic_sequential<double, nn::dense<2, 3>, nn::sigmoid, nn::dense<3, 1>, nn::sigmoid>>);
    net_f nf;
    tg::init::initialize(nf, tg::init::xavier_uniform{}, 50);
    net_d nd;
    nd.assign(nf);  // the same values, exactly
    // 37 rows: the float kernels end in a SIMD tail.
    auto const xf = filled<2>(37, 0.25, 2.0);
    auto const yf = filled<1>(37, 1.25, 0.5, 0.5);
    tg::matrix<double, 2> xd(37);
    tg::matrix<double, 1> yd(37);
    for (std::size_t i = 0; i < xf.size(); ++i) xd.data()[i] = static_cast<double>(xf.data()[i]);
    for (std::size_t i = 0; i < yf.size(); ++i) yd.data()[i] = static_cast<double>(yf.data()[i]);
    auto gf = nn::gradients_like(nf);
    auto gd = nn::gradients_like(nd);
    float const lf = nn::backprop(nf, tg::loss::binary_cross_entropy{}, xf, yf, gf);
    double const ld = nn::backprop(nd, tg::loss::binary_cross_entropy{}, xd, yd, gd);
    CHECK(static_cast<double>(lf) == Approx(ld).epsilon(1e-6));
    std::size_t compared = 0;
    double largest = 0;
    gd.for_each_parameter_pair(gf, [&](std::size_t layer, auto name, auto const& d, auto const& f) {
        for (std::size_t i = 0; i < d.size(); ++i) {
            INFO("layer " << layer << " " << std::string(name) << " entry " << i);
            CHECK(static_cast<double>(f.data()[i]) == Approx(d.data()[i]).epsilon(1e-5).margin(1e-6));
            largest = std::max(largest, std::abs(d.data()[i]));
            ++compared;
        }
    });
    CHECK(compared == 2 * 3 + 3 + 3 * 1 + 1);
    CHECK(largest > 1e-3);  // gradients that are there to compare
    auto const pf = nn::forward(nf, xf);
    auto const pd = nn::forward(nd, xd);
    REQUIRE(pf.rows() == 37);
    for (std::size_t i = 0; i < pd.size(); ++i)
        CHECK(static_cast<double>(pf.data()[i]) == Approx(pd.data()[i]).epsilon(1e-6));
}
