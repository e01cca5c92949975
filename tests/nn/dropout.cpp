// dropout<P>: masks (how many values they drop, how they scale the rest, reproducibility from the
// seed and the step, independence between layers), inference as the identity, and gradients
// checked against finite differences and against a backward computed by hand.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

#include <typegrad/check/gradcheck.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/dropout.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/sequential.hpp>

namespace tg = typegrad;

namespace {

constexpr std::size_t width = 64;

// dense<W, W> set to the identity, so that the dropout after it sees the network's input.
template <class Net>
void make_identity(Net& net) {
    auto& d = net.template layer<0>();
    for (std::size_t o = 0; o < Net::in_features; ++o)
        for (std::size_t i = 0; i < Net::in_features; ++i) d.weight(o, i) = o == i ? 1.0f : 0.0f;
    for (std::size_t o = 0; o < Net::in_features; ++o) d.bias(o) = 0;
}

using probe_t = tg::nn::sequential<tg::nn::dense<width, width>, tg::nn::dropout<0.3>>;

// The mask of the next training pass, read through a network that passes ones to its dropout.
template <class Net>
tg::matrix<float, width> next_mask(Net& net, std::size_t rows) {
    tg::matrix<float, width> ones(rows);
    ones.fill(1.0f);
    return tg::nn::forward_train(net, ones);
}

bool same(tg::matrix<float, width> const& a, tg::matrix<float, width> const& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a.data()[i] != b.data()[i]) return false;
    return true;
}

}  // namespace

TEST_CASE("dropout drops a fraction P and scales what it keeps by 1 / (1 - P)", "[nn][dropout]") {
    probe_t net;
    make_identity(net);
    net.reseed(2024);
    std::size_t dropped = 0, total = 0;
    float const keep = static_cast<float>(1.0 / (1.0 - 0.3));
    for (int step = 0; step < 4; ++step) {
        auto const mask = next_mask(net, 256);
        for (std::size_t i = 0; i < mask.size(); ++i) {
            float const v = mask.data()[i];
            REQUIRE((v == 0.0f || v == keep));
            dropped += v == 0.0f ? 1 : 0;
        }
        total += mask.size();
    }
    // Binomial(65536, 0.3): standard deviation 117 values; 5 of them bound the count.
    double const sd = std::sqrt(static_cast<double>(total) * 0.3 * 0.7);
    CHECK(std::abs(static_cast<double>(dropped) - 0.3 * static_cast<double>(total)) < 5 * sd);

    // Inverted scaling: a kept value is the input over 1 - P, so the expected output is the input.
    tg::matrix<float, width> x(8);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = 0.25f * static_cast<float>(i % 13) - 1.5f;
    auto const y = tg::nn::forward_train(net, x);
    for (std::size_t i = 0; i < x.size(); ++i)
        CHECK((y.data()[i] == 0.0f || y.data()[i] == x.data()[i] * keep));
}

TEST_CASE("dropout is the identity for inference", "[nn][dropout]") {
    using with_t = tg::nn::sequential<tg::nn::dense<6, 8>, tg::nn::tanh, tg::nn::dropout<0.5>, tg::nn::dense<8, 3>>;
    using without_t = tg::nn::sequential<tg::nn::dense<6, 8>, tg::nn::tanh, tg::nn::dense<8, 3>>;
    with_t with;
    without_t without;
    tg::init::initialize(with, tg::init::xavier_uniform{}, 5);  // the same weights: dropout has none
    tg::init::initialize(without, tg::init::xavier_uniform{}, 5);
    tg::matrix<float, 6> x(10);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = std::sin(static_cast<float>(i));
    auto const a = tg::nn::forward(with, x);
    auto const b = tg::nn::forward(without, x);
    for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(a.data()[i] == b.data()[i]);
    // ... and training is not: some output differs.
    auto const t = tg::nn::forward_train(with, x);
    bool differs = false;
    for (std::size_t i = 0; i < t.size(); ++i) differs = differs || t.data()[i] != b.data()[i];
    CHECK(differs);
}

TEST_CASE("dropout masks: the seed and the step decide them", "[nn][dropout]") {
    probe_t a, b, c;
    make_identity(a);
    make_identity(b);
    make_identity(c);
    a.reseed(7);
    b.reseed(7);
    c.reseed(8);
    auto const a1 = next_mask(a, 16);
    CHECK(a.step() == 1);
    auto const a2 = next_mask(a, 16);
    CHECK(a.step() == 2);
    CHECK(same(a1, next_mask(b, 16)));   // same seed, same step: same mask
    CHECK(!same(a1, a2));                // the next step: another mask
    CHECK(!same(a1, next_mask(c, 16)));  // another seed: another mask
    b.reseed(7, 1);
    CHECK(same(a2, next_mask(b, 16)));   // a step replayed: its mask again

    // tg::init::initialize seeds the masks too, from step 0.
    tg::init::initialize(c, tg::init::he_uniform{}, 7);
    make_identity(c);
    CHECK(c.step() == 0);
    CHECK(same(a1, next_mask(c, 16)));

    // backprop advances the step once; inference leaves it alone.
    auto grads = tg::nn::gradients_like(a);
    tg::matrix<float, width> x(4), targets(4);
    (void)tg::nn::forward(a, x);
    CHECK(a.step() == 2);
    tg::nn::backprop(a, tg::loss::mse{}, x, targets, grads);
    CHECK(a.step() == 3);
}

TEST_CASE("dropout layers draw independent masks", "[nn][dropout]") {
    // Ones through two dropout<0.3> layers: a value survives both with probability 0.49 if their
    // masks are independent, 0.7 if they were the same.
    using net_t = tg::nn::sequential<tg::nn::dense<width, width>, tg::nn::dropout<0.3>, tg::nn::dropout<0.3>>;
    net_t net;
    make_identity(net);
    net.reseed(99);
    tg::matrix<float, width> ones(512);
    ones.fill(1.0f);
    auto const y = tg::nn::forward_train(net, ones);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < y.size(); ++i) kept += y.data()[i] != 0.0f ? 1 : 0;
    double const n = static_cast<double>(y.size());
    CHECK(std::abs(static_cast<double>(kept) - 0.49 * n) < 5 * std::sqrt(n * 0.49 * 0.51));
}

TEST_CASE("dropout's backward by hand: dropped units pass no gradient, kept ones twice it", "[nn][dropout]") {
    // x (3) -> dense<3, 4> -> dropout<0.5> -> dense<4, 1>, one row, mse against t:
    //   dL/dW0(j, i) = 2 (y - t) w1(j) m(j) x(i), with m the mask (0 or 2).
    using net_t = tg::nn::basic_sequential<double, tg::nn::dense<3, 4>, tg::nn::dropout<0.5>, tg::nn::dense<4, 1>>;
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 12);
    net.layer<2>().bias(0) = 0.1;
    tg::matrix<double, 3> x(1);
    x(0, 0) = 0.5, x(0, 1) = -1.0, x(0, 2) = 2.0;
    tg::matrix<double, 1> t(1);
    t(0, 0) = 0.3;

    // The mask of the coming step, through a network with the dropout at the same position.
    using probe64_t = tg::nn::basic_sequential<double, tg::nn::dense<4, 4>, tg::nn::dropout<0.5>>;
    probe64_t probe;
    for (std::size_t j = 0; j < 4; ++j) probe.layer<0>().weight(j, j) = 1;
    probe.reseed(net.seed(), net.step());
    tg::matrix<double, 4> ones(1);
    ones.fill(1.0);
    auto const m = tg::nn::forward_train(probe, ones);

    std::array<double, 4> h{};
    double y = net.layer<2>().bias(0);
    for (std::size_t j = 0; j < 4; ++j) {
        h[j] = net.layer<0>().bias(j);
        for (std::size_t i = 0; i < 3; ++i) h[j] += net.layer<0>().weight(j, i) * x(0, i);
        y += net.layer<2>().weight(0, j) * m(0, j) * h[j];
    }
    auto grads = tg::nn::gradients_like(net);
    double const loss = tg::nn::backprop(net, tg::loss::mse{}, x, t, grads);
    CHECK(loss == Approx((y - t(0, 0)) * (y - t(0, 0))).epsilon(1e-12));
    std::size_t dropped = 0;
    for (std::size_t j = 0; j < 4; ++j) {
        dropped += m(0, j) == 0 ? 1 : 0;
        for (std::size_t i = 0; i < 3; ++i) {
            double const expected = 2 * (y - t(0, 0)) * net.layer<2>().weight(0, j) * m(0, j) * x(0, i);
            CHECK(grads.layer<0>().weight(j, i) == Approx(expected).epsilon(1e-12).margin(1e-15));
        }
        CHECK(grads.layer<2>().weight(0, j) == Approx(2 * (y - t(0, 0)) * m(0, j) * h[j]).epsilon(1e-12).margin(1e-15));
    }
    INFO("the hand check needs a unit dropped and one kept; seed 12 gives " << dropped << " dropped of 4");
    CHECK((dropped > 0 && dropped < 4));
}

TEST_CASE("networks with dropout pass gradcheck under a fixed mask", "[nn][dropout][gradcheck]") {
    using net_t = tg::nn::sequential<tg::nn::dense<5, 8>, tg::nn::tanh, tg::nn::dropout<0.4>, tg::nn::dense<8, 3>,
                                     tg::nn::dropout<0.2>>;
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 3);
    tg::matrix<float, 5> x(6);
    tg::matrix<float, 3> t(6);
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = std::cos(1.7f * static_cast<float>(i));
    for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = std::sin(0.9f * static_cast<float>(i));
    auto const result = tg::check::gradcheck(net, tg::loss::mse{}, x, t);
    INFO(result.message());
    CHECK(result.passed);
    CHECK(net.step() == 0);  // the check trains a copy
}
