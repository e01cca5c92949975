// Gradient clipping by norm and by value, and learning-rate schedules.

#include <catch2/catch.hpp>

#include <cmath>

#include <typegrad/optim/clip.hpp>
#include <typegrad/optim/schedule.hpp>

#include "helpers.hpp"

TEST_CASE("clip_grad_norm scales to the maximum and returns the norm", "[optim][clip]") {
    neuron_t net;
    auto grads = tg::nn::gradients_like(net);
    set_gradients(grads, {3.0, 4.0, 12.0});  // norm 13
    CHECK(tg::optim::clip_grad_norm(grads, 26.0) == Approx(13.0));
    CHECK(grads.layer<0>().weight(0, 0) == 3.0);  // under the maximum: untouched
    CHECK(tg::optim::clip_grad_norm(grads, 1.0) == Approx(13.0));
    double const scale = 1.0 / (13.0 + 1e-6);
    CHECK(grads.layer<0>().weight(0, 0) == Approx(3.0 * scale));
    CHECK(grads.layer<0>().weight(0, 1) == Approx(4.0 * scale));
    CHECK(grads.layer<0>().bias(0) == Approx(12.0 * scale));
}

TEST_CASE("clip_grad_value clamps each element", "[optim][clip]") {
    neuron_t net;
    auto grads = tg::nn::gradients_like(net);
    set_gradients(grads, {-3.0, 0.25, 12.0});
    tg::optim::clip_grad_value(grads, 0.5);
    CHECK(grads.layer<0>().weight(0, 0) == -0.5);
    CHECK(grads.layer<0>().weight(0, 1) == 0.25);
    CHECK(grads.layer<0>().bias(0) == 0.5);
}

TEST_CASE("learning-rate schedules", "[optim][schedule]") {
    tg::optim::step_decay step{.base = 1.0, .every = 10, .gamma = 0.5};
    CHECK(step(0) == 1.0);
    CHECK(step(9) == 1.0);
    CHECK(step(10) == 0.5);
    CHECK(step(25) == 0.25);
    tg::optim::exponential_decay exponential{.base = 2.0, .gamma = 0.9};
    CHECK(exponential(2) == Approx(2.0 * 0.81));
    tg::optim::cosine_annealing cosine{.base = 1.0, .period = 10, .minimum = 0.1};
    CHECK(cosine(0) == Approx(1.0));
    CHECK(cosine(5) == Approx(0.55));
    CHECK(cosine(10) == Approx(0.1));
    CHECK(cosine(20) == Approx(0.1));
    tg::optim::linear_warmup warm{4, tg::optim::exponential_decay{.base = 1.0, .gamma = 0.5}};
    CHECK(warm(0) == Approx(0.25));
    CHECK(warm(3) == Approx(1.0));
    CHECK(warm(4) == Approx(1.0));
    CHECK(warm(5) == Approx(0.5));
}
