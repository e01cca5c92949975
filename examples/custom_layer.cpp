// Writing your own layer: declare its parameters, write its forward as an expression, and never
// write a backward. Here a gated unit, sigmoid(x W1^T) * (x W2^T), and a swish activation,
// x * sigmoid(x), go into a network; typegrad derives both backwards, gradcheck confirms them
// against finite differences, and a few steps of plain gradient descent fit y = sin(x0) x1.

#include <cmath>
#include <cstdio>
#include <random>

#include <typegrad/typegrad.hpp>

namespace tg = typegrad;
namespace graph = tg::nn::graph;

// A gated linear unit: half of it decides how much of the other half passes.
template <std::size_t In, std::size_t Out>
struct gated {
    static constexpr std::size_t in_features = In;
    static constexpr std::size_t out_features = Out;
    using w1 = graph::param<"W1", Out, In>;
    using w2 = graph::param<"W2", Out, In>;
    using parameters = tg::nn::parameter_list<w1, w2>;

    static constexpr auto forward(graph::input<In> x) { return sigmoid(x * transpose(w1{})) * (x * transpose(w2{})); }
};

// swish(x) = x sigmoid(x): one scalar expression; its derivative is derived and vectorised.
inline constexpr tg::var<0> x;
using swish = tg::nn::activation<decltype(x * tg::sigmoid(x))>;

using net_t = tg::nn::sequential<gated<2, 16>, swish, tg::nn::dense<16, 1>>;

int main() {
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 7);

    constexpr std::size_t rows = 256;
    tg::matrix<float, 2> inputs(rows);
    tg::matrix<float, 1> targets(rows);
    std::mt19937_64 engine(3);
    std::uniform_real_distribution<float> coordinate(-2.0f, 2.0f);
    for (std::size_t r = 0; r < rows; ++r) {
        inputs(r, 0) = coordinate(engine);
        inputs(r, 1) = coordinate(engine);
        targets(r, 0) = std::sin(inputs(r, 0)) * inputs(r, 1);
    }

    auto const check = tg::check::gradcheck(net, tg::loss::mse{}, inputs.subrows(0, 4), targets.subrows(0, 4));
    std::printf("%s\n", check.message().c_str());

    auto grads = tg::nn::gradients_like(net);
    float first = 0, last = 0;
    for (int step = 0; step < 2000; ++step) {
        last = tg::nn::backprop(net, tg::loss::mse{}, inputs, targets, grads);
        if (step == 0) first = last;
        net.for_each_parameter_pair(grads, [](std::size_t, auto, auto& value, auto const& gradient) {
            for (std::size_t i = 0; i < value.size(); ++i) value.data()[i] -= 0.1f * gradient.data()[i];
        });
        if (step % 400 == 0) std::printf("step %4d  mse %.5f\n", step, last);
    }
    std::printf("mse %.5f -> %.5f\n", first, last);
    return check.passed && last < 0.25f * first ? 0 : 1;
}
