// The graph primitives added for regularisation layers, in layers written for this test: the
// column mean and its gradient, one-row operands (parameters, buffers, column reductions)
// broadcast down a batch, and the random mask leaf. Each layer's forward is checked against
// values computed here and its derived backward against finite differences.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <type_traits>

#include <typegrad/check/gradcheck.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/buffers.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/graph/plan.hpp>
#include <typegrad/nn/graph/random.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/sequential.hpp>

namespace tg = typegrad;
namespace graph = tg::nn::graph;

namespace {

// scale * (x - column_mean(x)) + shift: a column reduction read back by every row, one-row
// parameters on the left of * and +.
struct centre {
    static constexpr std::size_t in_features = 3, out_features = 3;
    using scale = graph::param<"scale", 1, 3>;
    using shift = graph::param<"shift", 1, 3>;
    using parameters = tg::nn::parameter_list<scale, shift>;
    static constexpr auto forward(graph::input<3> x) { return shift{} + scale{} * (x - column_mean(x)); }
};

// An outer product of a one-column batch (each row's sum) and a one-row parameter, times a 1 x 1
// parameter: both broadcasts at once.
struct outer {
    static constexpr std::size_t in_features = 3, out_features = 4;
    using row = graph::param<"row", 1, 4>;
    using gain = graph::param<"gain", 1, 1>;
    using parameters = tg::nn::parameter_list<row, gain>;
    static constexpr auto forward(graph::input<3> x) { return gain{} * (row{} * tanh(row_sum(x))); }
};

// A buffer read by the training graph too, so that the backward reads buffers.
struct offset {
    static constexpr std::size_t in_features = 4, out_features = 4;
    using w = graph::param<"w", 1, 4>;
    using parameters = tg::nn::parameter_list<w>;
    using b = graph::buffer<"b", 4, 0.5>;
    using buffers = tg::nn::buffer_list<b>;
    static constexpr auto forward(graph::input<4> x) { return w{} * (x - b{}) * (x - b{}); }
};

// x times a random mask in training, x for inference.
struct noisy {
    static constexpr std::size_t in_features = 4, out_features = 4;
    static constexpr auto forward(graph::input<4> x) { return x; }
    static constexpr auto training_forward(graph::input<4> x) { return x * graph::random_mask<0.25, 4>{}; }
};

template <std::size_t C>
tg::matrix<double, C> filled(std::size_t rows, double phase) {
    tg::matrix<double, C> m(rows);
    for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = std::sin(1.7 * static_cast<double>(i) + phase) * 1.5;
    return m;
}

}  // namespace

TEST_CASE("one-row values are planned as one row and fused into their readers", "[nn][graph]") {
    using x = graph::input<3>;
    using mean = graph::column_reduction<graph::column_mean_kind, x>;
    using root = decltype(centre::forward(x{}));
    STATIC_REQUIRE(graph::is_row_v<mean>);
    STATIC_REQUIRE(graph::is_row_v<centre::scale>);
    STATIC_REQUIRE(!graph::is_row_v<graph::param<"w", 2, 3>>);
    STATIC_REQUIRE(graph::tensor_expression<root>);
    // One elementwise node reads shift, scale, x and the mean; the mean is the only other value.
    STATIC_REQUIRE(std::is_same_v<graph::stored_t<root>, graph::detail::type_list<mean, root>>);
    // An elementwise node of rows only is itself a row.
    STATIC_REQUIRE(graph::row_expression<decltype(graph::sqrt(mean{} + tg::constant<1.0>{}))>);
    // A one-row parameter read elementwise is saved as a vector, like a bias.
    STATIC_REQUIRE(graph::is_bias_v<root, centre::scale>);
}

TEST_CASE("column mean and one-row operands: forward by hand, backward by finite differences", "[nn][graph]") {
    using net_t = tg::nn::basic_sequential<double, centre, tg::nn::tanh, outer, offset, tg::nn::dense<4, 2>>;
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 9);
    for (std::size_t c = 0; c < 3; ++c) {
        net.layer<0>().get<"scale">()(0, c) = 0.5 + 0.25 * static_cast<double>(c);
        net.layer<0>().get<"shift">()(0, c) = -0.1 * static_cast<double>(c);
    }
    for (std::size_t c = 0; c < 4; ++c) {
        net.layer<2>().get<"row">()(0, c) = 1.0 - 0.4 * static_cast<double>(c);
        net.layer<3>().get<"w">()(0, c) = 0.3 + 0.2 * static_cast<double>(c);
    }
    net.layer<2>().get<"gain">()(0, 0) = 1.3;
    auto const x = filled<3>(5, 0.2);

    tg::nn::detail::forward_layers<1, tg::nn::mode::inference>(net, x.view());
    auto const& y = net.workspace<0, tg::nn::mode::inference>().value<tg::nn::graph_t<centre, 3>>();
    for (std::size_t c = 0; c < 3; ++c) {
        double mean = 0;
        for (std::size_t r = 0; r < 5; ++r) mean += x(r, c) / 5;
        for (std::size_t r = 0; r < 5; ++r)
            CHECK(y(r, c) == Approx(-0.1 * static_cast<double>(c) + (0.5 + 0.25 * static_cast<double>(c)) * (x(r, c) - mean))
                                 .epsilon(1e-14));
    }

    auto const t = filled<2>(5, 1.1);
    auto const result = tg::check::gradcheck(net, tg::loss::mse{}, x, t);
    INFO(result.message());
    CHECK(result.passed);
}

TEST_CASE("a buffer is read like a parameter but learns nothing", "[nn][graph]") {
    using net_t = tg::nn::basic_sequential<double, offset>;
    net_t net;
    for (std::size_t c = 0; c < 4; ++c) net.layer<0>().get<"w">()(0, c) = 1.0 + static_cast<double>(c);
    CHECK(net.buffers<0>().get<"b">()(0, 3) == 0.5);  // its initial value
    net.buffers<0>().get<"b">()(0, 1) = -1.0;
    auto const x = filled<4>(3, 0.0);
    auto const y = tg::nn::forward(net, x);
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t c = 0; c < 4; ++c) {
            double const b = c == 1 ? -1.0 : 0.5;
            CHECK(y(r, c) == Approx((1.0 + static_cast<double>(c)) * (x(r, c) - b) * (x(r, c) - b)).epsilon(1e-14));
        }
    net.reset_buffers();
    CHECK(net.buffers<0>().get<"b">()(0, 1) == 0.5);
}

TEST_CASE("a random mask is 0 or 1 / (1 - P), fixed by (seed, step, layer)", "[nn][graph]") {
    using net_t = tg::nn::basic_sequential<double, noisy, noisy>;
    net_t net;
    net.reseed(17);
    tg::matrix<double, 4> ones(300);
    ones.fill(1.0);
    auto const y = tg::nn::forward_train(net, ones);  // two masks multiplied
    std::size_t zeros = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        double const v = y.data()[i];
        REQUIRE((v == 0.0 || v == Approx(1 / (0.75 * 0.75)).epsilon(1e-15)));
        zeros += v == 0.0 ? 1 : 0;
    }
    double const n = static_cast<double>(y.size()), p = 1 - 0.75 * 0.75;  // independent layers
    CHECK(std::abs(static_cast<double>(zeros) - p * n) < 5 * std::sqrt(n * p * (1 - p)));

    // The stream is a pure function of its coordinates.
    using graph::detail::stream_key;
    CHECK(stream_key({1, 2, 3}) == stream_key({1, 2, 3}));
    CHECK(stream_key({1, 2, 3}) != stream_key({1, 3, 2}));
    CHECK(stream_key({1, 2, 3}) != stream_key({2, 2, 3}));
    double drop_none[64];
    graph::detail::fill_random_mask<0.0>({5, 6, 7}, drop_none, 64);
    for (double v : drop_none) CHECK(v == 1.0);

    // Inference: the identity, and no step taken.
    CHECK(net.step() == 1);
    auto const z = tg::nn::forward(net, ones);
    for (std::size_t i = 0; i < z.size(); ++i) REQUIRE(z.data()[i] == 1.0);
    CHECK(net.step() == 1);
}
