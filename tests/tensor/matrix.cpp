// tg::matrix: layout, alignment, allocation only on construction and growth, value semantics.

#include <catch2/catch.hpp>

#include <cstdint>

#include <typegrad/tensor/matrix.hpp>

namespace tg = typegrad;

TEMPLATE_TEST_CASE("a matrix is zeroed, aligned, row-major and dense", "[tensor][matrix]", float, double) {
    tg::matrix<TestType, 7> m(5);
    STATIC_REQUIRE(tg::matrix<TestType, 7>::cols == 7);
    REQUIRE(m.rows() == 5);
    REQUIRE(m.size() == 35);
    CHECK(reinterpret_cast<std::uintptr_t>(m.data()) % 64 == 0);
    for (std::size_t r = 0; r < 5; ++r)
        for (std::size_t c = 0; c < 7; ++c) CHECK(m(r, c) == 0);
    m(2, 3) = 4;
    CHECK(m.data()[2 * 7 + 3] == 4);
    CHECK(m.row(2)[3] == 4);
    STATIC_REQUIRE(decltype(m.row(0))::extent == 7);
}

TEST_CASE("resize allocates only to grow, keeps rows and zeroes new ones", "[tensor][matrix]") {
    tg::matrix<float, 3> m(4);
    m(3, 2) = 1.5f;
    float const* before = m.data();
    m.resize(2);
    CHECK(m.rows() == 2);
    CHECK(m.capacity() == 4);
    m.resize(4);
    CHECK(m.data() == before);  // shrinking and growing back reuses the storage
    CHECK(m(3, 2) == 0.0f);     // rows that come back are zeroed
    m(1, 1) = 7.0f;
    m.resize(100);
    CHECK(m.data() != before);
    CHECK(m(1, 1) == 7.0f);
    CHECK(m(99, 2) == 0.0f);
}

TEST_CASE("matrices copy deeply and move cheaply", "[tensor][matrix]") {
    tg::matrix<double, 2> a(3);
    a(1, 1) = 2.0;
    tg::matrix<double, 2> b = a;
    b(1, 1) = 3.0;
    CHECK(a(1, 1) == 2.0);
    double const* storage = b.data();
    tg::matrix<double, 2> c = std::move(b);
    CHECK(c.data() == storage);
    CHECK(b.rows() == 0);  // NOLINT(bugprone-use-after-move): a moved-from matrix is empty
    CHECK(b.data() == nullptr);
    a = c;
    CHECK(a(1, 1) == 3.0);
    tg::matrix<double, 2> empty;
    CHECK(empty.empty());
    a = empty;
    CHECK(a.rows() == 0);
}

TEST_CASE("an impossible size is a tg::error, not an overflow", "[tensor][matrix]") {
    using wide = tg::matrix<float, 1024>;
    // volatile: a count known to the optimiser makes GCC warn about the (unreachable) fill.
    std::size_t volatile const too_many_rows = std::size_t(-1) / 8;
    CHECK_THROWS_AS(wide(too_many_rows), tg::error);
    CHECK_THROWS_WITH(wide(too_many_rows), Catch::Contains("do not fit in memory"));
}
