#pragma once
// A one-neuron network and a convex problem for the optimiser tests.

#include <array>
#include <cmath>
#include <random>

#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/loss/mse.hpp>

namespace tg = typegrad;

using neuron_t = tg::nn::basic_sequential<double, tg::nn::dense<2, 1>>;

/// Parameters w0, w1, b of the neuron, in that order.
inline std::array<double, 3> parameters_of(neuron_t const& net) {
    return {net.layer<0>().weight(0, 0), net.layer<0>().weight(0, 1), net.layer<0>().bias(0)};
}

inline void set_parameters(neuron_t& net, std::array<double, 3> p) {
    net.layer<0>().weight(0, 0) = p[0];
    net.layer<0>().weight(0, 1) = p[1];
    net.layer<0>().bias(0) = p[2];
}

inline void set_gradients(tg::nn::parameter_set<double, tg::nn::dense<2, 1>>& grads, std::array<double, 3> g) {
    grads.layer<0>().weight(0, 0) = g[0];
    grads.layer<0>().weight(0, 1) = g[1];
    grads.layer<0>().bias(0) = g[2];
}

/// A least-squares problem y = 2 x0 - 3 x1 + 0.5, exactly solvable: the loss must go to ~0.
struct regression {
    tg::matrix<double, 2> x{64};
    tg::matrix<double, 1> y{64};
    regression() {
        std::mt19937_64 engine(5);
        std::uniform_real_distribution<double> u(-1, 1);
        for (std::size_t r = 0; r < 64; ++r) {
            x(r, 0) = u(engine);
            x(r, 1) = u(engine);
            y(r, 0) = 2 * x(r, 0) - 3 * x(r, 1) + 0.5;
        }
    }
};

/// Runs `steps` full-batch steps of `opt` on the regression; returns the final loss.
template <class Optimizer>
double train(neuron_t& net, Optimizer& opt, int steps) {
    regression data;
    auto grads = tg::nn::gradients_like(net);
    for (int i = 0; i < steps; ++i) {
        tg::nn::backprop(net, tg::loss::mse{}, data.x, data.y, grads);
        opt.step(net, grads);
    }
    return tg::nn::backprop(net, tg::loss::mse{}, data.x, data.y, grads);
}
