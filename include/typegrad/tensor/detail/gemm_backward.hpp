#pragma once
// The two backward products of a dense layer, dX = dY W and dW += dY^T X, on one kernel: a tile
// of Rows output rows by a panel of vectors along K accumulates, for each step p of the
// reduction, broadcast(A(r, p)) * B(p, panel). B is W (rows p = outputs) for dX and X (rows
// p = batch rows) for dW, both row-major along K, so the vectors are plain loads; A is dY, read
// along a row for dX and down a column for dW, one scalar broadcast per row of the tile.
//
// Tile: 8 rows x 3 vectors on AVX-512 (24 accumulators, 3 vector and 8 broadcast loads per 24
// FMAs), 4 x 3 on 16-register targets. A tile with fewer than 8 accumulators (one row of dX,
// short rows) splits the reduction into interleaved partial sums, or it would wait on FMA latency.
//
// Packing. The panel of B is read once per row tile, from rows K elements apart. For dX it is
// used as it is: copying W's panel to a contiguous buffer measured no faster on any shape tried
// (up to 256 x 1024 x 1024, where rows 4 KiB apart share L1 sets), because the tile reads only 3
// vectors of B per 24 FMAs and L2 sustains that. For dW the panel of X has a row per batch row;
// from 128 rows on, rows 4 KiB apart overflow L2 sets as well and a contiguous copy (a stack
// buffer of at most 32 KiB, refilled per chunk of rows) measured 10 % faster; below that the
// copy only costs, so small batches never pay for it.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <utility>

#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/detail/gemm_batch.hpp>

namespace typegrad::gemm::detail {

template <class T>
inline constexpr std::size_t broadcast_rows = vector_registers<T> >= 32 ? 8 : 4;
template <class T>
inline constexpr std::size_t broadcast_vectors = 3;

// dW of a layer a few outputs wider than a tile (9 to 12 rows on AVX-512, 5 or 6 elsewhere) runs
// as one tile of all N rows by 2 vectors (at most 24 accumulators) rather than a full tile and a
// short one: X's panel is read once instead of twice, and no tile of 2 rows waits on loads
// (64x10x128 dW: 1.06 -> 0.97 of OpenBLAS's time on a Zen 4). Threads then split the panels
// (columns of dW) instead of its rows.
template <class T, std::size_t N>
inline constexpr bool whole_weight_tile = N > broadcast_rows<T> && N <= broadcast_rows<T> * 3 / 2;
template <class T, std::size_t N>
inline constexpr std::size_t weight_rows = whole_weight_tile<T, N> ? N : broadcast_rows<T>;
template <class T, std::size_t N>
inline constexpr std::size_t weight_vectors = whole_weight_tile<T, N> ? 2 : broadcast_vectors<T>;

// The packed panel's stack buffer: two thirds of a 48 KiB L1, leaving room for the A and C rows.
inline constexpr std::size_t pack_bytes = 32 * 1024;
// Batch rows from which weight_gradient packs its panel of X.
inline constexpr std::size_t pack_min_rows = 128;

/// A row segment [base, base + Width) covered by Vecs vectors of L lanes: vector v at v * L, the
/// last one ending at Width. The last overlaps its predecessor (or the previous panel) by Skip
/// lanes, which it must leave alone.
template <std::size_t L, std::size_t Vecs, std::size_t Width, std::size_t Skip>
struct panel {
    static constexpr std::size_t vecs = Vecs;
    static constexpr std::size_t width = Width;
    static constexpr std::size_t skip = Skip;
    static constexpr std::size_t offset(std::size_t v) noexcept { return v + 1 < Vecs ? v * L : Width - L; }
};

/// The panels of Vecs vectors covering [0, K) as units a split can give to different threads:
/// the full panels, then the remaining columns as one more, unless they are a single vector that
/// reaches back into the last full panel: that vector rewrites lanes of its predecessor, so it
/// joins the predecessor's unit.
template <std::size_t K, std::size_t L, std::size_t Vecs>
inline constexpr std::size_t panel_units = [] {
    constexpr std::size_t full = K / (Vecs * L), rest = K % (Vecs * L);
    return full + (rest != 0 && !(rest <= L && full > 0) ? 1 : 0);
}();

/// Calls f(panel, base) for the panels of Vecs vectors covering [0, K), K >= L: full panels, then
/// one of the remaining columns whose last vector ends at K. Only those that make up the units
/// [first, last) of panel_units, when given.
// Always inlined: with constant bounds it folds to the plain loop over all panels, which the small
// kernels need to stay small enough for GCC 12 to inline them into a one-row step.
template <std::size_t K, std::size_t L, std::size_t Vecs, class F>
[[gnu::always_inline]] inline void for_each_panel(F&& f, std::size_t first, std::size_t last) {
    constexpr std::size_t span = Vecs * L;
    constexpr std::size_t full = K / span;
    constexpr std::size_t rest = K % span;
    for (std::size_t p = first; p < std::min(last, full); ++p) f(panel<L, Vecs, span, 0>{}, p * span);
    if constexpr (rest != 0) {
        constexpr std::size_t vecs = (rest + L - 1) / L;
        if (last != panel_units<K, L, Vecs>) return;
        if constexpr (vecs == 1)  // one vector ending at K, reaching back into the previous panel
            f(panel<L, 1, L, L - rest>{}, K - L);
        else
            f(panel<L, vecs, rest, vecs * L - rest>{}, full * span);
    }
}
template <std::size_t K, std::size_t L, std::size_t Vecs, class F>
[[gnu::always_inline]] inline void for_each_panel(F&& f) {
    for_each_panel<K, L, Vecs>(f, 0, panel_units<K, L, Vecs>);
}

/// Tiles of Rows rows over [0, count), then the remainder row by row. Tiles of Rows / 2, Rows / 4
/// rows would read the panel fewer times for the last count % Rows rows, but each costs its own
/// instantiations (compile time, for every layer) for a few rows of a batch.
template <std::size_t Rows, class F>
inline void row_tiles(std::size_t count, F&& tile) {
    std::size_t i = 0;
    for (; i + Rows <= count; i += Rows) tile.template operator()<Rows>(i);
    if constexpr (Rows > 1)
        for (; i < count; ++i) tile.template operator()<1>(i);
}

/// row_tiles for a compile-time count: only the remainder tiles that Count needs are instantiated.
template <std::size_t Rows, std::size_t Count, class F>
inline void row_tiles(F&& tile) {
    constexpr std::size_t full = Count / Rows * Rows;
    for (std::size_t i = 0; i < full; i += Rows) tile.template operator()<Rows>(i);
    if constexpr (Count > full)
        row_tiles<Rows / 2, Count - full>(
            [&]<std::size_t R>(std::size_t first) { tile.template operator()<R>(full + first); });
}

/// C[r][panel] (+)= sum over p < steps of A(r, p) * B(p)[panel], with A(r, p) = a[r * ARow + p * AStep],
/// B(p) = b + p * ldb, C rows LDC apart. Overwrites C unless `accumulate`.
template <class B, std::size_t Rows, class Panel, std::size_t ARow, std::size_t AStep, std::size_t LDC, class T>
TYPEGRAD_GEMM_FLATTEN inline void broadcast_tile(T const* a, T const* b, std::size_t ldb, std::size_t steps, T* c,
                                            bool accumulate) {
    constexpr std::size_t V = Panel::vecs;
    constexpr std::size_t split = Rows * V >= 8 ? 1 : Rows * V >= 4 ? 2 : 4;
    B acc[split][Rows][V];
    unroll<split>([&](auto s) { unroll<Rows>([&](auto r) { unroll<V>([&](auto v) { acc[s][r][v] = B(T(0)); }); }); });
    auto step = [&](std::size_t p, B(&sum)[Rows][V]) {
        T const* const bp = b + p * ldb;
        B bv[V];
        unroll<V>([&](auto v) { bv[v] = load_lanes<B>(bp + Panel::offset(v)); });
        unroll<Rows>([&](auto r) {
            B const av(a[r * ARow + p * AStep]);
            unroll<V>([&](auto v) { sum[r][v] = xsimd::fma(av, bv[v], sum[r][v]); });
        });
    };
    std::size_t const whole = steps - steps % split;
    for (std::size_t p = 0; p < whole; p += split) unroll<split>([&](auto s) { step(p + s, acc[s]); });
    for (std::size_t p = whole; p < steps; ++p) step(p, acc[0]);
    unroll<Rows>([&](auto r) {
        T* const row = c + r * LDC;
        B value[V];
        unroll<V>([&](auto v) {
            value[v] = acc[0][r][v];
            unroll<split - 1>([&](auto s) { value[v] += acc[s + 1][r][v]; });
        });
        // Every load of C before any store: a load that partly overlaps a store still in flight
        // (the last vector and its predecessor) cannot be forwarded and stalls.
        if constexpr (Panel::skip != 0) {
            B const old = load_lanes<B>(row + Panel::offset(V - 1));
            value[V - 1] = keep_from<Panel::skip>(accumulate ? value[V - 1] + old : value[V - 1], old);
        } else if (accumulate) {
            value[V - 1] += load_lanes<B>(row + Panel::offset(V - 1));
        }
        if (accumulate) unroll<V - 1>([&](auto v) { value[v] += load_lanes<B>(row + Panel::offset(v)); });
        // The last vector first: the lanes it shares with its predecessor hold the old values until
        // the predecessor's store replaces them.
        store_lanes(row + Panel::offset(V - 1), value[V - 1]);
        unroll<V - 1>([&](auto v) { store_lanes(row + Panel::offset(v), value[v]); });
    });
}

/// dx (m x K) = dy (m x N) w (N x K).
template <std::size_t K, std::size_t N, class T>
[[gnu::noinline]] void input_gradient(T const* dy, T const* w, T* dx, std::size_t m) {
    using B = batch_for_t<T, K>;
    for_each_panel<K, lanes<B>, broadcast_vectors<T>>([&]<class Panel>(Panel, std::size_t base) {
        row_tiles<broadcast_rows<T>>(m, [&]<std::size_t R>(std::size_t i) {
            broadcast_tile<B, R, Panel, N, 1, K>(dy + i * N, w + base, K, N, dx + i * K + base, false);
        });
    });
}

/// db[0..Count) += column sums of the `m` rows of dy (N apart): a vector of the widest batch that
/// fits, then the rest the same way, so no vector overlaps another (an overlapping read-modify-
/// write would wait for the previous store).
template <std::size_t N, std::size_t Count, class T>
void add_column_sums(T const* dy, std::size_t m, T* db) {
    using B = batch_for_t<T, Count>;
    constexpr std::size_t L = lanes<B>;
    constexpr std::size_t full = Count / L * L;
    for (std::size_t j = 0; j < full; j += L) {
        // Two accumulators halve the chain of dependent adds down the rows.
        B even(T(0)), odd(T(0));
        std::size_t i = 0;
        for (; i + 2 <= m; i += 2) {
            even += load_lanes<B>(dy + i * N + j);
            odd += load_lanes<B>(dy + (i + 1) * N + j);
        }
        if (i < m) even += load_lanes<B>(dy + i * N + j);
        store_lanes(db + j, load_lanes<B>(db + j) + (even + odd));
    }
    if constexpr (Count > full) add_column_sums<N, Count - full>(dy + full, m, db + full);
}

/// Where a tile of dw reads its column of dy: dy itself, rows N apart (Regrouped false), or dy's
/// columns regrouped by tiles (pack_columns), each tile's block of `m` rows contiguous.
template <std::size_t N, std::size_t Rows, bool Regrouped>
struct dy_columns {
    static constexpr std::size_t full = N / Rows * Rows;
    /// The step between rows of dy for a tile starting at row j of dw: its width when regrouped.
    template <std::size_t R>
    static constexpr std::size_t step = !Regrouped ? N : R == Rows ? Rows : N - full;
    /// Column j of dy at batch row `first` (where pack_columns writes it, too).
    template <class P>
    static P at(P dy, std::size_t m, std::size_t j, std::size_t first) noexcept {
        if constexpr (!Regrouped)
            return dy + first * N + j;
        else if (j < full)
            return dy + j * m + first * Rows;
        else
            return dy + full * m + (j - full) + first * (N - full);
    }
};

/// Rows [j0, j1) of dw (+)= the panel at `base` of dy^T x over the batch rows [first, first +
/// steps), with the panel of x at b (rows ldb apart). j0 is a multiple of the tile height; j1 is
/// too, or N, whose last N % tile rows take the smaller tiles row_tiles picks for them.
template <class B, class Panel, std::size_t K, std::size_t N, bool Regrouped = false, class T>
inline void weight_panel(T const* dy, std::size_t m, T const* b, std::size_t ldb, T* dw, std::size_t base,
                         std::size_t first, std::size_t steps, std::size_t j0, std::size_t j1) {
    constexpr std::size_t rows = weight_rows<T, N>;
    constexpr std::size_t full = N / rows * rows;
    using columns = dy_columns<N, rows, Regrouped>;
    auto const tile = [&]<std::size_t R>(std::size_t j) {
        constexpr std::size_t step = columns::template step<R>;
        broadcast_tile<B, R, Panel, 1, step, K>(columns::at(dy, m, j, first), b, ldb, steps, dw + j * K + base, true);
    };
    for (std::size_t j = j0; j < std::min(j1, full); j += rows) tile.template operator()<rows>(j);
    if constexpr (N > full) {
        if (j1 == N)
            row_tiles<rows / 2, N - full>([&]<std::size_t R>(std::size_t j) { tile.template operator()<R>(full + j); });
    }
}

// Out of line so that only calls that pack carry the buffer in their stack frame.
template <class B, class Panel, std::size_t K, std::size_t N, bool Regrouped, class T>
[[gnu::noinline]] void weight_panel_packed(T const* dy, T const* x, T* dw, std::size_t base, std::size_t m,
                                           std::size_t j0, std::size_t j1) {
    constexpr std::size_t chunk = pack_bytes / (Panel::width * sizeof(T));
    alignas(64) T packed[chunk * Panel::width];
    for (std::size_t p0 = 0; p0 < m; p0 += chunk) {
        std::size_t const steps = std::min(chunk, m - p0);
        for (std::size_t p = 0; p < steps; ++p)
            std::memcpy(packed + p * Panel::width, x + (p0 + p) * K + base, Panel::width * sizeof(T));
        weight_panel<B, Panel, K, N, Regrouped>(dy, m, packed, Panel::width, dw, base, p0, steps, j0, j1);
    }
}

/// Columns [j0, j1) of dy (m x N) regrouped for dy_columns<N, broadcast_rows, true>: a block of m
/// rows per tile of dw, contiguous, in the first m * j1 elements of `out`. Returns out.
template <std::size_t N, class T>
T const* pack_columns(T const* dy, std::size_t m, std::size_t j0, std::size_t j1, T* out) {
    constexpr std::size_t rows = weight_rows<T, N>;
    using columns = dy_columns<N, rows, true>;
    for (std::size_t j = j0; j < std::min(j1, columns::full); j += rows)
        for (std::size_t p = 0; p < m; ++p) std::memcpy(columns::at(out, m, j, p), dy + p * N + j, rows * sizeof(T));
    if constexpr (N > columns::full) {
        if (j1 == N)
            for (std::size_t p = 0; p < m; ++p)
                std::memcpy(columns::at(out, m, columns::full, p), dy + p * N + columns::full,
                            (N - columns::full) * sizeof(T));
    }
    return out;
}

/// Bytes of dy up to which weight_gradient regroups its columns by tile (on the stack). Read in
/// place, a tile's column of dy is one element per row N apart: for N a multiple of 256 bytes those
/// rows share a few L1 sets, and a batch of them evicts itself between the panels that reuse it.
inline constexpr std::size_t regroup_bytes = 64 * 1024;

template <std::size_t K, std::size_t N, bool Regrouped, class T>
void weight_panels(T const* dy, T const* x, T* dw, std::size_t m, std::size_t j0, std::size_t j1, std::size_t p0,
                   std::size_t p1) {
    using B = batch_for_t<T, K>;
    for_each_panel<K, lanes<B>, weight_vectors<T, N>>(
        [&]<class Panel>(Panel, std::size_t base) {
            // Only with more than one row tile is the panel of X read more than once. (Decided on
            // the whole of dw, not the range: packing sums the rows in chunks, an order a split
            // must keep.)
            if constexpr (N > weight_rows<T, N>) {
                if (m >= pack_min_rows)
                    return weight_panel_packed<B, Panel, K, N, Regrouped>(dy, x, dw, base, m, j0, j1);
            }
            weight_panel<B, Panel, K, N, Regrouped>(dy, m, x + base, K, dw, base, 0, m, j0, j1);
        },
        p0, p1);
}

/// The panel units of weight_gradient's panels of X.
template <class T, std::size_t K, std::size_t N>
inline constexpr std::size_t weight_panel_units = panel_units<K, lanes<batch_for_t<T, K>>, weight_vectors<T, N>>;

// Out of line so that only calls that regroup carry the buffer in their stack frame. The tiles
// read only the blocks pack_columns wrote, for rows [j0, j1), which GCC 12 cannot follow through
// the run-time ranges: its maybe-uninitialized warning is silenced here and only here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
template <std::size_t K, std::size_t N, class T>
[[gnu::noinline]] void weight_panels_regrouped(T const* dy, T const* x, T* dw, std::size_t m, std::size_t j0,
                                               std::size_t j1) {
    alignas(64) T buffer[regroup_bytes / sizeof(T)];
    weight_panels<K, N, true>(pack_columns<N>(dy, m, j0, j1, buffer), x, dw, m, j0, j1, 0,
                              weight_panel_units<T, K, N>);
}
#pragma GCC diagnostic pop

/// What weight_gradient's work is split into: groups of rows of dw (a tile's height each), or,
/// when one tile holds every row, its panels.
template <class T, std::size_t K, std::size_t N>
inline constexpr std::size_t weight_units = whole_weight_tile<T, N> ? weight_panel_units<T, K, N> : N;
template <class T, std::size_t N>
inline constexpr std::size_t weight_unit = whole_weight_tile<T, N> ? 1 : broadcast_rows<T>;

/// The units [begin, end) of dw (N x K) += dy^T (N x m) x (m x K): rows of dw, or panels when
/// whole_weight_tile (a split's ends fall on multiples of weight_unit); db (N, or null) += column
/// sums of dy. Each element of dw is summed the same way whatever range it is computed in, and
/// wherever its column of dy is read from, so splitting the units over threads changes no bit of
/// the result.
template <std::size_t K, std::size_t N, class T>
[[gnu::noinline]] void weight_gradient(T const* dy, T const* x, T* dw, T* db, std::size_t m, std::size_t begin = 0,
                                       std::size_t end = weight_units<T, K, N>) {
    if (db) add_column_sums<N, N>(dy, m, db);
    if constexpr (whole_weight_tile<T, N>) {
        weight_panels<K, N, false>(dy, x, dw, m, 0, N, begin, end);
    } else {
        // Only with more than one panel is a column of dy read more than once.
        if constexpr (N > weight_rows<T, N> && K > weight_vectors<T, N> * lanes<batch_for_t<T, K>>) {
            if (m * N * sizeof(T) <= regroup_bytes) return weight_panels_regrouped<K, N>(dy, x, dw, m, begin, end);
        }
        weight_panels<K, N, false>(dy, x, dw, m, begin, end, 0, weight_panel_units<T, K, N>);
    }
}

}  // namespace typegrad::gemm::detail
