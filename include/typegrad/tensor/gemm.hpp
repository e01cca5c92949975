#pragma once
// The three matrix products of a dense layer y = x W^T + b, with compile-time K (inputs) and N
// (outputs) and a run-time number M of batch rows:
//
//   tg::gemm::forward(x, w, bias, y, epilogue)   Y  = epilogue(X W^T + b)   X: M x K, W: N x K
//   tg::gemm::input_gradient(dy, w, dx)          dX = dY W                  dY: M x N, dX: M x K
//   tg::gemm::weight_gradient(dy, x, dw, db)     dW += dY^T X, db += column sums of dY
//
// W is Out x In (PyTorch's layout). Operands are views (tg::matrix converts to them). Inputs may
// share memory with each other (x as both dy and x when K == N); an output must not overlap an
// input or another output. Every call checks the run-time row counts, span sizes and overlaps
// and throws tg::error naming the function and the operands.
//
// Deduction: K and N come from the view types (X and dX have K columns, Y and dY have N); W's
// row count is run-time and checked against N. With views everything is deduced:
//     tg::gemm::forward(x.view(), w.view(), bias, y.view());
// With tg::matrix arguments, or to state the shape at the call, give K and N:
//     tg::gemm::forward<784, 256>(x, w, bias, y);
// (the scalar type is deduced from the output, which must then be a view or a tg::matrix).
//
// Kernels: xsimd FMA on register tiles, generic over the batch width (detail/gemm_forward.hpp,
// detail/gemm_forward_packed.hpp, detail/gemm_forward_narrow.hpp and detail/gemm_backward.hpp say
// how they are blocked and why). forward runs dot products below detail::packed_rows batch rows
// (32 floats on AVX-512) or 32 outputs, and broadcasts over a packed copy of X^T from there; a
// layer of fewer outputs than lanes whose K is whole vectors runs batches of K / 8 rows or more
// as broadcasts over a packed copy of W. A call of at most
// detail::small_work FMAs (M N K; tiny layers, one-sample steps) runs simpler row loops instead,
// inlined into the caller (detail/gemm_small.hpp). A call allocates nothing: its buffers live on
// the stack, only in the calls that pack (at most 32 KiB for a panel of the backward products;
// 32 KiB of X^T and up to 128 KiB of Y^T for the packed forward, up to 32 KiB of W for the
// narrow one); there is no shared state, so
// concurrent calls are safe.
//
// Threads: a product of at least detail::parallel_work FMAs is split over the threads of
// parallel::default_pool() (tg::set_num_threads): Y and dX by batch rows, dW by its rows, or by
// its panels of columns when one tile holds all its rows. Every split falls on a tile's edge, so
// each output element is computed by the same instructions in the same order as on one thread:
// the result is the same to the bit.
// The epilogue is then copied to each thread and called concurrently.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include <typegrad/error.hpp>
#include <typegrad/parallel/threads.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/detail/gemm_backward.hpp>
#include <typegrad/tensor/detail/gemm_forward.hpp>
#include <typegrad/tensor/detail/gemm_forward_narrow.hpp>
#include <typegrad/tensor/detail/gemm_forward_packed.hpp>
#include <typegrad/tensor/detail/gemm_small.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::gemm {

/// The default epilogue of forward: leaves the values as they are.
struct identity {
    template <class V>
    constexpr V operator()(V v) const noexcept {
        return v;
    }
};

namespace detail {

// The error paths, out of line and cold, so that the checks cost a compare or two each and a
// small product inlines into its caller whole.

[[gnu::cold, gnu::noinline, noreturn]] inline void throw_rows(char const* what, char const* operand, std::size_t rows,
                                                              std::size_t expected) {
    typegrad::detail::require_rows(what, operand, rows, expected);  // throws: rows != expected
    __builtin_unreachable();
}

/// Throws for a span that should have had 0 or `expected` elements.
[[gnu::cold, gnu::noinline, noreturn]] inline void throw_size(char const* what, char const* operand, std::size_t size,
                                                              std::size_t expected) {
    throw error(std::string(what) + ": " + operand + " has " + std::to_string(size) + " elements, expected " +
                std::to_string(expected) + " (or 0 for none)");
}

[[gnu::cold, gnu::noinline, noreturn]] inline void throw_overlap(char const* what, char const* output,
                                                                 char const* other) {
    throw error(std::string(what) + ": " + output + " overlaps " + other +
                " (an output must not share memory with an input or another output)");
}

/// Whether `count` elements at `out` share memory with `other_count` elements at `other` (empty
/// ranges share nothing). Addresses compare as integers: the operands may be unrelated arrays.
template <class T>
[[gnu::always_inline]] inline bool overlaps(T const* out, std::size_t count, T const* other,
                                            std::size_t other_count) noexcept {
    auto const a = reinterpret_cast<std::uintptr_t>(out), b = reinterpret_cast<std::uintptr_t>(other);
    return count != 0 && other_count != 0 && a < b + other_count * sizeof(T) && b < a + count * sizeof(T);
}

/// FMAs (M N K) from which a product is split over the pool's threads. Waking the workers and
/// joining them costs a microsecond or two; this much work takes about 8 us on one core.
inline constexpr std::size_t parallel_work = std::size_t{1} << 20;

template <std::size_t K, std::size_t N, class T, class Epilogue>
void forward_split(T const* x, T const* w, T const* b, T* y, std::size_t m, Epilogue& epilogue) {
    // Decided on the whole batch: the two kernels sum in different orders, and a split must not
    // change a bit of the result.
    if constexpr (packs_forward<T, K, N>) {
        if (m >= packed_rows<T>)
            return parallel::split(m, packed_rows<T>, m * K * N >= parallel_work, [&](std::size_t begin, std::size_t end) {
                Epilogue own = epilogue;
                forward_packed<K, N>(x + begin * K, w, b, y + begin * N, end - begin, own);
            });
    }
    if constexpr (narrow_forward<T, K, N>) {
        if (m >= narrow_min_rows<K>)
            return parallel::split(m, narrow_rows<T, N>, m * K * N >= parallel_work,
                                   [&](std::size_t begin, std::size_t end) {
                                       Epilogue own = epilogue;
                                       forward_narrow<K, N>(x + begin * K, w, b, y + begin * N, end - begin, own);
                                   });
    }
    parallel::split(m, dot_rows<T>, m * K * N >= parallel_work, [&](std::size_t begin, std::size_t end) {
        Epilogue own = epilogue;
        forward<K, N>(x + begin * K, w, b, y + begin * N, end - begin, own);
    });
}

template <std::size_t K, std::size_t N, class T>
void input_gradient_split(T const* dy, T const* w, T* dx, std::size_t m) {
    parallel::split(m, broadcast_rows<T>, m * K * N >= parallel_work, [&](std::size_t begin, std::size_t end) {
        input_gradient<K, N>(dy + begin * N, w, dx + begin * K, end - begin);
    });
}

template <std::size_t K, std::size_t N, class T>
void weight_gradient_split(T const* dy, T const* x, T* dw, T* db, std::size_t m) {
    parallel::split(weight_units<T, K, N>, weight_unit<T, N>, m * K * N >= parallel_work,
                    [&](std::size_t begin, std::size_t end) {
                        weight_gradient<K, N>(dy, x, dw, begin == 0 ? db : nullptr, m, begin, end);
                    });
}

/// An operand as require_disjoint names it.
template <class T>
struct operand {
    char const* name;
    T const* data;
    std::size_t size;
};
template <class T>
operand(char const*, T*, std::size_t) -> operand<std::remove_const_t<T>>;

/// Throws unless the output (name, data, size) overlaps none of the others.
template <class T, class... Others>
[[gnu::always_inline]] inline void require_disjoint(char const* what, char const* name, T const* out, std::size_t count,
                                                    Others const&... others) {
    ((overlaps(out, count, others.data, others.size) ? throw_overlap(what, name, others.name) : void()), ...);
}

}  // namespace detail

/// Y = epilogue(X W^T + b). x: M x K, w: N x K, bias: N elements or empty (no bias), y: M x N,
/// overwritten. The epilogue is applied elementwise as the results are stored, called as
/// epilogue(xsimd::batch<T, A>) on vectors (A may be a narrower architecture than the default
/// when K is shorter than a default vector; an epilogue not callable with that batch is called
/// lane by lane) and epilogue(T) on scalars; it returns the type it is given. For example
///     [](auto v) { return tg::eval(tg::relu(tg::var<0>{}), v); }
template <std::size_t K, std::size_t N, scalar T, class Epilogue = identity>
[[gnu::always_inline]] inline void forward(const_matrix_view<std::type_identity_t<T>, K> x,
                                           const_matrix_view<std::type_identity_t<T>, K> w,
                                           std::span<std::type_identity_t<T> const> bias, matrix_view<T, N> y,
                                           Epilogue epilogue = {}) {
    constexpr char const* what = "typegrad::gemm::forward";
    if (w.rows() != N) detail::throw_rows(what, "w", w.rows(), N);
    if (y.rows() != x.rows()) detail::throw_rows(what, "y", y.rows(), x.rows());
    if (!bias.empty() && bias.size() != N) detail::throw_size(what, "bias", bias.size(), N);
    detail::require_disjoint(what, "y", y.data(), y.size(), detail::operand{"x", x.data(), x.size()},
                             detail::operand{"w", w.data(), w.size()},
                             detail::operand{"bias", bias.data(), bias.size()});
    T const* const b = bias.empty() ? nullptr : bias.data();
    if constexpr (detail::small_layer<K, N>) {
        if (x.rows() <= detail::small_work / (K * N))
            return detail::forward_small<K, N>(x.data(), w.data(), b, y.data(), x.rows(), epilogue);
    }
    detail::forward_split<K, N>(x.data(), w.data(), b, y.data(), x.rows(), epilogue);
}

/// forward with a tg::matrix as the output.
template <std::size_t K, std::size_t N, scalar T, class Epilogue = identity>
[[gnu::always_inline]] inline void forward(const_matrix_view<std::type_identity_t<T>, K> x,
                                           const_matrix_view<std::type_identity_t<T>, K> w,
                                           std::span<std::type_identity_t<T> const> bias, matrix<T, N>& y,
                                           Epilogue epilogue = {}) {
    gemm::forward<K, N, T>(x, w, bias, y.view(), epilogue);
}

/// dX = dY W. dy: M x N, w: N x K, dx: M x K, overwritten.
template <std::size_t K, std::size_t N, scalar T>
[[gnu::always_inline]] inline void input_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                                                  const_matrix_view<std::type_identity_t<T>, K> w,
                                                  matrix_view<T, K> dx) {
    constexpr char const* what = "typegrad::gemm::input_gradient";
    if (w.rows() != N) detail::throw_rows(what, "w", w.rows(), N);
    if (dx.rows() != dy.rows()) detail::throw_rows(what, "dx", dx.rows(), dy.rows());
    detail::require_disjoint(what, "dx", dx.data(), dx.size(), detail::operand{"dy", dy.data(), dy.size()},
                             detail::operand{"w", w.data(), w.size()});
    if constexpr (detail::small_layer<K, N>) {
        if (dy.rows() <= detail::small_work / (K * N))
            return detail::input_gradient_small<K, N>(dy.data(), w.data(), dx.data(), dy.rows());
    }
    detail::input_gradient_split<K, N>(dy.data(), w.data(), dx.data(), dy.rows());
}

/// input_gradient with a tg::matrix as the output.
template <std::size_t K, std::size_t N, scalar T>
[[gnu::always_inline]] inline void input_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                                                  const_matrix_view<std::type_identity_t<T>, K> w, matrix<T, K>& dx) {
    gemm::input_gradient<K, N, T>(dy, w, dx.view());
}

/// dW += dY^T X and, when db is not empty, db += the column sums of dY. dy: M x N, x: M x K,
/// dw: N x K, db: N elements or empty. Accumulates, so gradients of several batches add up.
template <std::size_t K, std::size_t N, scalar T>
[[gnu::always_inline]] inline void weight_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                                                   const_matrix_view<std::type_identity_t<T>, K> x,
                                                   matrix_view<T, K> dw, std::span<std::type_identity_t<T>> db) {
    constexpr char const* what = "typegrad::gemm::weight_gradient";
    if (dw.rows() != N) detail::throw_rows(what, "dw", dw.rows(), N);
    if (x.rows() != dy.rows()) detail::throw_rows(what, "x", x.rows(), dy.rows());
    if (!db.empty() && db.size() != N) detail::throw_size(what, "db", db.size(), N);
    detail::require_disjoint(what, "dw", dw.data(), dw.size(), detail::operand{"dy", dy.data(), dy.size()},
                             detail::operand{"x", x.data(), x.size()});
    detail::require_disjoint(what, "db", db.data(), db.size(), detail::operand{"dy", dy.data(), dy.size()},
                             detail::operand{"x", x.data(), x.size()}, detail::operand{"dw", dw.data(), dw.size()});
    T* const d = db.empty() ? nullptr : db.data();
    if constexpr (detail::small_layer<K, N>) {
        if (dy.rows() <= detail::small_work / (K * N))
            return detail::weight_gradient_small<K, N>(dy.data(), x.data(), dw.data(), d, dy.rows());
    }
    detail::weight_gradient_split<K, N>(dy.data(), x.data(), dw.data(), d, dy.rows());
}

/// weight_gradient with a tg::matrix as the output.
template <std::size_t K, std::size_t N, scalar T>
[[gnu::always_inline]] inline void weight_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                                                   const_matrix_view<std::type_identity_t<T>, K> x, matrix<T, K>& dw,
                                                   std::span<std::type_identity_t<T>> db) {
    gemm::weight_gradient<K, N, T>(dy, x, dw.view(), db);
}

}  // namespace typegrad::gemm
