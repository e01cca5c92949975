// tg::check::gradcheck over the nn/ layer: every graph primitive (in small layers written here),
// every layer and activation, every loss, and topologies of depth 1 to 5, widths 1 to 300, mixed
// activations and custom layers; one row and 37 (a SIMD tail); and the check itself, which must
// fail when every gradient is zero or when the analytic gradient is wrong. Float against double.
//
// Compile time: every network here is in double (gradcheck's own type, so each is instantiated
// once), and its layers, activations and losses are at width 4 but for a few dense shapes (4x1,
// 1x4, 4x300): what costs is each distinct layer graph at each width (its SIMD kernels), and
// networks that reuse them are cheap.

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

namespace {

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

std::vector<int> labels(std::size_t rows, std::size_t classes) {
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

}  // namespace

// ---- primitives, layers and losses -------------------------------------------------------------
// Each network below holds several of them, so that few network types cover all (each type costs
// compile time); the worst entry gradcheck reports names the layer that fails.

TEST_CASE("gradcheck: every graph primitive, in layers written for it", "[nn][gradcheck][primitive]") {
    // x W, x W^T, add_row, + - * / and unary minus, exp log sqrt tanh sigmoid relu abs pow max,
    // row_sum row_max row_logsumexp column_mean, softmax, a one-row parameter times a batch; then
    // binary_cross_entropy on probabilities (sigmoid, then identity: no rewrite).
    net<plain_product, arithmetic, functions, reductions, scaled_softmax, nn::dense<4, 4>, nn::sigmoid, nn::identity> n;
    prepare(n, 1);
    check_passes(n, tg::loss::binary_cross_entropy{}, filled<4>(5, 0.2), filled<4>(5, 1.2, 0.45, 0.5));
}

TEST_CASE("gradcheck: every layer and activation", "[nn][gradcheck][layer]") {
    // dense, relu, leaky_relu (0.01 and 0.2), tanh, the gated unit, a swish activation, softmax
    // inside the network, sigmoid, identity; then cross_entropy on probabilities (softmax, then
    // identity: no rewrite).
    net<nn::dense<4, 4>, nn::relu, nn::dense<4, 4>, nn::leaky_relu<>, nn::dense<4, 4>, nn::tanh, gated, swish,
        nn::dense<4, 4>, nn::softmax, nn::dense<4, 4>, nn::leaky_relu<0.2>, nn::dense<4, 4>, nn::sigmoid, nn::dense<4, 4>,
        nn::softmax, nn::identity>
        n;
    prepare(n, 2);
    check_passes(n, tg::loss::cross_entropy{}, filled<4>(5, 0.4), labels(5, 4));
}

TEST_CASE("a network ending in sigmoid or softmax is trained on its logits", "[nn][gradcheck][loss]") {
    // With logits of 1000 the rewrite trains with the exact loss and gradient; the probabilities
    // themselves would be clamped at 1 - 1e-7 (a loss near 16 and a gradient near 0).
    tg::matrix<double, 4> x(1);
    x(0, 0) = 2;  // the other inputs are 0
    SECTION("sigmoid + binary_cross_entropy") {
        net<nn::dense<4, 4>, nn::sigmoid> n;
        n.layer<0>().weight(0, 0) = 500;  // z = (1000, 0, 0, 0)
        tg::matrix<double, 4> t(1);       // targets 0
        auto grads = nn::gradients_like(n);
        double const loss = nn::backprop(n, tg::loss::binary_cross_entropy{}, x, t, grads);
        // softplus(z) - z t, averaged over 4: (1000 + 3 log 2) / 4.
        CHECK(loss == Approx((1000 + 3 * std::log(2.0)) / 4).epsilon(1e-13));
        // dL/dz = (sigmoid(z) - t) / 4 = (1, 1/2, 1/2, 1/2) / 4: dL/dW = dL/dz x^T, dL/db = dL/dz.
        double const dz[4] = {0.25, 0.125, 0.125, 0.125};
        for (std::size_t o = 0; o < 4; ++o) {
            CHECK(grads.layer<0>().bias(o) == Approx(dz[o]).epsilon(1e-13));
            CHECK(grads.layer<0>().weight(o, 0) == Approx(2 * dz[o]).epsilon(1e-13));
            CHECK(grads.layer<0>().weight(o, 1) == 0.0);
        }
    }
    SECTION("softmax + cross_entropy") {
        net<nn::dense<4, 4>, nn::softmax> n;
        n.layer<0>().weight(0, 0) = 500;
        n.layer<0>().weight(1, 0) = -500;  // z = (1000, -1000, 0, 0)
        std::vector<int> const label{1};
        auto grads = nn::gradients_like(n);
        double const loss = nn::backprop(n, tg::loss::cross_entropy{}, x, label, grads);
        CHECK(loss == Approx(2000.0).epsilon(1e-13));  // log-sum-exp 1000, minus z[1] = -1000
        // dL/dz = softmax(z) - y = (1, -1, 0, 0): dL/dW = dL/dz x^T, dL/db = dL/dz.
        double const dz[4] = {1, -1, 0, 0};
        for (std::size_t o = 0; o < 4; ++o) {
            CHECK(grads.layer<0>().bias(o) == Approx(dz[o]).margin(1e-13));
            CHECK(grads.layer<0>().weight(o, 0) == Approx(2 * dz[o]).margin(1e-13));
            CHECK(grads.layer<0>().weight(o, 1) == 0.0);
        }
    }
}

// ---- topologies ----------------------------------------------------------------------------------
// With the two networks above, ten topologies; every loss is used by one of them. Activations
// and losses are all at width 4, so that the topologies share their instantiations.

using depth2 = net<nn::dense<4, 4>, nn::tanh, nn::dense<4, 4>>;

TEST_CASE("gradcheck: topologies of depths 1 to 5, widths 1 to 300", "[nn][gradcheck][topology]") {
    SECTION("depth 1") { check_mse<nn::dense<4, 4>>(20); }
    SECTION("depth 2, softmax_cross_entropy") {
        depth2 n;
        prepare(n, 21);
        check_passes(n, tg::loss::softmax_cross_entropy{}, filled<4>(5, 0.1), labels(5, 4));
    }
    SECTION("depth 4 through a one-wide layer, relu and sigmoid") {
        check_mse<nn::dense<4, 4>, nn::relu, nn::dense<4, 1>, nn::dense<1, 4>, nn::sigmoid, nn::dense<4, 4>>(22);
    }
    SECTION("depth 4, leaky_relu, swish and tanh, bce_with_logits") {
        net<nn::dense<4, 4>, nn::leaky_relu<>, nn::dense<4, 4>, swish, nn::dense<4, 4>, nn::tanh, nn::dense<4, 4>> n;
        prepare(n, 23);
        check_passes(n, tg::loss::bce_with_logits{}, filled<4>(5, 0.9), filled<4>(5, 0.3, 0.5, 0.5));
    }
    SECTION("depth 5, ending in softmax + cross_entropy (rewritten)") {
        net<nn::dense<4, 4>, nn::relu, nn::dense<4, 4>, nn::tanh, nn::dense<4, 4>, nn::sigmoid, nn::dense<4, 4>,
            nn::identity, nn::dense<4, 4>, nn::softmax>
            n;
        prepare(n, 24);
        check_passes(n, tg::loss::cross_entropy{}, filled<4>(5, 0.4), labels(5, 4));
    }
    SECTION("300 wide, then a layer of any width with one output, then 4") {
        STATIC_REQUIRE(net<nn::dense<4, 300>, logsumexp_pool, nn::dense<1, 4>>::widths[2] == 1);
        check_mse<nn::dense<4, 300>, logsumexp_pool, nn::dense<1, 4>>(25, 3);
    }
    SECTION("custom layers first: gated and swish, ending in sigmoid + binary_cross_entropy (rewritten)") {
        net<gated, swish, nn::dense<4, 4>, nn::sigmoid> n;
        prepare(n, 26);
        check_passes(n, tg::loss::binary_cross_entropy{}, filled<4>(5, 1.3), filled<4>(5, 0.8, 0.5, 0.5));
    }
    SECTION("two gated layers between dense ones") {
        net<nn::dense<4, 4>, gated, nn::tanh, gated, nn::dense<4, 4>> n;
        prepare(n, 27);
        check_passes(n, tg::loss::softmax_cross_entropy{}, filled<4>(5, 0.6), labels(5, 4));
    }
    SECTION("one row and 37 rows (a SIMD tail)") {
        for (std::size_t rows : {std::size_t{1}, std::size_t{37}}) {
            INFO(rows << " rows");
            depth2 n;
            prepare(n, 30);
            check_passes(n, tg::loss::softmax_cross_entropy{}, filled<4>(rows, 0.1), labels(rows, 4));
        }
    }
}

// ---- the check itself ------------------------------------------------------------------------------

TEST_CASE("gradcheck fails when every gradient is zero", "[nn][gradcheck]") {
    // All weights 0 and biases -1: relu's input is -1 everywhere, so nothing reaches the loss.
    net<nn::dense<4, 4>, nn::relu> n;
    n.layer<0>().get<"bias">().fill(-1.0);
    auto const x = filled<4>(3, 0.5);
    auto const result = tg::check::gradcheck(n, tg::loss::mse{}, x, filled<4>(3, 0.2));
    INFO(result.message());
    CHECK_FALSE(result.passed);
    CHECK(result.all_zero);
    CHECK(result.largest_gradient <= tg::check::gradcheck_options{}.absolute_tolerance);
    CHECK(result.entries == entries_of(n, 3));
    CHECK(result.message().find("every gradient is zero") != std::string::npos);
}

TEST_CASE("gradcheck fails when the analytic gradient is wrong", "[nn][gradcheck]") {
    depth2 n;
    prepare(n, 40);
    auto const x = filled<4>(4, 0.6);
    auto const l = labels(4, 4);
    // The same network and data pass with the true gradient...
    CHECK(tg::check::gradcheck(n, tg::loss::softmax_cross_entropy{}, x, l).passed);
    // ...and fail with a gradient 1 % off, which the worst entry shows.
    auto const result = tg::check::gradcheck(n, skewed{}, x, l);
    INFO(result.message());
    CHECK_FALSE(result.passed);
    CHECK(result.error > 1);
    CHECK(result.analytic == Approx(1.01 * result.numeric).epsilon(1e-5));
    CHECK(!result.worst_entry.empty());
    CHECK(result.message().find("FAILED") != std::string::npos);
}

TEST_CASE("the same network in float and in double", "[nn][gradcheck][float]") {
    using net_f = nn::sequential<nn::dense<4, 4>, nn::tanh, nn::dense<4, 4>>;
    using net_d = nn::rebind_t<net_f, double>;
    STATIC_REQUIRE(std::is_same_v<net_d, depth2>);
    net_f nf;
    tg::init::initialize(nf, tg::init::xavier_uniform{}, 50);
    net_d nd;
    nd.assign(nf);  // the same values, exactly
    auto const xd = filled<4>(37, 0.25);
    tg::matrix<float, 4> xf(37);
    for (std::size_t i = 0; i < xd.size(); ++i) xf.data()[i] = static_cast<float>(xd.data()[i]);
    tg::matrix<double, 4> x(37);  // the double run reads exactly the float inputs
    for (std::size_t i = 0; i < xd.size(); ++i) x.data()[i] = static_cast<double>(xf.data()[i]);
    auto const l = labels(37, 4);
    auto gf = nn::gradients_like(nf);
    auto gd = nn::gradients_like(nd);
    float const lf = nn::backprop(nf, tg::loss::softmax_cross_entropy{}, xf, l, gf);
    double const ld = nn::backprop(nd, tg::loss::softmax_cross_entropy{}, x, l, gd);
    CHECK(static_cast<double>(lf) == Approx(ld).epsilon(1e-5));
    std::size_t compared = 0;
    double largest = 0;
    gd.for_each_parameter_pair(gf, [&](std::size_t layer, auto name, auto const& d, auto const& f) {
        for (std::size_t i = 0; i < d.size(); ++i) {
            INFO("layer " << layer << " " << std::string(name) << " entry " << i);
            CHECK(static_cast<double>(f.data()[i]) == Approx(d.data()[i]).epsilon(1e-5).margin(1e-6));
            largest = std::max(largest, std::abs(d.data()[i]));
            ++compared;
        }
    });
    CHECK(compared == 2 * (4 * 4 + 4));
    CHECK(largest > 1e-3);  // the gradients compared are not all negligible
    auto const yf = nn::forward(nf, xf);
    auto const yd = nn::forward(nd, x);
    for (std::size_t i = 0; i < yd.size(); ++i)
        CHECK(static_cast<double>(yf.data()[i]) == Approx(yd.data()[i]).epsilon(1e-5).margin(1e-6));
}
