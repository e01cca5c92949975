// tg::check::gradcheck over the nn/ layer: every graph primitive (in small layers written for it),
// the losses' rewrites at logits of 1000; the check itself, which must fail when every gradient is
// zero or when the analytic gradient is wrong. Every layer and activation, the other losses and
// the topologies are in gradcheck_topologies.cpp and gradcheck_wide.cpp, the layers and helpers
// they share in gradcheck_support.hpp; float against double in tutorial_2_3_1.cpp (on the
// tutorial's float network).
//
// Compile time: every network here is in double (gradcheck's own type, so each is instantiated
// once), and its layers, activations and losses are at width 4 but for a few dense shapes (4x1,
// 1x4, 4x300): what costs is each distinct layer graph at each width (its SIMD kernels, and a
// dense layer's GEMMs), and networks that reuse them are cheap.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "gradcheck_support.hpp"

using namespace gradcheck_support;

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
