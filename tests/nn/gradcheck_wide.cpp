// tg::check::gradcheck on a topology 300 wide, then a layer of any width that changes the width
// (one column: the log-sum-exp of each row), then 4 again. Its own translation unit: the 4 x 300
// dense layer's GEMMs are costly to compile under the sanitizers.

#include <catch2/catch.hpp>

#include <cstddef>

#include "gradcheck_support.hpp"

using namespace gradcheck_support;

TEST_CASE("gradcheck: a topology 300 wide", "[nn][gradcheck][topology]") {
    STATIC_REQUIRE(net<nn::dense<4, 300>, logsumexp_pool, nn::dense<1, 4>>::widths[2] == 1);
    check_mse<nn::dense<4, 300>, logsumexp_pool, nn::dense<1, 4>>(25, 3);
}
