// tg::gemm's three products against a double reference (gemm_reference.hpp) on awkward shapes.
//
// Every compile-time (K, N) pair below runs for every M in batch_sizes, through the public
// function and through each kernel it may pick (forward's dot-product tiles and, from 32 outputs,
// its packed broadcasts; for small layers also the backward tiles and the small-product loops),
// so each kernel meets full tiles, row tails, column tails, K tails (K % lanes),
// narrow batches (K shorter than a vector), scalar rows, row blocks larger than L2 and
// weight_gradient's packed path (M >= 128). The pairs form a cycle over
// {1, 3, 7, 16, 17, 31, 64, 65, 257}, so each value is a K once and an N once; 10 x 20 adds an
// 8-lane batch with a tail (AVX-512 floats) and 784 x 256 the first layer of the examples.
// Inputs are tg::matrix (aligned); outputs are caller memory starting at an odd offset, between
// guards that must survive. Float here; double in gemm_shapes_double.cpp, so that each file
// compiles within its budget (under sanitizers especially).

#include <tuple>

#include <catch2/catch.hpp>

#include "gemm_reference.hpp"

namespace {

using shapes =
    std::tuple<gemm_test::shape<1, 3, float>, gemm_test::shape<3, 7, float>, gemm_test::shape<7, 16, float>,
               gemm_test::shape<16, 17, float>, gemm_test::shape<17, 31, float>, gemm_test::shape<31, 64, float>,
               gemm_test::shape<64, 65, float>, gemm_test::shape<65, 257, float>, gemm_test::shape<257, 1, float>,
               gemm_test::shape<10, 20, float>, gemm_test::shape<784, 256, float>>;

}  // namespace

TEMPLATE_LIST_TEST_CASE("float products match a double reference for every batch size", "[tensor][gemm]", shapes) {
    gemm_test::check_shape<TestType>();
}

TEMPLATE_LIST_TEST_CASE("float products split over two threads give the one-thread results to the bit", "[tensor][gemm]",
                        shapes) {
    gemm_test::check_threads<TestType>();
}
