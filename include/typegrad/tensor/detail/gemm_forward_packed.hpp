#pragma once
// The forward product Y = epilogue(X W^T + b) for batches of at least two vectors of rows, as
// broadcasts over a packed copy of X^T.
//
// X and W are both contiguous along K, which suits dot products (gemm_forward.hpp), but those read
// one operand of every FMA pair from L2 and end each output in a horizontal sum whose shuffles take
// the same port as one of the two FMA units on Intel cores. Here a block of 2 vectors of rows of X
// is copied transposed (K columns of 2 L rows) once, and a tile of C columns of Y
// accumulates, for each k, the two vectors of X^T(k, rows) times the broadcast W(c, k): 2 C
// accumulators, 2 vector loads and C broadcasts per 2 C FMAs, no horizontal sums.
// Each output is one chain of FMAs over k from zero, whatever the tile or block it falls in, so a
// row's result does not depend on how the batch is split.
//
// The tile's columns of Y go to a block of Y^T, transposed into Y once all are done. Both copies
// transpose squares of L x L in registers, a few percent of the arithmetic from 32 rows and 32
// columns on, which is where this kernel takes over from the dot products.

#include <algorithm>
#include <cstddef>

#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/detail/gemm_batch.hpp>

namespace typegrad::gemm::detail {

template <class T>
using packed_batch_t = xsimd::batch<T>;

/// Rows of X per packed block: two full vectors.
template <class T>
inline constexpr std::size_t packed_rows = 2 * lanes<packed_batch_t<T>>;

/// Columns of Y per tile: 2 x 12 accumulators on AVX-512's 32 registers, 2 x 6 on 16.
template <class T>
inline constexpr std::size_t packed_cols = vector_registers<T> >= 32 ? 12 : 6;

/// Steps of k per packed chunk of X^T: 32 KiB of it (packed_rows x 256), which stays in L1 while
/// every tile of columns runs over it.
template <class T>
inline constexpr std::size_t packed_depth = 32 * 1024 / (packed_rows<T> * sizeof(T));

/// The block of Y^T lives on the stack beside the chunk: at most this much of it.
inline constexpr std::size_t transposed_bytes = 128 * 1024;

/// Whether a K x N layer runs its batches of packed_rows rows or more on this kernel: a block of
/// Y^T fits transposed_bytes (N up to 1024, in float or double), and rows and columns are at
/// least a vector long. Below 32 outputs the copy of X costs more than the kernel saves.
template <class T, std::size_t K, std::size_t N>
inline constexpr bool packs_forward = packed_rows<T> * N * sizeof(T) <= transposed_bytes && N >= 32 &&
                                      K >= lanes<packed_batch_t<T>>;

/// Rows [r, r + L) of the packed chunk p (k from k0, Stride apart), from the square of X at rows
/// [r, r + L) and columns [k, k + L), transposed in registers. Only columns from k0 on are stored:
/// the last square of a chunk may start before it, to end at K. Rows of x from `rows` on repeat
/// its last row (real numbers, computed and never stored, where zeros could meet an infinite weight).
// Flattened, as the tiles are: the square stays in registers.
template <std::size_t K, std::size_t Stride, class T>
TYPEGRAD_GEMM_FLATTEN inline void pack_square(T const* x, std::size_t rows, std::size_t r, std::size_t k, std::size_t k0,
                                         T* p) {
    using B = packed_batch_t<T>;
    constexpr std::size_t L = lanes<B>;
    B v[L];
    unroll<L>([&](auto j) { v[j] = B::load_unaligned(x + std::min(r + j, rows - 1) * K + k); });
    transpose(v);
    unroll<L>([&](auto j) {
        if (k + j >= k0) v[j].store_aligned(p + (k + j - k0) * Stride + r);
    });
}

/// p[(k - k0) * Stride + r] = x[r * K + k] for r < Stride, k in [k0, k0 + depth): squares of L x L,
/// the last one ending at k0 + depth (K >= L, so it starts inside the row).
template <std::size_t K, std::size_t Stride, class T>
inline void pack_transposed(T const* x, std::size_t rows, std::size_t k0, std::size_t depth, T* p) {
    constexpr std::size_t L = lanes<packed_batch_t<T>>;
    std::size_t const k1 = k0 + depth;
    for (std::size_t r = 0; r < Stride; r += L) {
        std::size_t k = k0;
        for (; k + L <= k1; k += L) pack_square<K, Stride>(x, rows, r, k, k0, p);
        if (k < k1) pack_square<K, Stride>(x, rows, r, k1 - L, k0, p);
    }
}

/// Rows [r, min(r + L, rows)) of Y at columns [c, c + L) from their transpose at yt (column j at
/// j * Stride): one square of L x L transposed in registers.
template <std::size_t N, std::size_t Stride, class T>
TYPEGRAD_GEMM_FLATTEN inline void unpack_square(T const* yt, std::size_t rows, std::size_t r, std::size_t c, T* y) {
    using B = packed_batch_t<T>;
    constexpr std::size_t L = lanes<B>;
    B v[L];
    unroll<L>([&](auto j) { v[j] = B::load_aligned(yt + (c + j) * Stride + r); });
    transpose(v);
    unroll<L>([&](auto j) {
        if (r + j < rows) v[j].store_unaligned(y + (r + j) * N + c);
    });
}

/// Rows [0, rows) of Y (row stride N, N >= L) from their transpose at yt. When L does not divide
/// N, the last square of a row ends at N and rewrites the columns it shares with its predecessor
/// with the same values.
template <std::size_t N, std::size_t Stride, class T>
inline void unpack_transposed(T const* yt, std::size_t rows, T* y) {
    constexpr std::size_t L = lanes<packed_batch_t<T>>;
    for (std::size_t r = 0; r < rows; r += L) {
        for (std::size_t c = 0; c + L <= N; c += L) unpack_square<N, Stride>(yt, rows, r, c, y);
        if constexpr (N % L != 0) unpack_square<N, Stride>(yt, rows, r, N - L, y);
    }
}

/// Columns [0, C) of Y^T at yt (column c at c * Stride; V vectors of rows) over `steps` steps of k
/// of the packed chunk p and of the C rows of W at w (K apart): started from zero on the first
/// chunk and from yt after, finished with bias and epilogue on the last. A partial sum goes to yt
/// and comes back exactly, so each output is still one chain of FMAs over k.
template <std::size_t V, std::size_t C, std::size_t K, std::size_t Stride, class T, class Epilogue>
TYPEGRAD_GEMM_FLATTEN inline void packed_tile(T const* p, T const* w, std::size_t steps, bool first, bool last,
                                         T const* bias, T* yt, Epilogue& epilogue) {
    using B = packed_batch_t<T>;
    constexpr std::size_t L = lanes<B>;
    B acc[C][V];
    unroll<C>([&](auto c) {
        unroll<V>([&](auto v) { acc[c][v] = first ? B(T(0)) : B::load_aligned(yt + c * Stride + v * L); });
    });
    for (std::size_t k = 0; k < steps; ++k) {
        B xv[V];
        unroll<V>([&](auto v) { xv[v] = B::load_aligned(p + k * Stride + v * L); });
        unroll<C>([&](auto c) {
            B const wv(w[c * K + k]);
            unroll<V>([&](auto v) { acc[c][v] = xsimd::fma(xv[v], wv, acc[c][v]); });
        });
    }
    unroll<C>([&](auto c) {
        unroll<V>([&](auto v) {
            B value = acc[c][v];
            if (last) {
                if (bias) value += B(bias[c]);
                value = apply_epilogue(epilogue, value);
            }
            value.store_aligned(yt + c * Stride + v * L);
        });
    });
}

/// Rows [0, m) of Y, in blocks of packed_rows rows (a last block of at most one vector of rows
/// runs tiles of one vector), each over K in chunks of about packed_depth steps.
template <std::size_t K, std::size_t N, class T, class Epilogue>
[[gnu::noinline]] void forward_packed(T const* x, T const* w, T const* bias, T* y, std::size_t m,
                                      Epilogue& epilogue) {
    constexpr std::size_t L = lanes<packed_batch_t<T>>;
    constexpr std::size_t S = packed_rows<T>;
    constexpr std::size_t C = packed_cols<T>;
    // Chunks of equal depth (a multiple of L), so that no tile runs a short loop.
    constexpr std::size_t chunks = (K + packed_depth<T> - 1) / packed_depth<T>;
    constexpr std::size_t depth = ((K + chunks - 1) / chunks + L - 1) / L * L;
    alignas(64) T packed[S * depth];
    alignas(64) T transposed[S * N];
    auto block = [&]<std::size_t V>(std::size_t i, std::size_t rows) {
        for (std::size_t k0 = 0; k0 < K; k0 += depth) {
            std::size_t const steps = std::min(depth, K - k0);
            pack_transposed<K, V * L>(x + i * K, rows, k0, steps, packed);
            auto tile = [&]<std::size_t Cols>(std::size_t j) {
                packed_tile<V, Cols, K, V * L>(packed, w + j * K + k0, steps, k0 == 0, k0 + steps == K,
                                               bias ? bias + j : nullptr, transposed + j * V * L, epilogue);
            };
            constexpr std::size_t main = N - N % C;
            for (std::size_t j = 0; j < main; j += C) tile.template operator()<C>(j);
            if constexpr (N % C != 0) tile.template operator()<N % C>(main);
        }
        unpack_transposed<N, V * L>(transposed, rows, y + i * N);
    };
    for (std::size_t i = 0; i < m; i += S) {
        std::size_t const rows = std::min(S, m - i);
        if (rows > L)
            block.template operator()<2>(i, rows);
        else
            block.template operator()<1>(i, rows);
    }
}

}  // namespace typegrad::gemm::detail
