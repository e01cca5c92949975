// tg::gemm: fused epilogues, views over caller memory and unaligned rows, the call forms,
// errors, aliasing, allocations and concurrent calls. The shape sweeps are gemm_shapes.cpp (float) and
// gemm_shapes_double.cpp: three files, so that each compiles within its budget under sanitizers.
// The reference and its tolerances are in gemm_reference.hpp.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <span>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <typegrad/error.hpp>
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/tensor/gemm.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

#include "gemm_reference.hpp"

#include "../support/count_allocations.hpp"

namespace {

namespace tg = typegrad;
using gemm_test::data;
using gemm_test::filled;
using gemm_test::guarded;
using gemm_test::random_values;

constexpr tg::var<0> v0;

// Epilogues as a user writes them: an expression evaluated on whatever value the kernel passes.
struct relu_epilogue {
    template <class V>
    V operator()(V v) const noexcept {
        return tg::eval(tg::relu(v0), v);
    }
};
struct tanh_epilogue {
    template <class V>
    V operator()(V v) const noexcept {
        return tg::eval(tg::tanh(v0), v);
    }
};

// Counts how the kernel calls it: on vectors (fused into the vector store) or on scalars.
struct counting_epilogue {
    std::size_t* vector_calls;
    std::size_t* scalar_calls;
    template <class V>
    V operator()(V v) const noexcept {
        if constexpr (tg::is_batch_v<V>)
            ++*vector_calls;
        else
            ++*scalar_calls;
        return v;
    }
};

// An epilogue that only takes scalars: the kernels apply it lane by lane.
struct scalar_only_epilogue {
    float operator()(float v) const noexcept { return 2.0f * v; }
};

template <class T, std::size_t K, std::size_t N, class Epilogue>
void check_epilogue(Epilogue epilogue, double (*activation)(double), double extra) {
    for (std::size_t m : {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{17}})
        for (gemm_test::path p : gemm_test::paths<T, K, N>()) {
            INFO("K = " << K << ", N = " << N << ", M = " << m << ", path " << gemm_test::path_name(p));
            auto const x = filled<T, K>(m, data::real, 11);
            auto const w = filled<T, K>(N, data::real, 12);
            auto const bias = random_values<T>(N, data::real, 13);
            guarded<T> y(m * N);
            gemm_test::check_forward<T, K, N>(x, w, bias, tg::matrix_view<T, N>(y.data(), m), data::real, epilogue,
                                              activation, extra, p);
            CHECK(y.guards_intact());
        }
}

template <class T>
double tanh_error() {
    return 8 * double(std::numeric_limits<T>::epsilon());
}

}  // namespace

TEST_CASE("forward fuses relu and tanh epilogues written as expressions", "[tensor][gemm]") {
    double (*relu)(double) = gemm_test::relu;
    double (*tanh)(double) = [](double v) { return std::tanh(v); };
    // Scalar rows (K = 3), narrow vectors (K = 8), full vectors with K tails (17, 65) and without.
    check_epilogue<float, 3, 5>(relu_epilogue{}, relu, 0);
    check_epilogue<float, 8, 16>(relu_epilogue{}, relu, 0);
    check_epilogue<float, 17, 31>(relu_epilogue{}, relu, 0);
    check_epilogue<float, 64, 33>(tanh_epilogue{}, tanh, tanh_error<float>());
}

TEST_CASE("forward applies the epilogue to vectors, and lane by lane when it only takes scalars", "[tensor][gemm]") {
    // 16 rows run on the register tiles, one row on the small-product loops.
    for (std::size_t m : {std::size_t{16}, std::size_t{1}}) {
        INFO("M = " << m);
        std::size_t vector_calls = 0, scalar_calls = 0;
        auto const x = filled<float, 64>(m, data::grid, 1);
        auto const w = filled<float, 64>(32, data::grid, 2);
        tg::matrix<float, 32> y(m);
        tg::gemm::forward<64, 32>(x, w, {}, y, counting_epilogue{&vector_calls, &scalar_calls});
        CHECK(vector_calls > 0);
        CHECK(scalar_calls == 0);  // 32 outputs per row: whole vectors only

        guarded<float> y2(m * 32);
        gemm_test::check_forward<float, 64, 32>(x, w, {}, tg::matrix_view<float, 32>(y2.data(), m), data::grid,
                                                scalar_only_epilogue{}, [](double v) { return 2 * v; });
    }
}

TEST_CASE("weight_gradient reads dy's columns regrouped by tile, the last tiles of a row remainder too",
          "[tensor][gemm]") {
    // K = 64: more than one panel, so dy is regrouped while small; N = 31: tiles of 8, then 4, 2
    // and 1 rows reading the remainder block at offsets 0, 4 and 6. M = 257 reads dy in place.
    constexpr std::size_t K = 64, N = 31;
    for (std::size_t m : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{257}}) {
        INFO("M = " << m);
        auto const x = filled<float, K>(m, data::real, 51);
        auto const dy = filled<float, N>(m, data::real, 52);
        guarded<float> dw(N * K, random_values<float>(N * K, data::real, 53));
        guarded<float> db(N, random_values<float>(N, data::real, 54));
        gemm_test::check_weight_gradient<float, K, N>(dy, x, tg::matrix_view<float, K>(dw.data(), N),
                                                      std::span<float>(db.data(), N), data::real);
        CHECK(dw.guards_intact());
        CHECK(db.guards_intact());
    }
}

TEST_CASE("forward keeps an infinite operand infinite: the tail lanes are masked in both operands", "[tensor][gemm]") {
    // K = 17: the last vector overlaps the first by 15 lanes (AVX-512; 1 on 16-lane AVX2 floats),
    // which must count once. An infinity among them times a lane zeroed in the other operand
    // only would be 0 * inf = NaN.
    constexpr std::size_t K = 17, N = 3;
    constexpr float inf = std::numeric_limits<float>::infinity();
    for (std::size_t m : {std::size_t{1}, std::size_t{5}})
        for (bool in_w : {false, true})
            for (gemm_test::path p : gemm_test::paths<float, K, N>()) {
                INFO("M = " << m << (in_w ? ", inf in w" : ", inf in x") << ", path " << gemm_test::path_name(p));
                tg::matrix<float, K> x(m), w(N);
                x.fill(0.5f);
                w.fill(0.25f);
                (in_w ? w : x)(0, 5) = inf;
                tg::matrix<float, N> y(m);
                tg::gemm::identity id;
                if (p == gemm_test::path::dispatch) tg::gemm::forward<K, N>(x, w, {}, y);
                if (p == gemm_test::path::tiles)
                    tg::gemm::detail::forward<K, N>(x.data(), w.data(), static_cast<float const*>(nullptr), y.data(), m,
                                                    id);
                if (p == gemm_test::path::small)
                    tg::gemm::detail::forward_small<K, N>(x.data(), w.data(), static_cast<float const*>(nullptr),
                                                          y.data(), m, id);
                for (std::size_t i = 0; i < m; ++i)
                    for (std::size_t j = 0; j < N; ++j) {
                        INFO("y(" << i << ", " << j << ") = " << y(i, j));
                        bool const infinite = in_w ? j == 0 : i == 0;
                        CHECK(y(i, j) == (infinite ? inf : K * 0.125f));
                    }
            }
}

TEST_CASE("products read views over caller memory and unaligned rows, and write only their rows", "[tensor][gemm]") {
    // K = 17 and N = 31: every row after the first starts off any vector alignment.
    constexpr std::size_t K = 17, N = 31;
    for (std::size_t m : {std::size_t{1}, std::size_t{5}, std::size_t{20}}) {
        INFO("M = " << m);
        auto const x_all = filled<float, K>(m + 2, data::grid, 21);
        auto const dy_all = filled<float, N>(m + 2, data::grid, 22);
        // W in a std::vector one element past its start: an unaligned base.
        std::vector<float> w_storage(N * K + 1);
        auto const w_values = random_values<float>(N * K, data::grid, 23);
        std::copy(w_values.begin(), w_values.end(), w_storage.begin() + 1);
        tg::const_matrix_view<float, K> const w(w_storage.data() + 1, N);
        auto const x = x_all.subrows(1, m);
        auto const dy = dy_all.subrows(1, m);

        tg::matrix<float, N> y_all(m + 2);
        y_all.fill(7.0f);
        gemm_test::check_forward<float, K, N>(x, w, {}, y_all.subrows(1, m), data::grid, tg::gemm::identity{},
                                              gemm_test::identity);
        for (std::size_t c = 0; c < N; ++c) {
            CHECK(y_all(0, c) == 7.0f);
            CHECK(y_all(m + 1, c) == 7.0f);
        }

        tg::matrix<float, K> dx_all(m + 2);
        dx_all.fill(7.0f);
        gemm_test::check_input_gradient<float, K, N>(dy, w, dx_all.subrows(1, m), data::grid);
        for (std::size_t c = 0; c < K; ++c) {
            CHECK(dx_all(0, c) == 7.0f);
            CHECK(dx_all(m + 1, c) == 7.0f);
        }

        tg::matrix<float, K> dw_all(N + 2);
        dw_all.fill(7.0f);
        std::vector<float> db_storage(N + 1, 7.0f);
        gemm_test::check_weight_gradient<float, K, N>(dy, x, dw_all.subrows(1, N),
                                                      std::span<float>(db_storage.data() + 1, N), data::grid);
        for (std::size_t c = 0; c < K; ++c) {
            CHECK(dw_all(0, c) == 7.0f);
            CHECK(dw_all(N + 1, c) == 7.0f);
        }
        CHECK(db_storage[0] == 7.0f);
    }
}

TEST_CASE("the products are called with views, with matrices, and deduce K and N from views", "[tensor][gemm]") {
    tg::matrix<float, 8> x(3), w(4), dx(3), dw(4);
    tg::matrix<float, 4> y(3), dy(3);
    std::vector<float> bias(4, 1.0f), db(4);
    // Views: everything deduced, including from mutable views of the inputs.
    tg::gemm::forward(x.view(), w.view(), bias, y.view());
    tg::gemm::forward(std::as_const(x).view(), std::as_const(w).view(), {}, y.view(), tg::gemm::identity{});
    tg::gemm::input_gradient(dy.view(), w.view(), dx.view());
    tg::gemm::weight_gradient(dy.view(), x.view(), dw.view(), db);
    // Matrices: K and N given.
    tg::gemm::forward<8, 4>(x, w, bias, y);
    tg::gemm::forward<8, 4>(x, w, {}, y, relu_epilogue{});
    tg::gemm::input_gradient<8, 4>(dy, w, dx);
    tg::gemm::weight_gradient<8, 4>(dy, x, dw, {});
    CHECK(y(0, 0) == 0.0f);  // x is zero, relu(0) = 0
}

TEST_CASE("the products reject mismatched operands with a message naming the function and operand", "[tensor][gemm]") {
    using Catch::Contains;
    tg::matrix<float, 5> x(4), w(3), bad_w(2), dx(4), bad_dx(3), dw(3), bad_dw(4), bad_x(2);
    tg::matrix<float, 3> y(4), bad_y(5), dy(4);
    std::vector<float> bias(3), bad_bias(2), db(3), bad_db(4);
    y.fill(9.0f);

    CHECK_THROWS_AS((tg::gemm::forward<5, 3>(x, bad_w, bias, y)), tg::error);
    CHECK_THROWS_WITH((tg::gemm::forward<5, 3>(x, bad_w, bias, y)),
                      Contains("typegrad::gemm::forward") && Contains("w has 2 rows, expected 3"));
    CHECK_THROWS_WITH((tg::gemm::forward<5, 3>(x, w, bias, bad_y)),
                      Contains("typegrad::gemm::forward") && Contains("y has 5 rows, expected 4"));
    CHECK_THROWS_WITH((tg::gemm::forward<5, 3>(x, w, bad_bias, y)),
                      Contains("typegrad::gemm::forward") && Contains("bias has 2 elements, expected 3"));
    CHECK(y(0, 0) == 9.0f);  // a rejected call writes nothing

    CHECK_THROWS_WITH((tg::gemm::input_gradient<5, 3>(dy, bad_w, dx)),
                      Contains("typegrad::gemm::input_gradient") && Contains("w has 2 rows, expected 3"));
    CHECK_THROWS_WITH((tg::gemm::input_gradient<5, 3>(dy, w, bad_dx)),
                      Contains("typegrad::gemm::input_gradient") && Contains("dx has 3 rows, expected 4"));

    CHECK_THROWS_WITH((tg::gemm::weight_gradient<5, 3>(dy, x, bad_dw, db)),
                      Contains("typegrad::gemm::weight_gradient") && Contains("dw has 4 rows, expected 3"));
    CHECK_THROWS_WITH((tg::gemm::weight_gradient<5, 3>(dy, bad_x, dw, db)),
                      Contains("typegrad::gemm::weight_gradient") && Contains("x has 2 rows, expected 4"));
    CHECK_THROWS_WITH((tg::gemm::weight_gradient<5, 3>(dy, x, dw, bad_db)),
                      Contains("typegrad::gemm::weight_gradient") && Contains("db has 4 elements, expected 3"));
}

TEST_CASE("an output that overlaps an input or another output is rejected before anything is written",
          "[tensor][gemm]") {
    using Catch::Contains;
    // K == N, so that rows of one buffer can stand for any operand.
    constexpr std::size_t K = 6, N = 6;
    auto const a = filled<float, K>(4, data::grid, 1);
    auto const w = filled<float, K>(N, data::grid, 2);
    tg::matrix<float, K> buf(12);
    buf.fill(3.0f);
    std::vector<float> db(N, 2.0f);
    auto const rows = [&](std::size_t first, std::size_t count) { return buf.subrows(first, count); };
    auto const elements = [&](std::size_t first) { return std::span<float>(buf.data() + first, N); };

    CHECK_THROWS_WITH((tg::gemm::forward<K, N>(rows(0, 4), w, {}, rows(3, 4))),
                      Contains("typegrad::gemm::forward") && Contains("y overlaps x"));
    CHECK_THROWS_WITH((tg::gemm::forward<K, N>(a, rows(0, N), {}, rows(5, 4))), Contains("y overlaps w"));
    CHECK_THROWS_WITH((tg::gemm::forward<K, N>(a.subrows(0, 1), w, elements(1), rows(0, 1))),
                      Contains("y overlaps bias"));
    CHECK_THROWS_WITH((tg::gemm::input_gradient<K, N>(rows(0, 4), w, rows(0, 4))),
                      Contains("typegrad::gemm::input_gradient") && Contains("dx overlaps dy"));
    CHECK_THROWS_WITH((tg::gemm::input_gradient<K, N>(a.subrows(0, 1), rows(0, N), rows(N - 1, 1))),
                      Contains("dx overlaps w"));
    CHECK_THROWS_WITH((tg::gemm::weight_gradient<K, N>(rows(0, 4), a, rows(2, N), db)),
                      Contains("typegrad::gemm::weight_gradient") && Contains("dw overlaps dy"));
    CHECK_THROWS_WITH((tg::gemm::weight_gradient<K, N>(a, rows(N - 2, 4), rows(0, N), db)), Contains("dw overlaps x"));
    CHECK_THROWS_WITH((tg::gemm::weight_gradient<K, N>(a, a, rows(0, N), elements(N * K - 1))),
                      Contains("db overlaps dw"));
    CHECK_THROWS_WITH((tg::gemm::weight_gradient<K, N>(rows(N, 1), a.subrows(0, 1), rows(0, N), elements(N * K + 2))),
                      Contains("db overlaps dy"));
    // The rejected calls wrote nothing.
    CHECK(std::all_of(buf.data(), buf.data() + buf.size(), [](float v) { return v == 3.0f; }));
    CHECK(std::all_of(db.begin(), db.end(), [](float v) { return v == 2.0f; }));
}

TEST_CASE("inputs may share memory, and outputs may end where an input begins", "[tensor][gemm]") {
    constexpr std::size_t K = 16, N = 16;
    for (std::size_t m : {std::size_t{1}, std::size_t{16}, std::size_t{40}}) {
        INFO("M = " << m);
        // x is also W (m == N) or part of it, and dy is x in weight_gradient: inputs read twice.
        auto const x = filled<float, K>(std::max(m, N), data::grid, 1);
        auto const w = x.subrows(0, N);
        auto const xm = x.subrows(0, m);
        // One buffer holding y and then dx right behind it: adjacent, not overlapping.
        tg::matrix<float, K> out(2 * m);
        gemm_test::check_forward<float, K, N>(xm, w, {}, out.subrows(0, m), data::grid, tg::gemm::identity{},
                                              gemm_test::identity);
        gemm_test::check_input_gradient<float, K, N>(xm, w, out.subrows(m, m), data::grid);
        tg::matrix<float, K> dw(N);
        dw.fill(0.5f);
        gemm_test::check_weight_gradient<float, K, N>(xm, xm, dw, {}, data::grid);
    }
}

TEST_CASE("the products allocate nothing, whatever the shape", "[tensor][gemm]") {
    auto run = [](auto k, auto n, std::size_t m) {
        constexpr std::size_t K = decltype(k)::value, N = decltype(n)::value;
        auto const x = filled<float, K>(m, data::real, 1);
        auto const w = filled<float, K>(N, data::real, 2);
        auto const dy = filled<float, N>(m, data::real, 3);
        tg::matrix<float, N> y(m);
        tg::matrix<float, K> dx(m), dw(N);
        std::vector<float> const bias(N, 0.5f);
        std::vector<float> db(N);
        long const before = typegrad_test::allocations();
        tg::gemm::forward<K, N>(x, w, bias, y, relu_epilogue{});
        tg::gemm::input_gradient<K, N>(dy, w, dx);
        tg::gemm::weight_gradient<K, N>(dy, x, dw, db);
        CHECK(typegrad_test::allocations() == before);
    };
    run(std::integral_constant<std::size_t, 2>{}, std::integral_constant<std::size_t, 3>{}, 1);
    run(std::integral_constant<std::size_t, 10>{}, std::integral_constant<std::size_t, 20>{}, 1);
    run(std::integral_constant<std::size_t, 784>{}, std::integral_constant<std::size_t, 256>{}, 64);
    run(std::integral_constant<std::size_t, 256>{}, std::integral_constant<std::size_t, 128>{}, 300);  // packs
}

TEST_CASE("concurrent calls give the results of sequential ones", "[tensor][gemm]") {
    constexpr std::size_t K = 96, N = 40, M = 33;
    auto const w = filled<float, K>(N, data::real, 31);
    std::vector<tg::matrix<float, K>> xs;
    std::vector<tg::matrix<float, N>> sequential, concurrent;
    for (unsigned t = 0; t < 2; ++t) {
        xs.push_back(filled<float, K>(M, data::real, 40 + t));
        sequential.emplace_back(M);
        concurrent.emplace_back(M);
        tg::gemm::forward<K, N>(xs[t], w, {}, sequential[t], tanh_epilogue{});
    }
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            for (int repeat = 0; repeat < 200; ++repeat)
                tg::gemm::forward<K, N>(xs[t], w, {}, concurrent[t], tanh_epilogue{});
        });
    for (auto& thread : threads) thread.join();
    for (unsigned t = 0; t < 2; ++t)
        CHECK(std::equal(sequential[t].data(), sequential[t].data() + sequential[t].size(), concurrent[t].data()));
}

TEST_CASE("products of zero rows do nothing", "[tensor][gemm]") {
    tg::matrix<float, 7> x(0), w(5), dx(0), dw(5);
    tg::matrix<float, 5> y(0), dy(0);
    dw.fill(1.0f);
    std::vector<float> db(5, 2.0f);
    tg::gemm::forward<7, 5>(x, w, {}, y);
    tg::gemm::input_gradient<7, 5>(dy, w, dx);
    tg::gemm::weight_gradient<7, 5>(dy, x, dw, db);
    CHECK(dw(4, 6) == 1.0f);
    CHECK(db[4] == 2.0f);
}
