// tg::gemm's products on narrow layers, against the double reference for every batch size and
// to the bit on two threads.
//
// Forward: layers of fewer outputs than lanes whose K is a whole number of vectors run their
// larger batches as broadcasts over a packed W, in groups of outputs by the binary digits of N:
// 10 = 8 + 2 (the classifier), 15 = 8 + 4 + 2 + 1 (every group width), 3 = 2 + 1 with K one
// vector, and 7 = 4 + 2 + 1 in double (on AVX-512; shapes that another vector width does not
// make narrow still check the kernels it picks). Their smaller batches run dot products, as tiles
// of 5 columns where 5 divides N and 4 does not (10, 15, and 5 in double).
//
// weight_gradient: layers a few outputs wider than a tile (N from 9 to 12 on AVX-512) run dW as
// one tile of all N rows, split over threads by panels of columns instead of rows. The K values
// give the panel splits every ending: whole panels (128), a last panel of its own (50: 32 + 18),
// and a last vector that reaches back into the panel before it and so must go to the same thread
// (72 floats: 64 + 8; 70 doubles: 64 + 6).

#include <cstddef>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include <typegrad/tensor/gemm.hpp>

#include "gemm_reference.hpp"

namespace {

using shapes = std::tuple<gemm_test::shape<128, 10, float>, gemm_test::shape<32, 15, float>,
                          gemm_test::shape<16, 3, float>, gemm_test::shape<64, 7, double>,
                          gemm_test::shape<50, 12, float>, gemm_test::shape<72, 9, float>,
                          gemm_test::shape<70, 11, double>, gemm_test::shape<40, 5, double>>;

}  // namespace

TEMPLATE_LIST_TEST_CASE("narrow layers' products match a double reference for every batch size", "[tensor][gemm]",
                        shapes) {
    gemm_test::check_shape<TestType>();
}

TEMPLATE_LIST_TEST_CASE("narrow layers' products split over two threads give the one-thread results to the bit",
                        "[tensor][gemm]", shapes) {
    gemm_test::check_threads<TestType>();
}

namespace {

namespace tg = typegrad;

/// The columns each unit of for_each_panel<K, L, Vecs> writes, unit by unit.
template <std::size_t K, std::size_t L, std::size_t Vecs>
std::vector<std::vector<int>> columns_by_unit() {
    constexpr std::size_t units = tg::gemm::detail::panel_units<K, L, Vecs>;
    std::vector<std::vector<int>> owner(units, std::vector<int>(K, 0));
    for (std::size_t u = 0; u < units; ++u)
        tg::gemm::detail::for_each_panel<K, L, Vecs>(
            [&]<class Panel>(Panel, std::size_t base) {
                for (std::size_t v = 0; v < Panel::vecs; ++v)
                    for (std::size_t l = 0; l < L; ++l) ++owner[u][base + Panel::offset(v) + l];
            },
            u, u + 1);
    return owner;
}

/// Every column is written by exactly one unit (counting the lanes an overlapping last vector
/// rewrites), so units given to different threads never write the same element.
template <std::size_t K, std::size_t L, std::size_t Vecs>
void check_units(std::size_t expected_units) {
    INFO("K = " << K << ", L = " << L << ", Vecs = " << Vecs);
    auto const owner = columns_by_unit<K, L, Vecs>();
    CHECK(owner.size() == expected_units);
    for (std::size_t k = 0; k < K; ++k) {
        std::size_t writers = 0;
        for (auto const& unit : owner) writers += unit[k] != 0;
        INFO("column " << k);
        CHECK(writers == 1);
    }
}

}  // namespace

TEST_CASE("panel units cover every column once, an overlapping last vector in its predecessor's unit",
          "[tensor][gemm]") {
    check_units<128, 16, 2>(4);  // whole panels
    check_units<50, 16, 2>(2);   // 32, then 18 columns of their own
    check_units<72, 16, 2>(2);   // 32, then 32 + one vector over the last 8 (rewrites 8 of unit 1's lanes)
    check_units<80, 16, 2>(2);   // the last vector exactly after the last panel, in its unit
    check_units<16, 16, 2>(1);   // one vector in all
    check_units<70, 8, 2>(4);    // doubles: 4 x 16, then a vector over the last 6
}
