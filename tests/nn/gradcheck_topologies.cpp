// tg::check::gradcheck over every layer and activation (in one deep network), and topologies:
// depths 1 to 5, widths 1 to 4, mixed activations, custom layers; one row and 37 (a SIMD tail).
// With the primitives' network of gradcheck.cpp and the 300-wide one of gradcheck_wide.cpp, ten
// topologies or more.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

#include "gradcheck_support.hpp"

using namespace gradcheck_support;

// ---- topologies ----------------------------------------------------------------------------------
// With the two networks above, ten topologies; every loss is used by one of them. Activations
// and losses are all at width 4, so that the topologies share their instantiations.

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

TEST_CASE("gradcheck: topologies of depths 1 to 5, widths 1 to 4", "[nn][gradcheck][topology]") {
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
