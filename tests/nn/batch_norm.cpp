// batch_norm<N>: the training forward (batch statistics) and its running statistics against values
// computed here, inference with the running statistics, its backward against the closed form and
// against finite differences, and its buffers kept away from gradients and optimisers.

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include <typegrad/check/gradcheck.hpp>
#include <typegrad/error.hpp>
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
#include <typegrad/nn/sequential.hpp>
#include <typegrad/optim/sgd.hpp>

namespace tg = typegrad;

namespace {

constexpr double eps = 1e-5;

using bn_t = tg::nn::basic_sequential<double, tg::nn::batch_norm<3>>;

template <std::size_t C>
tg::matrix<double, C> filled(std::size_t rows, double scale, double shift) {
    tg::matrix<double, C> m(rows);
    for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = scale * std::sin(1.3 * static_cast<double>(i) + shift) + shift;
    return m;
}

struct column_statistics {
    std::array<double, 3> mean{}, biased_var{}, unbiased_var{};
};

column_statistics statistics(tg::matrix<double, 3> const& x) {
    column_statistics s;
    double const n = static_cast<double>(x.rows());
    for (std::size_t c = 0; c < 3; ++c) {
        double sum = 0, squares = 0;
        for (std::size_t r = 0; r < x.rows(); ++r) sum += x(r, c);
        s.mean[c] = sum / n;
        for (std::size_t r = 0; r < x.rows(); ++r) squares += (x(r, c) - s.mean[c]) * (x(r, c) - s.mean[c]);
        s.biased_var[c] = squares / n;
        s.unbiased_var[c] = squares / (n - 1);
    }
    return s;
}

}  // namespace

TEST_CASE("batch_norm starts as PyTorch's BatchNorm1d: weight 1, bias 0, running statistics 0 and 1",
          "[nn][batch_norm]") {
    bn_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 1);
    auto const& running = net.buffers<0>();
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(net.layer<0>().weight(0, c) == 1.0);
        CHECK(net.layer<0>().bias(c) == 0.0);
        CHECK(running.get<"running_mean">()(0, c) == 0.0);
        CHECK(running.get<"running_var">()(0, c) == 1.0);
    }
    CHECK(running.get<"num_batches_tracked">() == 0);
    // Buffers are not parameters: the gradients (and so every optimiser) hold weight and bias only.
    auto grads = tg::nn::gradients_like(net);
    std::size_t parameters = 0;
    grads.for_each_parameter([&](std::size_t, auto, auto const&) { ++parameters; });
    CHECK(parameters == 2);
}

TEST_CASE("batch_norm's training forward normalises with the batch's statistics", "[nn][batch_norm]") {
    bn_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 1);
    std::array<double, 3> const gamma{1.5, -0.5, 2.0}, beta{0.1, 0.2, -0.3};
    for (std::size_t c = 0; c < 3; ++c) net.layer<0>().weight(0, c) = gamma[c], net.layer<0>().bias(c) = beta[c];

    tg::matrix<double, 3> x(4);
    double const column0[] = {1, 2, 3, 4};  // mean 2.5, biased variance 1.25
    for (std::size_t r = 0; r < 4; ++r) {
        x(r, 0) = column0[r];
        x(r, 1) = -2.0 * static_cast<double>(r * r);  // 0, -2, -8, -18
        x(r, 2) = 7.0;                                 // constant: variance 0, output beta
    }
    auto const y = tg::nn::forward_train(net, x);
    for (std::size_t r = 0; r < 4; ++r) {
        CHECK(y(r, 0) == Approx(0.1 + 1.5 * (column0[r] - 2.5) / std::sqrt(1.25 + eps)).epsilon(1e-13));
        // column 1: mean -7, biased variance (49 + 25 + 1 + 121) / 4 = 49
        CHECK(y(r, 1) == Approx(0.2 - 0.5 * (x(r, 1) + 7) / std::sqrt(49 + eps)).epsilon(1e-13));
        CHECK(y(r, 2) == Approx(-0.3).epsilon(1e-13));
    }
}

TEST_CASE("batch_norm's running statistics follow PyTorch's update, and inference uses them", "[nn][batch_norm]") {
    bn_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 1);
    std::array<double, 3> mean{0, 0, 0}, var{1, 1, 1};
    for (int k = 0; k < 3; ++k) {
        auto const x = filled<3>(5 + static_cast<std::size_t>(k), 1.0 + k, 0.5 * k);
        auto const s = statistics(x);
        (void)tg::nn::forward_train(net, x);
        for (std::size_t c = 0; c < 3; ++c) {
            mean[c] = 0.9 * mean[c] + 0.1 * s.mean[c];
            var[c] = 0.9 * var[c] + 0.1 * s.unbiased_var[c];
        }
    }
    auto const& running = net.buffers<0>();
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(running.get<"running_mean">()(0, c) == Approx(mean[c]).epsilon(1e-13));
        CHECK(running.get<"running_var">()(0, c) == Approx(var[c]).epsilon(1e-13));
    }
    CHECK(running.get<"num_batches_tracked">() == 3);

    // Inference: the running statistics, not the batch's; so one row alone gets the same output.
    net.layer<0>().weight(0, 1) = 3.0;
    net.layer<0>().bias(2) = -1.0;
    auto const x = filled<3>(4, 2.0, 1.0);
    auto const y = tg::nn::forward(net, x);
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 3; ++c) {
            double const expected =
                net.layer<0>().bias(c) + net.layer<0>().weight(0, c) * (x(r, c) - mean[c]) / std::sqrt(var[c] + eps);
            CHECK(y(r, c) == Approx(expected).epsilon(1e-13));
        }
    auto const one = tg::nn::forward(net, x.subrows(2, 1));
    for (std::size_t c = 0; c < 3; ++c) CHECK(one(0, c) == y(2, c));
    CHECK(running.get<"num_batches_tracked">() == 3);  // inference changes nothing
}

TEST_CASE("batch_norm refuses a training batch of one row and changes nothing", "[nn][batch_norm]") {
    using net_t = tg::nn::sequential<tg::nn::dense<4, 3>, tg::nn::batch_norm<3>, tg::nn::dropout<0.5>>;
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 2);
    tg::matrix<float, 4> x(1);
    tg::matrix<float, 3> t(1);
    auto grads = tg::nn::gradients_like(net);
    CHECK_THROWS_AS(tg::nn::backprop(net, tg::loss::mse{}, x, t, grads), tg::error);
    CHECK_THROWS_WITH(tg::nn::forward_train(net, x),
                      Catch::Contains("layer 1") && Catch::Contains("at least 2 rows") &&
                          Catch::Contains("this batch has 1"));
    CHECK(net.step() == 0);
    CHECK(net.buffers<1>().get<"num_batches_tracked">() == 0);
    CHECK(net.buffers<1>().get<"running_var">()(0, 0) == 1.0f);
    CHECK(tg::nn::forward(net, x).rows() == 1);  // inference takes one row
}

TEST_CASE("batch_norm's backward by hand: the closed form through mean and variance", "[nn][batch_norm]") {
    // x -> dense<2, 3> -> batch_norm<3>, mse against t. With h = x W^T + b, xhat its normalised
    // value, s = sqrt(var + eps) and g = dL/dy = 2 (y - t) / (rows * 3):
    //   dbeta = sum_r g    dgamma = sum_r g xhat
    //   dh = gamma / (n s) (n g - sum_r g - xhat sum_r g xhat)    dW = dh^T x
    using net_t = tg::nn::basic_sequential<double, tg::nn::dense<2, 3>, tg::nn::batch_norm<3>>;
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 4);
    std::array<double, 3> const gamma{0.7, -1.2, 1.9};
    for (std::size_t c = 0; c < 3; ++c) net.layer<1>().weight(0, c) = gamma[c], net.layer<1>().bias(c) = 0.1 * c;
    constexpr std::size_t n = 5;
    auto const x = filled<2>(n, 1.0, 0.3);
    auto const t = filled<3>(n, 0.5, -0.2);

    tg::matrix<double, 3> h(n);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < 3; ++c)
            h(r, c) = net.layer<0>().bias(c) + net.layer<0>().weight(c, 0) * x(r, 0) + net.layer<0>().weight(c, 1) * x(r, 1);
    auto const s = statistics(h);

    std::array<double, 3> dbeta{}, dgamma{};
    tg::matrix<double, 3> xhat(n), g(n), dh(n);
    double loss = 0;
    for (std::size_t c = 0; c < 3; ++c) {
        double const sd = std::sqrt(s.biased_var[c] + eps);
        for (std::size_t r = 0; r < n; ++r) {
            xhat(r, c) = (h(r, c) - s.mean[c]) / sd;
            double const y = gamma[c] * xhat(r, c) + net.layer<1>().bias(c);
            loss += (y - t(r, c)) * (y - t(r, c)) / (n * 3);
            g(r, c) = 2 * (y - t(r, c)) / (n * 3);
            dbeta[c] += g(r, c);
            dgamma[c] += g(r, c) * xhat(r, c);
        }
        for (std::size_t r = 0; r < n; ++r)
            dh(r, c) = gamma[c] / (n * sd) * (n * g(r, c) - dbeta[c] - xhat(r, c) * dgamma[c]);
    }

    auto grads = tg::nn::gradients_like(net);
    CHECK(tg::nn::backprop(net, tg::loss::mse{}, x, t, grads) == Approx(loss).epsilon(1e-12));
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(grads.layer<1>().bias(c) == Approx(dbeta[c]).epsilon(1e-10).margin(1e-14));
        CHECK(grads.layer<1>().weight(0, c) == Approx(dgamma[c]).epsilon(1e-10).margin(1e-14));
        double db = 0, dw0 = 0, dw1 = 0;
        for (std::size_t r = 0; r < n; ++r) db += dh(r, c), dw0 += dh(r, c) * x(r, 0), dw1 += dh(r, c) * x(r, 1);
        CHECK(grads.layer<0>().bias(c) == Approx(db).margin(1e-13));  // 0: a shift before batch_norm is lost
        CHECK(grads.layer<0>().weight(c, 0) == Approx(dw0).epsilon(1e-10).margin(1e-14));
        CHECK(grads.layer<0>().weight(c, 1) == Approx(dw1).epsilon(1e-10).margin(1e-14));
    }
}

TEST_CASE("networks with batch_norm pass gradcheck", "[nn][batch_norm][gradcheck]") {
    SECTION("first layer, so the input's gradient goes through the batch statistics") {
        using net_t = tg::nn::sequential<tg::nn::batch_norm<4>, tg::nn::tanh, tg::nn::dense<4, 2>>;
        net_t net;
        tg::init::initialize(net, tg::init::xavier_uniform{}, 6);
        net.layer<0>().weight(0, 1) = -0.8f;
        net.layer<0>().bias(2) = 0.3f;
        tg::matrix<float, 4> x(5);
        tg::matrix<float, 2> t(5);
        for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = std::sin(2.1f * static_cast<float>(i)) * 2.0f;
        for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = std::cos(0.7f * static_cast<float>(i));
        auto const result = tg::check::gradcheck(net, tg::loss::mse{}, x, t);
        INFO(result.message());
        CHECK(result.passed);
    }
    SECTION("with dropout, and classes") {
        using net_t = tg::nn::sequential<tg::nn::dense<6, 8>, tg::nn::batch_norm<8>, tg::nn::tanh,
                                         tg::nn::dropout<0.3>, tg::nn::dense<8, 4>>;
        net_t net;
        tg::init::initialize(net, tg::init::he_uniform{}, 7);
        tg::matrix<float, 6> x(7);
        for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = std::cos(1.1f * static_cast<float>(i)) + 0.5f;
        std::vector<int> const labels{0, 3, 1, 2, 2, 0, 1};
        auto const result = tg::check::gradcheck(net, tg::loss::softmax_cross_entropy{}, x, labels);
        INFO(result.message());
        CHECK(result.passed);
        CHECK(net.buffers<1>().get<"num_batches_tracked">() == 0);  // the check trains a copy
    }
}

TEST_CASE("optimisers leave batch_norm's running statistics alone", "[nn][batch_norm][optim]") {
    using net_t = tg::nn::sequential<tg::nn::dense<3, 4>, tg::nn::batch_norm<4>, tg::nn::dense<4, 1>>;
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 8);
    tg::matrix<float, 3> x(6);
    tg::matrix<float, 1> t(6);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(i % 5) - 2.0f;
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = static_cast<float>(i);
    auto grads = tg::nn::gradients_like(net);
    tg::nn::backprop(net, tg::loss::mse{}, x, t, grads);
    auto const mean = net.buffers<1>().get<"running_mean">();
    auto const var = net.buffers<1>().get<"running_var">();
    float const gamma = net.layer<1>().weight(0, 0);
    tg::optim::sgd opt{net, {.lr = 0.5f, .momentum = 0.9f, .weight_decay = 0.1f}};
    opt.step(net, grads);
    CHECK(net.layer<1>().weight(0, 0) != gamma);  // the parameters moved
    for (std::size_t c = 0; c < 4; ++c) {
        CHECK(net.buffers<1>().get<"running_mean">()(0, c) == mean(0, c));
        CHECK(net.buffers<1>().get<"running_var">()(0, c) == var(0, c));
    }
}
