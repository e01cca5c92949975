// The worked examples of the backpropagation tutorials, as a user writes them with typegrad (float
// networks), against the same step computed here by hand in double with plain loops: forward,
// loss, and backward written out layer by layer. Every gradient entry and the loss are compared.
//   2-3-1, sigmoid hidden and output, binary cross-entropy
//   10-20-1, ReLU hidden, linear output, mean squared error
//   784-10-10, ReLU hidden, softmax output, categorical cross-entropy with one-hot targets

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/nn/softmax.hpp>

namespace tg = typegrad;
namespace nn = tg::nn;

namespace {

// One dense layer in double, copied from the network: w[o * in + i], b[o].
struct hand_dense {
    std::size_t in, out;
    std::vector<double> w, b, dw, db;

    template <class Values>
    hand_dense(std::size_t in_, std::size_t out_, Values const& values)
        : in(in_), out(out_), w(in_ * out_), b(out_), dw(in_ * out_), db(out_) {
        for (std::size_t o = 0; o < out; ++o) {
            for (std::size_t i = 0; i < in; ++i) w[o * in + i] = static_cast<double>(values.weight(o, i));
            b[o] = static_cast<double>(values.bias(o));
        }
    }
    // z = W x + b for one sample.
    std::vector<double> forward(std::vector<double> const& x) const {
        std::vector<double> z(out);
        for (std::size_t o = 0; o < out; ++o) {
            double s = b[o];
            for (std::size_t i = 0; i < in; ++i) s += w[o * in + i] * x[i];
            z[o] = s;
        }
        return z;
    }
    // Accumulates dW += dz x^T, db += dz; returns dx = W^T dz.
    std::vector<double> backward(std::vector<double> const& x, std::vector<double> const& dz) {
        std::vector<double> dx(in);
        for (std::size_t o = 0; o < out; ++o) {
            db[o] += dz[o];
            for (std::size_t i = 0; i < in; ++i) {
                dw[o * in + i] += dz[o] * x[i];
                dx[i] += w[o * in + i] * dz[o];
            }
        }
        return dx;
    }
};

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

// Every entry of a float gradient against the hand computation. Float rounding over sums of up
// to 784 terms: a relative 1e-5, and 1e-6 absolute for entries that nearly cancel.
template <class Grads>
void compare(Grads const& grads, hand_dense const& hand, std::string const& layer) {
    std::size_t bad = 0;
    std::ostringstream first;
    auto const check = [&](double got, double want, std::string const& what) {
        if (std::abs(got - want) <= 1e-5 * std::abs(want) + 1e-6) return;
        if (bad++ == 0) first << layer << " " << what << ": typegrad " << got << ", by hand " << want;
    };
    double largest = 0;
    for (std::size_t o = 0; o < hand.out; ++o) {
        for (std::size_t i = 0; i < hand.in; ++i) {
            check(static_cast<double>(grads.weight(o, i)), hand.dw[o * hand.in + i],
                  "weight[" + std::to_string(o) + ", " + std::to_string(i) + "]");
            largest = std::max(largest, std::abs(hand.dw[o * hand.in + i]));
        }
        check(static_cast<double>(grads.bias(o)), hand.db[o], "bias[" + std::to_string(o) + "]");
        largest = std::max(largest, std::abs(hand.db[o]));
    }
    INFO(first.str());
    CHECK(bad == 0);
    CHECK(largest > 1e-4);  // gradients that are there to compare
}

template <std::size_t C>
tg::matrix<float, C> filled(std::size_t rows, double phase, double amplitude, double offset = 0) {
    tg::matrix<float, C> m(rows);
    for (std::size_t i = 0; i < m.size(); ++i)
        m.data()[i] = static_cast<float>(offset + amplitude * std::sin(2.3 * static_cast<double>(i) + phase));
    return m;
}

template <std::size_t C>
std::vector<double> row_of(tg::matrix<float, C> const& m, std::size_t r) {
    std::vector<double> v(C);
    for (std::size_t c = 0; c < C; ++c) v[c] = static_cast<double>(m(r, c));
    return v;
}

}  // namespace

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
