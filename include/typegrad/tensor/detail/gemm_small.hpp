#pragma once
// The three products when the whole call is a few thousand FMAs at most: tiny layers (2-3-1,
// 10-20-1) and one-sample steps of small ones. At that size the register tiles of
// gemm_forward.hpp and gemm_backward.hpp cost more in set-up, tails and calls than the arithmetic
// they schedule: a 2-3-1 step is a few dozen FMAs. These kernels are plain vector loops, one row
// at a time, with every extent a compile-time constant and every function inlined into the
// caller, so that a small layer's product compiles to straight-line code.
//
//   forward         L outputs at a time (L = lanes): L dot products along K, reduced together
//                   into one vector of L sums, which goes through bias and epilogue into Y;
//                   fewer than L / 2 outputs left are reduced one at a time.
//   input_gradient  a row of dX accumulates dY(i, j) * W(j, :) over j, a panel of vectors at a
//                   time, in registers.
//   weight_gradient a panel of a row of dW is loaded once, accumulates dY(i, j) * X(i, :) over
//                   the rows, and is stored once.
// Rows shorter than any vector run the same loops on scalars.

#include <cstddef>
#include <type_traits>

#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/detail/gemm_backward.hpp>
#include <typegrad/tensor/detail/gemm_batch.hpp>
#include <typegrad/tensor/detail/gemm_forward.hpp>

namespace typegrad::gemm::detail {

/// FMAs (M N K) up to which a call runs these kernels. Above it the tiles' reuse of loaded
/// operands wins; below it their overhead does not pay (bench/tensor_gemm, 1x16x8).
inline constexpr std::size_t small_work = 4096;

/// Whether a K x N layer has any call small enough: only then are these kernels instantiated.
template <std::size_t K, std::size_t N>
inline constexpr bool small_layer = K* N <= small_work;

/// acc[c] = the vector of partial sums of x . w[c] along K, for c < C (w's rows K apart). The
/// last vector ends at K and overlaps its predecessor by L - K % L lanes, which count once
/// already: zeroed in both operands (in one only, 0 * inf would be NaN).
template <class B, std::size_t K, std::size_t C, class T>
[[gnu::always_inline]] inline void dot_vectors(T const* x, T const* w, B (&acc)[C]) {
    constexpr std::size_t L = lanes<B>;
    constexpr std::size_t rest = K % L;
    unroll<C>([&](auto c) { acc[c] = B(T(0)); });
    for (std::size_t k = 0; k + L <= K; k += L) {
        B const xv = opaque(load_lanes<B>(x + k));
        unroll<C>([&](auto c) { acc[c] = xsimd::fma(xv, load_lanes<B>(w + c * K + k), acc[c]); });
    }
    if constexpr (rest != 0) {
        B const xv = keep_from<L - rest>(load_lanes<B>(x + K - L), B(T(0)));
        unroll<C>([&](auto c) {
            acc[c] = xsimd::fma(xv, keep_from<L - rest>(load_lanes<B>(w + c * K + K - L), B(T(0))), acc[c]);
        });
    }
}

/// x . w along K for one output, in up to four interleaved chains so that a long row does not
/// wait on FMA latency.
template <class B, std::size_t K, class T>
[[gnu::always_inline]] inline T dot(T const* x, T const* w) {
    constexpr std::size_t L = lanes<B>;
    constexpr std::size_t steps = K / L;
    constexpr std::size_t chains = steps >= 8 ? 4 : steps >= 4 ? 2 : 1;
    B acc[chains];
    unroll<chains>([&](auto c) { acc[c] = B(T(0)); });
    std::size_t k = 0;
    for (; k + chains * L <= K; k += chains * L)
        unroll<chains>(
            [&](auto c) { acc[c] = xsimd::fma(load_lanes<B>(x + k + c * L), load_lanes<B>(w + k + c * L), acc[c]); });
    for (; k + L <= K; k += L) acc[0] = xsimd::fma(load_lanes<B>(x + k), load_lanes<B>(w + k), acc[0]);
    if constexpr (K % L != 0) {
        constexpr std::size_t skip = L - K % L;
        acc[0] = xsimd::fma(keep_from<skip>(load_lanes<B>(x + K - L), B(T(0))),
                            keep_from<skip>(load_lanes<B>(w + K - L), B(T(0))), acc[0]);
    }
    unroll<chains - 1>([&](auto c) { acc[0] += acc[c + 1]; });
    if constexpr (L == 1)
        return acc[0];
    else
        return xsimd::hadd(acc[0]);
}

/// Y (m x N) = epilogue(X W^T + bias), row by row.
template <std::size_t K, std::size_t N, class T, class Epilogue>
[[gnu::always_inline]] inline void forward_small(T const* x, T const* w, T const* bias, T* y, std::size_t m,
                                                 Epilogue& epilogue) {
    using B = batch_for_t<T, K>;
    constexpr std::size_t L = lanes<B>;
    // Outputs in whole groups of L, reduced together; the rest one at a time, unless there are
    // enough of them for a group's reduction (padded with zero sums) to cost less.
    constexpr std::size_t rest = L == 1 ? N : N % L;
    constexpr bool rest_as_group = L > 1 && 2 * rest >= L;
    constexpr std::size_t grouped = N - (rest_as_group ? 0 : rest);
    for (std::size_t i = 0; i < m; ++i, x += K, y += N) {
        if constexpr (L > 1) {
            for (std::size_t j = 0; j + L <= N; j += L) {
                B acc[L];
                dot_vectors<B, K>(x, w + j * K, acc);
                B v = sum_each(acc);
                if (bias) v += load_lanes<B>(bias + j);
                store_lanes(y + j, apply_epilogue(epilogue, v));
            }
            if constexpr (rest_as_group && rest != 0) {
                constexpr std::size_t j = N - rest;
                B acc[L];
                B part[rest];
                dot_vectors<B, K>(x, w + j * K, part);
                unroll<L>([&](auto c) {
                    if constexpr (c < rest)
                        acc[c] = part[c];
                    else
                        acc[c] = B(T(0));
                });
                alignas(64) T sums[L];
                store_lanes(sums, sum_each(acc));
                for (std::size_t c = 0; c < rest; ++c) y[j + c] = epilogue(bias ? sums[c] + bias[j + c] : sums[c]);
            }
        }
        for (std::size_t j = grouped; j < N; ++j) {
            T const s = dot<B, K>(x, w + j * K);
            y[j] = epilogue(bias ? s + bias[j] : s);
        }
    }
}

/// dX (m x K) = dY (m x N) W (N x K), row by row: each panel of a row of dX accumulates
/// dY(i, j) W(j, panel) over j in registers, in interleaved partial sums when the panel has too
/// few vectors to hide FMA latency.
template <std::size_t K, std::size_t N, class T>
[[gnu::always_inline]] inline void input_gradient_small(T const* dy, T const* w, T* dx, std::size_t m) {
    using B = batch_for_t<T, K>;
    for (std::size_t i = 0; i < m; ++i, dy += N, dx += K) {
        for_each_panel<K, lanes<B>, 4>([&]<class Panel>(Panel, std::size_t base) {
            constexpr std::size_t V = Panel::vecs;
            constexpr std::size_t split = V >= 4 || N < 2 ? 1 : V >= 2 || N < 4 ? 2 : 4;
            B acc[split][V];
            unroll<split>([&](auto s) { unroll<V>([&](auto v) { acc[s][v] = B(T(0)); }); });
            auto step = [&](std::size_t j, B(&sum)[V]) {
                B const a(dy[j]);
                unroll<V>([&](auto v) {
                    sum[v] = xsimd::fma(a, load_lanes<B>(w + j * K + base + Panel::offset(v)), sum[v]);
                });
            };
            std::size_t j = 0;
            for (; j + split <= N; j += split) unroll<split>([&](auto s) { step(j + s, acc[s]); });
            for (; j < N; ++j) step(j, acc[0]);
            // An overlapping last vector holds the same sums, in the same order, as the lanes it
            // shares: storing both writes the same values.
            unroll<V>([&](auto v) {
                unroll<split - 1>([&](auto s) { acc[0][v] += acc[s + 1][v]; });
                store_lanes(dx + base + Panel::offset(v), acc[0][v]);
            });
        });
    }
}

/// dW (N x K) += dY^T X over `count` rows (a size_t, or an integral_constant), and db (N, or
/// null) += the column sums of dY.
template <std::size_t K, std::size_t N, class T, class Count>
[[gnu::always_inline]] inline void weight_gradient_rows(T const* dy, T const* x, T* dw, T* db, Count count) {
    using B = batch_for_t<T, K>;
    for (std::size_t j = 0; j < N; ++j) {
        T* const row = dw + j * K;
        for_each_panel<K, lanes<B>, 4>([&]<class Panel>(Panel, std::size_t base) {
            constexpr std::size_t V = Panel::vecs;
            B acc[V];
            unroll<V>([&](auto v) { acc[v] = load_lanes<B>(row + base + Panel::offset(v)); });
            B const old = acc[V - 1];
            for (std::size_t i = 0; i < count; ++i) {
                B const a(dy[i * N + j]);
                unroll<V>([&](auto v) {
                    acc[v] = xsimd::fma(a, load_lanes<B>(x + i * K + base + Panel::offset(v)), acc[v]);
                });
            }
            // The last vector leaves the lanes it shares with its predecessor as they were and is
            // stored first, so that the predecessor's store has the last word on them.
            acc[V - 1] = keep_from<Panel::skip>(acc[V - 1], old);
            store_lanes(row + base + Panel::offset(V - 1), acc[V - 1]);
            unroll<V - 1>([&](auto v) { store_lanes(row + base + Panel::offset(v), acc[v]); });
        });
    }
    if (db) {
        for (std::size_t i = 0; i < count; ++i)
            for (std::size_t j = 0; j < N; ++j) db[j] += dy[i * N + j];
    }
}

/// dW (N x K) += dY^T X over m rows, and db (N, or null) += the column sums of dY. One row (the
/// usual case) is its own instantiation: with the row loop gone, the loop over dW's rows unrolls.
template <std::size_t K, std::size_t N, class T>
[[gnu::always_inline]] inline void weight_gradient_small(T const* dy, T const* x, T* dw, T* db, std::size_t m) {
    if (m == 1)
        weight_gradient_rows<K, N>(dy, x, dw, db, std::integral_constant<std::size_t, 1>{});
    else
        weight_gradient_rows<K, N>(dy, x, dw, db, m);
}

}  // namespace typegrad::gemm::detail
