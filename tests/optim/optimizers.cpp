// Every update rule against steps computed by hand, and every optimiser converging on a convex
// problem. Hand values follow PyTorch's documented update rules.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include <typegrad/optim/adagrad.hpp>
#include <typegrad/optim/adam.hpp>
#include <typegrad/optim/rmsprop.hpp>
#include <typegrad/optim/sgd.hpp>
#include <typegrad/parallel/threads.hpp>

#include "helpers.hpp"

namespace {
constexpr std::array<double, 3> theta0{0.5, -1.0, 2.0};
constexpr std::array<double, 3> g1{0.2, -0.4, 1.0};
constexpr std::array<double, 3> g2{-0.1, 0.3, 0.5};

// Two steps with gradients g1 then g2; returns the parameters after them.
template <class Optimizer>
std::array<double, 3> two_steps(neuron_t& net, Optimizer& opt) {
    auto grads = tg::nn::gradients_like(net);
    set_gradients(grads, g1);
    opt.step(net, grads);
    set_gradients(grads, g2);
    opt.step(net, grads);
    return parameters_of(net);
}
}  // namespace

TEST_CASE("sgd: plain, momentum, nesterov and weight decay by hand", "[optim][sgd]") {
    SECTION("plain") {
        neuron_t net;
        set_parameters(net, theta0);
        tg::optim::sgd opt{net, {.lr = 0.1}};
        auto const p = two_steps(net, opt);
        for (int i = 0; i < 3; ++i) CHECK(p[i] == Approx(theta0[i] - 0.1 * g1[i] - 0.1 * g2[i]).epsilon(1e-15));
    }
    SECTION("momentum with weight decay") {
        neuron_t net;
        set_parameters(net, theta0);
        tg::optim::sgd opt{net, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01}};
        auto const p = two_steps(net, opt);
        for (int i = 0; i < 3; ++i) {
            double const d1 = g1[i] + 0.01 * theta0[i], v1 = d1, t1 = theta0[i] - 0.1 * v1;
            double const d2 = g2[i] + 0.01 * t1, v2 = 0.9 * v1 + d2, t2 = t1 - 0.1 * v2;
            CHECK(p[i] == Approx(t2).epsilon(1e-15));
        }
    }
    SECTION("nesterov") {
        neuron_t net;
        set_parameters(net, theta0);
        tg::optim::sgd opt{net, {.lr = 0.1, .momentum = 0.9, .nesterov = true}};
        auto const p = two_steps(net, opt);
        for (int i = 0; i < 3; ++i) {
            double const v1 = g1[i], t1 = theta0[i] - 0.1 * (g1[i] + 0.9 * v1);
            double const v2 = 0.9 * v1 + g2[i], t2 = t1 - 0.1 * (g2[i] + 0.9 * v2);
            CHECK(p[i] == Approx(t2).epsilon(1e-15));
        }
    }
}

TEST_CASE("adam and adamw by hand", "[optim][adam]") {
    auto expected = [](bool decoupled, double wd) {
        std::array<double, 3> out{};
        for (int i = 0; i < 3; ++i) {
            double theta = theta0[i], m = 0, v = 0;
            double const gs[2] = {g1[i], g2[i]};
            for (int t = 1; t <= 2; ++t) {
                double g = gs[t - 1];
                if (decoupled) theta -= 0.01 * wd * theta;
                else g += wd * theta;
                m = 0.9 * m + 0.1 * g;
                v = 0.999 * v + 0.001 * g * g;
                double const mhat = m / (1 - std::pow(0.9, t)), vhat = v / (1 - std::pow(0.999, t));
                theta -= 0.01 * mhat / (std::sqrt(vhat) + 1e-8);
            }
            out[i] = theta;
        }
        return out;
    };
    SECTION("adam with L2 decay") {
        neuron_t net;
        set_parameters(net, theta0);
        tg::optim::adam opt{net, {.lr = 0.01, .weight_decay = 0.1}};
        auto const p = two_steps(net, opt);
        auto const e = expected(false, 0.1);
        for (int i = 0; i < 3; ++i) CHECK(p[i] == Approx(e[i]).epsilon(1e-12));
        CHECK(opt.steps() == 2);
    }
    SECTION("adamw with decoupled decay") {
        neuron_t net;
        set_parameters(net, theta0);
        tg::optim::adamw opt{net, {.lr = 0.01, .weight_decay = 0.1}};
        auto const p = two_steps(net, opt);
        auto const e = expected(true, 0.1);
        for (int i = 0; i < 3; ++i) CHECK(p[i] == Approx(e[i]).epsilon(1e-12));
        // the two decays differ: decoupling is not a no-op
        CHECK(e[0] != Approx(expected(false, 0.1)[0]).epsilon(1e-9));
    }
}

TEST_CASE("rmsprop and adagrad by hand", "[optim][rmsprop][adagrad]") {
    SECTION("rmsprop") {
        neuron_t net;
        set_parameters(net, theta0);
        tg::optim::rmsprop opt{net, {.lr = 0.01}};
        auto const p = two_steps(net, opt);
        for (int i = 0; i < 3; ++i) {
            double s = 0.01 * g1[i] * g1[i];
            double t = theta0[i] - 0.01 * g1[i] / (std::sqrt(s) + 1e-8);
            s = 0.99 * s + 0.01 * g2[i] * g2[i];
            t -= 0.01 * g2[i] / (std::sqrt(s) + 1e-8);
            CHECK(p[i] == Approx(t).epsilon(1e-13));
        }
    }
    SECTION("adagrad") {
        neuron_t net;
        set_parameters(net, theta0);
        tg::optim::adagrad opt{net, {.lr = 0.1}};
        auto const p = two_steps(net, opt);
        for (int i = 0; i < 3; ++i) {
            double sum = g1[i] * g1[i];
            double t = theta0[i] - 0.1 * g1[i] / (std::sqrt(sum) + 1e-10);
            sum += g2[i] * g2[i];
            t -= 0.1 * g2[i] / (std::sqrt(sum) + 1e-10);
            CHECK(p[i] == Approx(t).epsilon(1e-13));
        }
    }
}

TEST_CASE("every optimiser solves a least-squares problem", "[optim][convergence]") {
    auto start = [] {
        neuron_t net;
        set_parameters(net, {0.0, 0.0, 0.0});
        return net;
    };
    double const initial = [&] {
        auto net = start();
        tg::optim::sgd opt{net, {.lr = 0.0}};
        return train(net, opt, 1);
    }();
    REQUIRE(initial > 1.0);
    SECTION("sgd") { auto net = start(); tg::optim::sgd opt{net, {.lr = 0.3}}; CHECK(train(net, opt, 300) < 1e-10); }
    SECTION("sgd momentum") { auto net = start(); tg::optim::sgd opt{net, {.lr = 0.1, .momentum = 0.9}}; CHECK(train(net, opt, 300) < 1e-10); }
    SECTION("adam") { auto net = start(); tg::optim::adam opt{net, {.lr = 0.05}}; CHECK(train(net, opt, 1500) < 1e-8); }
    SECTION("adamw") { auto net = start(); tg::optim::adamw opt{net, {.lr = 0.05, .weight_decay = 0.0}}; CHECK(train(net, opt, 1500) < 1e-8); }
    SECTION("rmsprop") { auto net = start(); tg::optim::rmsprop opt{net, {.lr = 0.01}}; CHECK(train(net, opt, 2000) < 1e-4); }
    SECTION("adagrad") { auto net = start(); tg::optim::adagrad opt{net, {.lr = 0.5}}; CHECK(train(net, opt, 2000) < 1e-8); }
}

TEST_CASE("weight decay is L2 regularisation: sgd converges to the ridge solution", "[optim][sgd][weight_decay]") {
    // With weight_decay = lambda, sgd descends mse + lambda / 2 |theta|^2 (every parameter, the
    // bias too, as in PyTorch), whose minimum solves (2/n A^T A + lambda I) theta = 2/n A^T y with
    // A = [x0 x1 1]. Solved here by Gaussian elimination.
    constexpr double lambda = 0.5;
    regression data;
    double const n = static_cast<double>(data.x.rows());
    std::array<std::array<double, 4>, 3> m{};  // the augmented system [M | v]
    for (std::size_t r = 0; r < data.x.rows(); ++r) {
        std::array<double, 3> const a{data.x(r, 0), data.x(r, 1), 1.0};
        for (std::size_t i = 0; i < 3; ++i) {
            for (std::size_t j = 0; j < 3; ++j) m[i][j] += 2 / n * a[i] * a[j];
            m[i][3] += 2 / n * a[i] * data.y(r, 0);
        }
    }
    for (std::size_t i = 0; i < 3; ++i) m[i][i] += lambda;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t k = i + 1; k < 3; ++k) {
            double const f = m[k][i] / m[i][i];
            for (std::size_t j = i; j < 4; ++j) m[k][j] -= f * m[i][j];
        }
    std::array<double, 3> ridge{};
    for (std::size_t i = 3; i-- > 0;) {
        double s = m[i][3];
        for (std::size_t j = i + 1; j < 3; ++j) s -= m[i][j] * ridge[j];
        ridge[i] = s / m[i][i];
    }
    // Ridge shrinks: the unregularised solution is (2, -3, 0.5).
    REQUIRE(std::abs(ridge[0]) < 2.0);
    REQUIRE(std::abs(ridge[1]) < 3.0);

    SECTION("plain") {
        neuron_t net;
        set_parameters(net, {0.0, 0.0, 0.0});
        tg::optim::sgd opt{net, {.lr = 0.2, .weight_decay = lambda}};
        train(net, opt, 600);
        auto const p = parameters_of(net);
        for (int i = 0; i < 3; ++i) CHECK(p[i] == Approx(ridge[i]).epsilon(1e-9));
    }
    SECTION("momentum") {
        neuron_t net;
        set_parameters(net, {0.0, 0.0, 0.0});
        tg::optim::sgd opt{net, {.lr = 0.05, .momentum = 0.9, .weight_decay = lambda}};
        train(net, opt, 600);
        auto const p = parameters_of(net);
        for (int i = 0; i < 3; ++i) CHECK(p[i] == Approx(ridge[i]).epsilon(1e-9));
    }
}

TEST_CASE("float optimisers run on SIMD lanes and tails alike", "[optim][simd]") {
    // 37 weights: whole batches and a tail; every element must get the same rule.
    using net_t = tg::nn::sequential<tg::nn::dense<37, 1>>;
    net_t net;
    auto grads = tg::nn::gradients_like(net);
    for (std::size_t i = 0; i < 37; ++i) {
        net.layer<0>().weight(0, i) = 1.0f;
        grads.layer<0>().weight(0, i) = 0.5f;
    }
    tg::optim::adam opt{net, {.lr = 0.1f}};
    opt.step(net, grads);
    for (std::size_t i = 0; i < 37; ++i) CHECK(net.layer<0>().weight(0, i) == Approx(0.9f).epsilon(1e-6));
}

TEST_CASE("optimisers and zeroing split over two threads give the one-thread results to the bit", "[optim][threads]") {
    // A weight large enough to be split (38700 elements: a multiple of no batch width, so the
    // tail's narrower batches run too), its gradients from a fixed pattern.
    using wide_t = tg::nn::sequential<tg::nn::dense<300, 129>>;
    auto const run = [](std::size_t threads, auto make_optimizer) {
        tg::set_num_threads(threads);
        wide_t net;
        net.for_each_parameter([](std::size_t, auto, auto& m) {
            for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = std::sin(0.37f * static_cast<float>(i));
        });
        auto grads = tg::nn::gradients_like(net);
        auto opt = make_optimizer(net);
        for (int step = 0; step < 3; ++step) {
            grads.for_each_parameter([step](std::size_t, auto, auto& m) {
                for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = std::cos(0.11f * static_cast<float>(i + step));
            });
            opt.step(net, grads);
        }
        grads.zero();
        bool zeroed = true;
        grads.for_each_parameter([&](std::size_t, auto, auto& m) {
            for (std::size_t i = 0; i < m.size(); ++i) zeroed = zeroed && m.data()[i] == 0.0f;
        });
        CHECK(zeroed);
        tg::set_num_threads(1);
        auto const& w = net.layer<0>().get<"weight">();
        return std::vector<float>(w.data(), w.data() + w.size());
    };
    auto const adam = [](wide_t& net) { return tg::optim::adam{net, {.lr = 1e-2f, .weight_decay = 1e-3f}}; };
    auto const sgd = [](wide_t& net) { return tg::optim::sgd{net, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true}}; };
    CHECK(run(1, adam) == run(2, adam));
    CHECK(run(1, sgd) == run(2, sgd));
}
