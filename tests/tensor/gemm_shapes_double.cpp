// tg::gemm's three products in double against the reference (gemm_reference.hpp): the cycle of
// (K, N) pairs of gemm_shapes.cpp, each value of {1, 3, 7, 16, 17, 31, 64, 65, 257} a K once and
// an N once, for every M in batch_sizes; plus a fused epilogue. The dense-layer shapes run in
// float only (gemm_shapes.cpp).

#include <tuple>

#include <catch2/catch.hpp>

#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/tensor/gemm.hpp>
#include <typegrad/tensor/matrix.hpp>

#include "gemm_reference.hpp"

namespace {

namespace tg = typegrad;

using shapes =
    std::tuple<gemm_test::shape<1, 3, double>, gemm_test::shape<3, 7, double>, gemm_test::shape<7, 16, double>,
               gemm_test::shape<16, 17, double>, gemm_test::shape<17, 31, double>, gemm_test::shape<31, 64, double>,
               gemm_test::shape<64, 65, double>, gemm_test::shape<65, 257, double>, gemm_test::shape<257, 1, double>>;

}  // namespace

TEMPLATE_LIST_TEST_CASE("double products match a double reference for every batch size", "[tensor][gemm]", shapes) {
    gemm_test::check_shape<TestType>();
}

TEMPLATE_LIST_TEST_CASE("double products split over two threads give the one-thread results to the bit", "[tensor][gemm]",
                        shapes) {
    gemm_test::check_threads<TestType>();
}

TEST_CASE("double forward fuses a relu epilogue", "[tensor][gemm]") {
    auto relu = [](auto v) { return tg::eval(tg::relu(tg::var<0>{}), v); };
    for (std::size_t m : {std::size_t{1}, std::size_t{17}}) {
        INFO("M = " << m);
        auto const x = gemm_test::filled<double, 65>(m, gemm_test::data::real, 1);
        auto const w = gemm_test::filled<double, 65>(20, gemm_test::data::real, 2);
        auto const bias = gemm_test::random_values<double>(20, gemm_test::data::real, 3);
        gemm_test::guarded<double> y(m * 20);
        gemm_test::check_forward<double, 65, 20>(x, w, bias, tg::matrix_view<double, 20>(y.data(), m),
                                                 gemm_test::data::real, relu, gemm_test::relu);
        CHECK(y.guards_intact());
    }
}
