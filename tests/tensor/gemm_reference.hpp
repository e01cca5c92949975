#pragma once
// The reference for tests/tensor/gemm*.cpp: each product computed by a naive triple loop in
// double, compared element by element with what the kernel wrote.
//
// Tolerances. Two kinds of data:
//   grid  values are multiples of 1/8 in [-2, 2]: every product is a multiple of 1/64 and every
//         partial sum in these tests stays far below 2^24 / 64, so float sums are exact in any
//         order and the kernels must match the reference exactly (tolerance 0);
//   real  uniform values in [-1, 1]: a sum of n terms computed in any order (blocked, as a tree,
//         with or without FMA) is within gamma_n * sum |term| of the exact sum, where
//         gamma_n = n u / (1 - n u), u = eps / 2; n * eps bounds gamma_n. n counts the terms:
//         K products plus the bias for Y, N products for dX, and for dW twice (M products plus
//         the previous value), as the tests call weight_gradient twice.
// An epilogue adds its own error: 0 for relu (exact), and a few ulp for an xsimd tanh, which the
// caller passes as `extra` (8 eps covers it; |tanh| <= 1 and tanh is 1-Lipschitz, so the sum's
// error passes through unamplified).

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <typegrad/parallel/threads.hpp>
#include <typegrad/tensor/gemm.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

namespace gemm_test {

namespace tg = typegrad;

enum class data { grid, real };

template <class T>
std::vector<T> random_values(std::size_t n, data kind, unsigned seed) {
    std::mt19937 engine(seed);
    std::vector<T> v(n);
    if (kind == data::grid) {
        std::uniform_int_distribution<int> eighths(-16, 16);
        for (T& e : v) e = T(eighths(engine)) / T(8);
    } else {
        std::uniform_real_distribution<double> unit(-1.0, 1.0);
        for (T& e : v) e = T(unit(engine));
    }
    return v;
}

/// Caller memory for `count` elements that starts at an odd offset between guard elements, which
/// must survive: the kernels' overlapping tail vectors may touch nothing outside their output.
template <class T>
struct guarded {
    static constexpr std::size_t guard = 17;
    static constexpr T sentinel = T(-12345.5);
    std::vector<T> storage;
    explicit guarded(std::size_t count, std::vector<T> const& initial = {}) : storage(count + 2 * guard, sentinel) {
        for (std::size_t i = 0; i < initial.size(); ++i) storage[guard + i] = initial[i];
    }
    T* data() { return storage.data() + guard; }
    bool guards_intact() const {
        for (std::size_t i = 0; i < guard; ++i)
            if (storage[i] != sentinel || storage[storage.size() - 1 - i] != sentinel) return false;
        return true;
    }
};

template <class T>
double tolerance(data kind, std::size_t terms, double magnitude) {
    if (kind == data::grid) return 0.0;
    return double(terms) * double(std::numeric_limits<T>::epsilon()) * magnitude;
}

/// Counts mismatches and reports the first few with their coordinates (one Catch assertion per
/// element would drown the report).
class mismatches {
public:
    void check(double got, double want, double tol, std::size_t r, std::size_t c) {
        if (std::abs(got - want) <= tol) return;
        if (count_ < 5) {
            INFO("row " << r << ", column " << c << ": got " << got << ", expected " << want << " +- " << tol);
            CHECK(false);
        }
        ++count_;
    }
    std::size_t count() const { return count_; }

private:
    std::size_t count_ = 0;
};

inline double identity(double v) { return v; }
inline double relu(double v) { return v > 0 ? v : 0.0; }

// The comparisons are templates on the scalar type only and take run-time extents, so they are
// compiled once per type rather than once per shape (most of the test's compile time otherwise).

template <class T>
void compare_forward(T const* x, T const* w, T const* bias, T const* y, std::size_t m, std::size_t K, std::size_t N,
                     data kind, double (*activation)(double), double extra) {
    mismatches errors;
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            double sum = bias ? double(bias[j]) : 0.0;
            double magnitude = std::abs(sum);
            for (std::size_t k = 0; k < K; ++k) {
                double const term = double(x[i * K + k]) * double(w[j * K + k]);
                sum += term;
                magnitude += std::abs(term);
            }
            errors.check(double(y[i * N + j]), activation(sum), tolerance<T>(kind, K + 1, magnitude) + extra, i, j);
        }
    CHECK(errors.count() == 0);
}

template <class T>
void compare_input_gradient(T const* dy, T const* w, T const* dx, std::size_t m, std::size_t K, std::size_t N,
                            data kind) {
    mismatches errors;
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t k = 0; k < K; ++k) {
            double sum = 0.0, magnitude = 0.0;
            for (std::size_t j = 0; j < N; ++j) {
                double const term = double(dy[i * N + j]) * double(w[j * K + k]);
                sum += term;
                magnitude += std::abs(term);
            }
            errors.check(double(dx[i * K + k]), sum, tolerance<T>(kind, N, magnitude), i, k);
        }
    CHECK(errors.count() == 0);
}

// After two calls: dw = dw0 + 2 dy^T x, db = db0 + 2 colsum(dy) (db empty for none).
template <class T>
void compare_weight_gradient(T const* dy, T const* x, std::vector<T> const& dw0, T const* dw, std::vector<T> const& db0,
                             T const* db, std::size_t m, std::size_t K, std::size_t N, data kind) {
    mismatches errors;
    for (std::size_t j = 0; j < N; ++j)
        for (std::size_t k = 0; k < K; ++k) {
            double sum = 0.0, magnitude = 0.0;
            for (std::size_t i = 0; i < m; ++i) {
                double const term = double(dy[i * N + j]) * double(x[i * K + k]);
                sum += term;
                magnitude += std::abs(term);
            }
            double const old = double(dw0[j * K + k]);
            errors.check(double(dw[j * K + k]), old + 2 * sum,
                         tolerance<T>(kind, 2 * (m + 1), std::abs(old) + 2 * magnitude), j, k);
        }
    for (std::size_t j = 0; j < db0.size(); ++j) {
        double sum = 0.0, magnitude = 0.0;
        for (std::size_t i = 0; i < m; ++i) {
            sum += double(dy[i * N + j]);
            magnitude += std::abs(double(dy[i * N + j]));
        }
        double const old = double(db0[j]);
        errors.check(double(db[j]), old + 2 * sum, tolerance<T>(kind, 2 * (m + 1), std::abs(old) + 2 * magnitude), j,
                     N);
    }
    CHECK(errors.count() == 0);
}

/// Which kernels a check runs: the public function (which picks by size), or, bypassing it, the
/// register tiles (dot products for forward), the small-product loops, or forward's broadcasts
/// over a packed X (packed) or a packed W (narrow, for layers of fewer outputs than lanes), so
/// that each is tested on every shape and batch size and not only where the public function
/// would pick it.
enum class path { dispatch, tiles, small, packed, narrow };

inline char const* path_name(path p) {
    return p == path::dispatch ? "dispatch"
           : p == path::tiles  ? "tiles"
           : p == path::small  ? "small"
           : p == path::packed ? "packed"
                               : "narrow";
}

/// The paths worth running for a K x N layer: the small-product loops exist only for small
/// layers, the packed forward only for layers that pack, the narrow one only for narrow layers.
template <class T, std::size_t K, std::size_t N>
std::vector<path> paths() {
    std::vector<path> all{path::dispatch, path::tiles};
    if constexpr (tg::gemm::detail::small_layer<K, N>) all.push_back(path::small);
    if constexpr (tg::gemm::detail::packs_forward<T, K, N>) all.push_back(path::packed);
    if constexpr (tg::gemm::detail::narrow_forward<T, K, N>) all.push_back(path::narrow);
    return all;
}

/// Whether path p runs the backward products too. Only forward has a packed kernel; the backward
/// tiles are what the public function runs on any layer that is not small, so they are bypassed
/// to only for small layers.
template <std::size_t K, std::size_t N>
bool runs_backward(path p) {
    return p == path::dispatch || p == path::small || (p == path::tiles && tg::gemm::detail::small_layer<K, N>);
}

/// y = epilogue(x w^T + bias) by tg::gemm::forward (or one of its kernels), against
/// activation(reference).
template <class T, std::size_t K, std::size_t N, class Epilogue>
void check_forward(tg::const_matrix_view<T, K> x, tg::const_matrix_view<T, K> w, std::span<T const> bias,
                   tg::matrix_view<T, N> y, data kind, Epilogue epilogue, double (*activation)(double),
                   double extra = 0, path p = path::dispatch) {
    namespace kernels = tg::gemm::detail;
    T const* const b = bias.empty() ? nullptr : bias.data();
    if (p == path::dispatch) tg::gemm::forward(x, w, bias, y, epilogue);
    if (p == path::tiles) kernels::forward<K, N>(x.data(), w.data(), b, y.data(), x.rows(), epilogue);
    if constexpr (kernels::small_layer<K, N>) {
        if (p == path::small) kernels::forward_small<K, N>(x.data(), w.data(), b, y.data(), x.rows(), epilogue);
    }
    if constexpr (kernels::packs_forward<T, K, N>) {
        if (p == path::packed) kernels::forward_packed<K, N>(x.data(), w.data(), b, y.data(), x.rows(), epilogue);
    }
    if constexpr (kernels::narrow_forward<T, K, N>) {
        if (p == path::narrow) kernels::forward_narrow<K, N>(x.data(), w.data(), b, y.data(), x.rows(), epilogue);
    }
    compare_forward<T>(x.data(), w.data(), b, y.data(), x.rows(), K, N, kind, activation, extra);
}

/// dx = dy w by tg::gemm::input_gradient or one of its kernels (dx starts with other values: it
/// must be overwritten).
template <class T, std::size_t K, std::size_t N>
void check_input_gradient(tg::const_matrix_view<T, N> dy, tg::const_matrix_view<T, K> w, tg::matrix_view<T, K> dx,
                          data kind, path p = path::dispatch) {
    namespace kernels = tg::gemm::detail;
    if (p == path::dispatch) tg::gemm::input_gradient(dy, w, dx);
    if constexpr (kernels::small_layer<K, N>) {
        if (p == path::tiles) kernels::input_gradient<K, N>(dy.data(), w.data(), dx.data(), dy.rows());
        if (p == path::small) kernels::input_gradient_small<K, N>(dy.data(), w.data(), dx.data(), dy.rows());
    }
    compare_input_gradient<T>(dy.data(), w.data(), dx.data(), dy.rows(), K, N, kind);
}

/// Two calls of tg::gemm::weight_gradient or one of its kernels: dw = dw0 + 2 dy^T x and
/// db = db0 + 2 colsum(dy).
template <class T, std::size_t K, std::size_t N>
void check_weight_gradient(tg::const_matrix_view<T, N> dy, tg::const_matrix_view<T, K> x, tg::matrix_view<T, K> dw,
                           std::span<T> db, data kind, path p = path::dispatch) {
    namespace kernels = tg::gemm::detail;
    std::vector<T> const dw0(dw.data(), dw.data() + dw.size());
    std::vector<T> const db0(db.begin(), db.end());
    T* const d = db.empty() ? nullptr : db.data();
    for (int call = 0; call < 2; ++call) {
        if (p == path::dispatch) tg::gemm::weight_gradient(dy, x, dw, db);
        if constexpr (kernels::small_layer<K, N>) {
            if (p == path::tiles) kernels::weight_gradient<K, N>(dy.data(), x.data(), dw.data(), d, dy.rows());
            if (p == path::small) kernels::weight_gradient_small<K, N>(dy.data(), x.data(), dw.data(), d, dy.rows());
        }
    }
    compare_weight_gradient<T>(dy.data(), x.data(), dw0, dw.data(), db0, db.data(), dy.rows(), K, N, kind);
}

/// A compile-time layer shape: K inputs, N outputs, scalar T.
template <std::size_t K_, std::size_t N_, class T_>
struct shape {
    static constexpr std::size_t K = K_;
    static constexpr std::size_t N = N_;
    using T = T_;
};

inline constexpr std::array<std::size_t, 9> batch_sizes{1, 3, 7, 16, 17, 31, 64, 65, 257};

template <class T, std::size_t Cols>
tg::matrix<T, Cols> filled(std::size_t rows, data kind, unsigned seed) {
    tg::matrix<T, Cols> m(rows);
    auto const values = random_values<T>(m.size(), kind, seed);
    std::copy(values.begin(), values.end(), m.data());
    return m;
}

/// Runs `run` for both kinds of data and every batch size, naming them in failure reports. Not a
/// template, so the loops and the reporting are compiled once, not once per shape.
inline void for_each_case(std::function<void(data, std::size_t)> const& run) {
    for (data kind : {data::grid, data::real})
        for (std::size_t m : batch_sizes) {
            INFO("M = " << m << ", " << (kind == data::grid ? "grid" : "real") << " data");
            run(kind, m);
        }
}

/// The three products of shape S against the reference for every case and every kernel path:
/// forward with and without bias, input_gradient, weight_gradient with and without db. Inputs are
/// tg::matrix (aligned); outputs are caller memory at an odd offset between guards.
template <class S>
void check_shape() {
    using T = typename S::T;
    constexpr std::size_t K = S::K, N = S::N;
    INFO("K = " << K << ", N = " << N);
    for_each_case([](data kind, std::size_t m) {
        auto const x = filled<T, K>(m, kind, 1);
        auto const w = filled<T, K>(N, kind, 2);
        auto const dy = filled<T, N>(m, kind, 3);
        for (path p : paths<T, K, N>()) {
            INFO("path " << path_name(p));
            for (bool with_bias : {false, true}) {
                INFO("bias " << with_bias);
                auto const bias = with_bias ? random_values<T>(N, kind, 4) : std::vector<T>{};
                guarded<T> y(m * N);
                check_forward<T, K, N>(x, w, bias, tg::matrix_view<T, N>(y.data(), m), kind, tg::gemm::identity{},
                                       identity, 0, p);
                CHECK(y.guards_intact());
            }
            if (!runs_backward<K, N>(p)) continue;
            {
                guarded<T> dx(m * K, random_values<T>(m * K, data::real, 5));  // garbage to overwrite
                check_input_gradient<T, K, N>(dy, w, tg::matrix_view<T, K>(dx.data(), m), kind, p);
                CHECK(dx.guards_intact());
            }
            for (bool with_db : {false, true}) {
                INFO("db " << with_db);
                guarded<T> dw(N * K, random_values<T>(N * K, kind, 6));
                guarded<T> db(with_db ? N : 0, with_db ? random_values<T>(N, kind, 7) : std::vector<T>{});
                check_weight_gradient<T, K, N>(dy, x, tg::matrix_view<T, K>(dw.data(), N),
                                               std::span<T>(db.data(), with_db ? N : 0), kind, p);
                CHECK(dw.guards_intact());
                CHECK(db.guards_intact());
            }
        }
    });
}

/// Records the threads it is called on. With `wait`, a thread's first call waits (up to a second)
/// until a second thread has called too, so that a product split over two threads is seen on both
/// however the pool's threads are scheduled; a product that is not split gives up after a second.
struct thread_recording_epilogue {
    std::set<std::thread::id>* threads;
    std::mutex* lock;
    bool wait;
    template <class V>
    V operator()(V v) const {
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        std::unique_lock<std::mutex> guard(*lock);
        if (threads->insert(std::this_thread::get_id()).second && wait) {
            while (threads->size() < 2 && std::chrono::steady_clock::now() < deadline) {
                guard.unlock();
                std::this_thread::yield();
                guard.lock();
            }
        }
        return v;
    }
};

/// The three products of shape S on a batch large enough to be split over two threads give the
/// one-thread results to the bit (real data, so a different summation order would show), and
/// forward's epilogue runs on both threads.
template <class S>
void check_threads() {
    using T = typename S::T;
    constexpr std::size_t K = S::K, N = S::N;
    // At least parallel_work FMAs, and rows that end in a tail of every tile height.
    std::size_t const m = std::max<std::size_t>(257, tg::gemm::detail::parallel_work / (K * N) + 5) | 1;
    INFO("K = " << K << ", N = " << N << ", M = " << m);
    auto const x = filled<T, K>(m, data::real, 1);
    auto const w = filled<T, K>(N, data::real, 2);
    auto const dy = filled<T, N>(m, data::real, 3);
    auto const bias = random_values<T>(N, data::real, 4);
    auto const dw0 = random_values<T>(N * K, data::real, 5);
    auto const db0 = random_values<T>(N, data::real, 6);

    struct results {
        std::vector<T> y, dx, dw, db;
        std::set<std::thread::id> threads;
    };
    auto const run = [&](std::size_t threads) {
        tg::set_num_threads(threads);
        results r{std::vector<T>(m * N), std::vector<T>(m * K), dw0, db0, {}};
        std::mutex lock;
        tg::gemm::forward(x.view(), w.view(), std::span<T const>(bias), tg::matrix_view<T, N>(r.y.data(), m),
                          thread_recording_epilogue{&r.threads, &lock, threads > 1});
        tg::gemm::input_gradient(dy.view(), w.view(), tg::matrix_view<T, K>(r.dx.data(), m));
        tg::gemm::weight_gradient(dy.view(), x.view(), tg::matrix_view<T, K>(r.dw.data(), N), std::span<T>(r.db));
        return r;
    };
    auto const same_bits = [](std::vector<T> const& a, std::vector<T> const& b) {
        return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
    };
    results const one = run(1);
    results const two = run(2);
    tg::set_num_threads(1);
    CHECK(one.threads.size() == 1);
    CHECK(two.threads.size() == 2);
    CHECK(same_bits(one.y, two.y));
    CHECK(same_bits(one.dx, two.dx));
    CHECK(same_bits(one.dw, two.dw));
    CHECK(same_bits(one.db, two.db));
}

}  // namespace gemm_test
