#pragma once
// What tests/nn/gradcheck.cpp and tests/nn/gradcheck_topologies.cpp share: small layers written
// for the tests, one or a few graph primitives each, and the check's helpers. (Two translation
// units keep each one's compile time under the sanitizers within budget.)

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <typegrad/check/gradcheck.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/nn/softmax.hpp>

namespace tg = typegrad;
namespace nn = tg::nn;
namespace graph = tg::nn::graph;

namespace gradcheck_support {

constexpr tg::constant<1.0> one{};
constexpr tg::constant<0.5> half{};

// ---- layers written for this test, one or a few primitives each ----------------------------

// x W + b, W of 4 x 4 (In x Out): matmul without a transpose, and add_row.
struct plain_product {
    static constexpr std::size_t in_features = 4, out_features = 4;
    using w = graph::param<"W", 4, 4>;
    using b = graph::param<"b", 1, 4>;
    using parameters = nn::parameter_list<w, b>;
    static constexpr auto forward(graph::input<4> x) { return x * w{} + b{}; }
};

// + - * / and unary minus between nodes (two products of the input).
struct arithmetic {
    static constexpr std::size_t in_features = 4, out_features = 4;
    using a = graph::param<"A", 4, 4>;
    using b = graph::param<"B", 4, 4>;
    using parameters = nn::parameter_list<a, b>;
    static constexpr auto forward(graph::input<4> x) {
        auto const p = x * transpose(a{});
        auto const q = x * transpose(b{});
        return (p + q) * (p - q) / (one + q * q) + (-p);
    }
};

// Every scalar function of graph/build.hpp: exp log sqrt tanh sigmoid relu abs pow<N> max.
struct functions {
    static constexpr std::size_t in_features = 4, out_features = 4;
    using a = graph::param<"A", 4, 4>;
    using parameters = nn::parameter_list<a>;
    static constexpr auto forward(graph::input<4> x) {
        auto const p = x * transpose(a{});
        return exp(tanh(p)) + log(one + abs(p)) + sqrt(one + graph::pow<2>(p)) + sigmoid(p) * relu(p) +
               graph::pow<3>(p) + max(p, half * sigmoid(p));
    }
};

// The row reductions (one column, broadcast back along each row) and the column mean.
struct reductions {
    static constexpr std::size_t in_features = 4, out_features = 4;
    using a = graph::param<"A", 4, 4>;
    using parameters = nn::parameter_list<a>;
    static constexpr auto forward(graph::input<4> x) {
        auto const p = x * transpose(a{});
        return p - row_logsumexp(p) + half * row_max(p) + tanh(row_sum(p)) * (p - column_mean(p));
    }
};

// Row softmax as a primitive inside a layer, scaled by a one-row parameter.
struct scaled_softmax {
    static constexpr std::size_t in_features = 4, out_features = 4;
    using a = graph::param<"A", 4, 4>;
    using s = graph::param<"s", 1, 4>;
    using parameters = nn::parameter_list<a, s>;
    static constexpr auto forward(graph::input<4> x) { return s{} * softmax(x * transpose(a{})); }
};

// The gated unit of the layer documentation: sigmoid(x W1^T) * (x W2^T).
struct gated {
    static constexpr std::size_t in_features = 4, out_features = 4;
    using w1 = graph::param<"W1", 4, 4>;
    using w2 = graph::param<"W2", 4, 4>;
    using parameters = nn::parameter_list<w1, w2>;
    static constexpr auto forward(graph::input<4> x) { return sigmoid(x * transpose(w1{})) * (x * transpose(w2{})); }
};

// A layer of any width with one output: the log-sum-exp of each row.
struct logsumexp_pool {
    static constexpr bool any_width = true;
    template <std::size_t W>
    static constexpr auto forward(graph::input<W> x) {
        return row_logsumexp(x);
    }
};

constexpr tg::var<0> z{};
using swish = nn::activation<decltype(z * tg::sigmoid(z))>;

template <class... L>
using net = nn::basic_sequential<double, L...>;

// ---- inputs, targets and the check -----------------------------------------------------------

template <std::size_t C>
tg::matrix<double, C> filled(std::size_t rows, double phase, double amplitude = 1.5, double offset = 0) {
    tg::matrix<double, C> m(rows);
    for (std::size_t i = 0; i < m.size(); ++i)
        m.data()[i] = offset + amplitude * std::sin(1.7 * static_cast<double>(i) + phase);
    return m;
}

inline std::vector<int> labels(std::size_t rows, std::size_t classes) {
    std::vector<int> out(rows);
    for (std::size_t r = 0; r < rows; ++r) out[r] = static_cast<int>((r * 7 + 3) % classes);
    return out;
}

// Weights from a seeded scheme, then every bias (and every one-row parameter) set away from zero
// so that the biases' own values matter too.
template <class Net>
void prepare(Net& n, std::uint64_t seed) {
    tg::init::initialize(n, tg::init::xavier_uniform{}, seed);
    n.for_each_parameter([&](std::size_t layer, auto, auto& m) {
        if (m.rows() == 1)
            for (std::size_t c = 0; c < m.cols; ++c)
                m(0, c) = 0.1 * std::sin(static_cast<double>(layer * 5 + c) + static_cast<double>(seed));
    });
}

// The number of values gradcheck must compare: every parameter and every input element.
template <class Net>
std::size_t entries_of(Net const& n, std::size_t rows) {
    std::size_t count = rows * Net::in_features;
    n.for_each_parameter([&](std::size_t, auto, auto const& m) { count += m.size(); });
    return count;
}

template <class Net, class Loss, class Targets>
void check_passes(Net const& n, Loss const& loss, tg::matrix<double, Net::in_features> const& x, Targets const& targets) {
    auto const result = tg::check::gradcheck(n, loss, x, targets);
    INFO(result.message());
    CHECK(result.passed);
    CHECK(result.error <= 1);
    CHECK(!result.all_zero);
    CHECK(result.entries == entries_of(n, x.rows()));
}

// A network of layers L..., seeded, checked with mse on 5 rows.
template <class... L>
void check_mse(std::uint64_t seed, std::size_t rows = 5) {
    net<L...> n;
    prepare(n, seed);
    check_passes(n, tg::loss::mse{}, filled<4>(rows, 0.3 * static_cast<double>(seed)),
                 filled<net<L...>::out_features>(rows, 1.0, 0.4, 0.5));
}

// softmax_cross_entropy whose gradient is 1 % too large: the check must see it.
struct skewed {
    template <class T, std::size_t N, class Targets>
    T evaluate(tg::const_matrix_view<T, N> z, Targets const& t, tg::matrix_view<T, N> d) const {
        T const value = tg::loss::softmax_cross_entropy{}.evaluate(z, t, d);
        for (std::size_t i = 0; i < d.size(); ++i) d.data()[i] *= T(1.01);
        return value;
    }
};


using depth2 = net<nn::dense<4, 4>, nn::tanh, nn::dense<4, 4>>;

}  // namespace gradcheck_support
