// tg::matrix_view: views over matrices and over caller memory, subrows, const conversion.

#include <catch2/catch.hpp>

#include <array>

#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

namespace tg = typegrad;

TEST_CASE("a view over caller memory sees that memory", "[tensor][view]") {
    std::array<double, 6> memory{1, 2, 3, 4, 5, 6};
    tg::matrix_view<double, 3> v(memory.data(), 2);
    CHECK(v.rows() == 2);
    CHECK(v(1, 0) == 4);
    v(0, 2) = 30;
    CHECK(memory[2] == 30);
    tg::const_matrix_view<double, 3> c = v;
    CHECK(c(0, 2) == 30);
    STATIC_REQUIRE(std::is_const_v<std::remove_reference_t<decltype(c(0, 0))>>);
}

TEST_CASE("subrows views a row range and checks it", "[tensor][view]") {
    tg::matrix<float, 4> m(10);
    m(7, 1) = 3.0f;
    auto const tail = m.subrows(5, 5);
    CHECK(tail.rows() == 5);
    CHECK(tail(2, 1) == 3.0f);
    CHECK(tail.data() == m.data() + 5 * 4);
    CHECK(m.subrows(10, 0).empty());
    CHECK_THROWS_WITH(m.subrows(8, 3), Catch::Contains("rows [8, 11) are beyond a view of 10 rows"));
    CHECK_THROWS_AS(m.subrows(11, 0), tg::error);
    CHECK_THROWS_AS(tail.subrows(1, 5), tg::error);
}

TEST_CASE("matrices and views are matrix_like", "[tensor][view]") {
    STATIC_REQUIRE(tg::matrix_like<tg::matrix<float, 3>>);
    STATIC_REQUIRE(tg::matrix_like<tg::matrix<float, 3> const>);
    STATIC_REQUIRE(tg::matrix_like<tg::matrix_view<float const, 3>>);
    STATIC_REQUIRE_FALSE(tg::matrix_like<std::array<float, 3>>);
    STATIC_REQUIRE(std::is_same_v<tg::view_t<tg::matrix<float, 3> const>, tg::matrix_view<float const, 3>>);
}
