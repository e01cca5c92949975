// tg::nn::sequential: layer access, widths, rebind_t, the forward's shape and values, activations
// run inside the dense layer before them, gradients_like;
// and tg::init: reproducible seeds, the uniform schemes' bounds and the normal schemes' spread on a
// 256 x 784 layer, biases at zero.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/nn/softmax.hpp>

namespace tg = typegrad;
namespace nn = tg::nn;

namespace {

// A layer of any width that changes the width: one column, each row's sum.
struct row_total {
    static constexpr bool any_width = true;
    template <std::size_t W>
    static constexpr auto forward(nn::graph::input<W> x) {
        return row_sum(x);
    }
};

using small_t = nn::sequential<nn::dense<3, 2>, nn::relu>;
using big_t = nn::sequential<nn::dense<784, 256>, nn::relu, nn::dense<256, 10>>;

struct stats {
    double mean = 0, sd = 0, largest = 0;
    std::size_t count = 0;
};

template <class M>
stats stats_of(M const& m) {
    stats s;
    s.count = m.size();
    for (std::size_t i = 0; i < m.size(); ++i) s.mean += static_cast<double>(m.data()[i]);
    s.mean /= static_cast<double>(s.count);
    for (std::size_t i = 0; i < m.size(); ++i) {
        double const v = static_cast<double>(m.data()[i]);
        s.sd += (v - s.mean) * (v - s.mean);
        s.largest = std::max(s.largest, std::abs(v));
    }
    s.sd = std::sqrt(s.sd / static_cast<double>(s.count - 1));
    return s;
}

}  // namespace

TEST_CASE("a network's widths, layers and scalar type are known from its type", "[nn][sequential]") {
    STATIC_REQUIRE(big_t::in_features == 784);
    STATIC_REQUIRE(big_t::out_features == 10);
    STATIC_REQUIRE(big_t::size == 3);
    STATIC_REQUIRE(big_t::widths == std::array<std::size_t, 4>{784, 256, 256, 10});
    STATIC_REQUIRE(std::is_same_v<big_t::layer_type<1>, nn::relu>);
    STATIC_REQUIRE(std::is_same_v<big_t::value_type, float>);
    // A layer of any width takes the width before it, and gives the width of its graph.
    using pooled = nn::sequential<nn::dense<3, 5>, nn::tanh, row_total, nn::dense<1, 2>, nn::softmax>;
    STATIC_REQUIRE(pooled::widths == std::array<std::size_t, 6>{3, 5, 5, 1, 2, 2});
    STATIC_REQUIRE(pooled::out_features == 2);
    STATIC_REQUIRE(nn::layer<row_total>);
    STATIC_REQUIRE(!nn::layer<int>);

    // rebind_t: the same layers in another scalar type, for networks and their gradients.
    using big64 = nn::rebind_t<big_t, double>;
    STATIC_REQUIRE(std::is_same_v<big64, nn::basic_sequential<double, nn::dense<784, 256>, nn::relu, nn::dense<256, 10>>>);
    STATIC_REQUIRE(std::is_same_v<big64::value_type, double>);
    STATIC_REQUIRE(std::is_same_v<nn::rebind_t<big64, float>, big_t>);
    STATIC_REQUIRE(std::is_same_v<nn::rebind_t<nn::parameter_set<float, nn::dense<3, 2>>, double>,
                                  nn::parameter_set<double, nn::dense<3, 2>>>);
}

TEST_CASE("layer<I>() reaches each layer's parameters, in PyTorch's layout", "[nn][sequential]") {
    big_t net;
    // Parameters start at zero, each with its declared shape.
    CHECK(net.layer<0>().get<"weight">().rows() == 256);
    STATIC_REQUIRE(std::remove_reference_t<decltype(net.layer<0>().get<"weight">())>::cols == 784);
    CHECK(net.layer<0>().get<"bias">().rows() == 1);
    STATIC_REQUIRE(std::remove_reference_t<decltype(net.layer<2>().get<"bias">())>::cols == 10);
    CHECK(net.layer<2>().weight(9, 255) == 0.0f);
    // weight(o, i) and bias(o) are the storage: row o, column i.
    net.layer<2>().weight(9, 255) = 1.5f;
    net.layer<2>().bias(7) = -2.0f;
    CHECK(net.layer<2>().get<"weight">()(9, 255) == 1.5f);
    CHECK(net.layer<2>().get<"bias">()(0, 7) == -2.0f);
    big_t const& view = net;
    CHECK(view.layer<2>().weight(9, 255) == 1.5f);
    // Every parameter, in order: (layer, name, shape).
    std::vector<std::size_t> layers, sizes;
    std::vector<std::string> names;
    net.for_each_parameter([&](std::size_t layer, auto name, auto const& m) {
        layers.push_back(layer);
        names.emplace_back(name);
        sizes.push_back(m.size());
    });
    CHECK(layers == std::vector<std::size_t>{0, 0, 2, 2});
    CHECK(names == std::vector<std::string>{"weight", "bias", "weight", "bias"});
    CHECK(sizes == std::vector<std::size_t>{256 * 784, 256, 10 * 256, 10});
}

TEST_CASE("forward: one output row per input row, computed as written", "[nn][sequential]") {
    small_t net;
    float const w[2][3] = {{1, -2, 0.5f}, {0.25f, 1, -1}};
    float const b[2] = {0.5f, -0.25f};
    for (std::size_t o = 0; o < 2; ++o) {
        for (std::size_t i = 0; i < 3; ++i) net.layer<0>().weight(o, i) = w[o][i];
        net.layer<0>().bias(o) = b[o];
    }
    for (std::size_t rows : {std::size_t{1}, std::size_t{5}, std::size_t{37}}) {
        tg::matrix<float, 3> x(rows);
        for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(std::sin(0.9 * static_cast<double>(i)));
        auto const y = nn::forward(net, x);
        STATIC_REQUIRE(std::is_same_v<std::remove_const_t<decltype(y)>, tg::matrix<float, 2>>);
        REQUIRE(y.rows() == rows);
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t o = 0; o < 2; ++o) {
                double z = b[o];
                for (std::size_t i = 0; i < 3; ++i) z += static_cast<double>(w[o][i]) * static_cast<double>(x(r, i));
                CHECK(static_cast<double>(y(r, o)) == Approx(std::max(z, 0.0)).epsilon(1e-6).margin(1e-6));
            }
    }
}

TEST_CASE("an activation whose derivative reads only its value runs inside the dense layer before it",
          "[nn][sequential][fusion]") {
    // Which activations qualify: the rule is read off the derivative's type.
    constexpr tg::var<0> z;
    STATIC_REQUIRE(nn::graph::derivative_reads_only_value_v<decltype(tg::sigmoid(z))>);
    STATIC_REQUIRE(nn::graph::derivative_reads_only_value_v<decltype(tg::tanh(z))>);
    STATIC_REQUIRE(nn::graph::derivative_reads_only_value_v<decltype(tg::relu(z))>);
    STATIC_REQUIRE(nn::graph::derivative_reads_only_value_v<tg::var<0>>);
    STATIC_REQUIRE(!nn::graph::derivative_reads_only_value_v<decltype(tg::softplus(z))>);
    STATIC_REQUIRE(!nn::graph::derivative_reads_only_value_v<decltype(z * tg::sigmoid(z))>);  // swish
    STATIC_REQUIRE(!nn::graph::derivative_reads_only_value_v<decltype(tg::max(z, tg::constant<0.01>{} * z))>);

    using fused_t = nn::sequential<nn::dense<4, 6>, nn::relu, nn::dense<6, 5>, nn::tanh, nn::dense<5, 3>, nn::sigmoid>;
    STATIC_REQUIRE(nn::graph::is_gemm_root_v<fused_t::graph_type<0>>);
    STATIC_REQUIRE(nn::detail::runs_in_previous<fused_t, 1, nn::mode::training>());
    STATIC_REQUIRE(nn::detail::runs_in_previous<fused_t, 3, nn::mode::inference>());
    STATIC_REQUIRE(nn::detail::runs_in_previous<fused_t, 5, nn::mode::inference>());
    STATIC_REQUIRE(!nn::detail::runs_in_previous<fused_t, 2, nn::mode::training>());  // a dense layer
    STATIC_REQUIRE(!nn::detail::runs_in_previous<nn::sequential<nn::dense<2, 3>, nn::leaky_relu<>>, 1,
                                                 nn::mode::training>());  // reads its argument
    STATIC_REQUIRE(!nn::detail::runs_in_previous<nn::sequential<nn::dense<2, 3>, nn::relu, nn::relu>, 2,
                                                 nn::mode::training>());  // after an activation

    fused_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 11);
    for (std::size_t rows : {std::size_t{1}, std::size_t{7}, std::size_t{40}}) {
        tg::matrix<float, 4> x(rows);
        for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(std::sin(1.3 * static_cast<double>(i)));
        auto const y = nn::forward(net, x);
        // The activations computed nothing of their own: their workspaces never held a value.
        CHECK(net.workspace<1, nn::mode::inference>().value<fused_t::graph_type<1, nn::mode::inference>>().rows() == 0);
        CHECK(net.workspace<5, nn::mode::inference>().value<fused_t::graph_type<5, nn::mode::inference>>().rows() == 0);
        REQUIRE(y.rows() == rows);
        for (std::size_t r = 0; r < rows; ++r) {
            // The whole network in double, written out.
            double h1[6], h2[5];
            for (std::size_t o = 0; o < 6; ++o) {
                double s = net.layer<0>().bias(o);
                for (std::size_t i = 0; i < 4; ++i) s += double(net.layer<0>().weight(o, i)) * double(x(r, i));
                h1[o] = std::max(s, 0.0);
            }
            for (std::size_t o = 0; o < 5; ++o) {
                double s = net.layer<2>().bias(o);
                for (std::size_t i = 0; i < 6; ++i) s += double(net.layer<2>().weight(o, i)) * h1[i];
                h2[o] = std::tanh(s);
            }
            for (std::size_t o = 0; o < 3; ++o) {
                double s = net.layer<4>().bias(o);
                for (std::size_t i = 0; i < 5; ++i) s += double(net.layer<4>().weight(o, i)) * h2[i];
                CHECK(double(y(r, o)) == Approx(1 / (1 + std::exp(-s))).epsilon(1e-5));
            }
        }
    }
}

TEST_CASE("a fused relu trains exactly as the same function unfused", "[nn][sequential][fusion]") {
    // relu and leaky_relu<0> (max(z, 0 z), whose derivative reads z) are the same function; with
    // the same GEMMs and relu exact, the fused and the unfused network agree to the bit.
    using fused_t = nn::sequential<nn::dense<5, 33>, nn::relu, nn::dense<33, 3>>;
    using unfused_t = nn::sequential<nn::dense<5, 33>, nn::leaky_relu<0.0>, nn::dense<33, 3>>;
    STATIC_REQUIRE(nn::detail::runs_in_previous<fused_t, 1, nn::mode::training>());
    STATIC_REQUIRE(!nn::detail::runs_in_previous<unfused_t, 1, nn::mode::training>());
    fused_t fused;
    unfused_t unfused;
    tg::init::initialize(fused, tg::init::he_uniform{}, 5);
    tg::init::initialize(unfused, tg::init::he_uniform{}, 5);
    for (std::size_t i = 0; i < 33; ++i) fused.layer<0>().bias(i) = unfused.layer<0>().bias(i) = 0.01f * float(i % 7) - 0.03f;
    for (std::size_t rows : {std::size_t{1}, std::size_t{9}, std::size_t{64}}) {
        tg::matrix<float, 5> x(rows);
        tg::matrix<float, 3> target(rows);
        for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(std::cos(0.7 * static_cast<double>(i)));
        for (std::size_t i = 0; i < target.size(); ++i) target.data()[i] = static_cast<float>(i % 3) - 1.0f;
        auto grads_fused = nn::gradients_like(fused);
        auto grads_unfused = nn::gradients_like(unfused);
        float const loss_fused = nn::backprop(fused, tg::loss::mse{}, x, target, grads_fused);
        float const loss_unfused = nn::backprop(unfused, tg::loss::mse{}, x, target, grads_unfused);
        CHECK(loss_fused == loss_unfused);
        for (std::size_t i = 0; i < 33 * 5; ++i)
            CHECK(grads_fused.layer<0>().get<"weight">().data()[i] == grads_unfused.layer<0>().get<"weight">().data()[i]);
        for (std::size_t i = 0; i < 33; ++i) CHECK(grads_fused.layer<0>().bias(i) == grads_unfused.layer<0>().bias(i));
        for (std::size_t i = 0; i < 3 * 33; ++i)
            CHECK(grads_fused.layer<2>().get<"weight">().data()[i] == grads_unfused.layer<2>().get<"weight">().data()[i]);
        // Not vacuous: some hidden units are off, and the gradient reaches the first layer.
        CHECK(std::any_of(grads_fused.layer<0>().get<"weight">().data(),
                          grads_fused.layer<0>().get<"weight">().data() + 33 * 5, [](float v) { return v != 0.0f; }));
    }
}

TEST_CASE("gradients_like: zeroed storage shaped like every parameter", "[nn][sequential]") {
    small_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, 3);
    auto grads = nn::gradients_like(net);
    STATIC_REQUIRE(std::is_same_v<decltype(grads), nn::parameter_set<float, nn::dense<3, 2>, nn::relu>>);
    std::size_t pairs = 0;
    net.for_each_parameter_pair(grads, [&](std::size_t, auto, auto const& value, auto const& gradient) {
        ++pairs;
        CHECK(gradient.rows() == value.rows());
        STATIC_REQUIRE(std::remove_reference_t<decltype(gradient)>::cols == std::remove_reference_t<decltype(value)>::cols);
        for (std::size_t i = 0; i < gradient.size(); ++i) CHECK(gradient.data()[i] == 0.0f);
    });
    CHECK(pairs == 2);
    grads.layer<0>().weight(1, 2) = 4.0f;  // writable, in the same layout
    CHECK(grads.layer<0>().get<"weight">()(1, 2) == 4.0f);
    grads.zero();
    CHECK(grads.layer<0>().weight(1, 2) == 0.0f);
}

TEST_CASE("initialize: the same seed gives the same weights, another seed others", "[nn][init]") {
    big_t a, b, c;
    tg::init::initialize(a, tg::init::he_uniform{}, 42);
    tg::init::initialize(b, tg::init::he_uniform{}, 42);
    tg::init::initialize(c, tg::init::he_uniform{}, 43);
    std::size_t total = 0, same_ab = 0, same_ac = 0;
    a.for_each_parameter_pair(b, [&](std::size_t, auto, auto const& x, auto const& y) {
        for (std::size_t i = 0; i < x.size(); ++i) same_ab += x.data()[i] == y.data()[i] ? 1 : 0;
        total += x.size();
    });
    a.for_each_parameter_pair(c, [&](std::size_t, auto name, auto const& x, auto const& y) {
        if (name == "weight")
            for (std::size_t i = 0; i < x.size(); ++i) same_ac += x.data()[i] == y.data()[i] ? 1 : 0;
    });
    CHECK(same_ab == total);
    CHECK(same_ac < 10);  // of 203,264 weights
    // The draws are std::mt19937_64's, whose output the standard fixes, through the documented
    // transform: u = (draw >> 11) 2^-53, weight = (2u - 1) a, a = sqrt(6 / fan_in), layer by layer,
    // row-major.
    std::mt19937_64 engine(42);
    double const bound = std::sqrt(6.0 / 784);
    for (std::size_t i = 0; i < 3; ++i) {
        double const u = static_cast<double>(engine() >> 11) * 0x1p-53;
        CHECK(a.layer<0>().weight(0, i) == static_cast<float>((2 * u - 1) * bound));
    }
}

TEST_CASE("initialize: uniform bounds, normal spreads, zero biases", "[nn][init]") {
    // A 256 x 784 weight: fan_in 784, fan_out 256. 200,704 draws: a sample's standard deviation
    // is within 0.2 % of the true one (one standard error), so 2 % is far outside chance.
    constexpr double fan_in = 784, fan_out = 256;
    big_t net;
    auto const set_biases = [&] {
        net.layer<0>().get<"bias">().fill(3.0f);
        net.layer<2>().get<"bias">().fill(3.0f);
    };
    auto const check_biases_zero = [&] {
        for (float v : net.layer<0>().get<"bias">().row(0)) CHECK(v == 0.0f);
        for (float v : net.layer<2>().get<"bias">().row(0)) CHECK(v == 0.0f);
    };
    auto const check_uniform = [&](double a) {
        auto const s = stats_of(net.layer<0>().get<"weight">());
        CHECK(s.largest <= a);
        CHECK(s.largest > 0.999 * a);                     // the bound is reached, not just respected
        CHECK(std::abs(s.mean) < 5 * a / std::sqrt(3.0 * static_cast<double>(s.count)));
        CHECK(s.sd == Approx(a / std::sqrt(3.0)).epsilon(0.02));  // U(-a, a) has sd a / sqrt(3)
    };
    auto const check_normal = [&](double sd) {
        auto const s = stats_of(net.layer<0>().get<"weight">());
        CHECK(s.sd == Approx(sd).epsilon(0.02));
        CHECK(std::abs(s.mean) < 5 * sd / std::sqrt(static_cast<double>(s.count)));
        CHECK(s.largest > 3 * sd);  // tails, as a normal has and a uniform of this sd has not
    };
    SECTION("xavier_uniform") {
        set_biases();
        tg::init::initialize(net, tg::init::xavier_uniform{}, 1);
        check_uniform(std::sqrt(6 / (fan_in + fan_out)));
        check_biases_zero();
        // The second layer: fan_in 256, fan_out 10.
        CHECK(stats_of(net.layer<2>().get<"weight">()).largest <= std::sqrt(6.0 / (256 + 10)));
    }
    SECTION("he_uniform") {
        set_biases();
        tg::init::initialize(net, tg::init::he_uniform{}, 2);
        check_uniform(std::sqrt(6 / fan_in));
        check_biases_zero();
        CHECK(stats_of(net.layer<2>().get<"weight">()).largest <= std::sqrt(6.0 / 256));
    }
    SECTION("xavier_normal") {
        set_biases();
        tg::init::initialize(net, tg::init::xavier_normal{}, 3);
        check_normal(std::sqrt(2 / (fan_in + fan_out)));
        check_biases_zero();
    }
    SECTION("he_normal") {
        set_biases();
        tg::init::initialize(net, tg::init::he_normal{}, 4);
        check_normal(std::sqrt(2 / fan_in));
        check_biases_zero();
    }
}
