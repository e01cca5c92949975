#pragma once
// What the tutorial tests share: a dense layer computed by hand in double with plain loops
// (forward z = W x + b; backward dW += dz x^T, db += dz, dx = W^T dz), and the comparison of a
// network's float gradients with it. One translation unit per tutorial keeps each one's compile
// time under the sanitizers within budget.

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

namespace tutorial {

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

inline double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

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

}  // namespace tutorial
