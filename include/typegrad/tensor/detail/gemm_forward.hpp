#pragma once
// The forward product Y = epilogue(X W^T + b) as dot products along K.
//
// X (M x K) and W (N x K) are both contiguous along K, so a tile of Rows rows of X against Cols
// rows of W keeps Rows x Cols vector accumulators and loads Rows + Cols vectors per step: with
// 16 accumulators (4 x 4) that is one load per FMA pair, within what a core issues next to two
// FMAs a cycle. Neither operand is packed, which is what small batches and narrow layers need:
// one-row products (inference, small networks) would pay a transposed copy of an operand in
// full. What dot products cost instead is one horizontal reduction per output: a sum tree folds
// `lanes` accumulators into one vector of `lanes` sums, about three instructions per output
// against K / lanes FMAs, and leaves the sums in a vector, so bias and epilogue run on full
// vectors in the store. From 32 rows and 32 outputs on, forward runs the packed broadcasts of
// gemm_forward_packed.hpp instead: the tile reads one operand from L2 per FMA pair, and its
// reductions share a port with an FMA unit on Intel cores (63 % of peak against 78 % on
// 64x256x784, Xeon Ice Lake).

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/detail/gemm_batch.hpp>

namespace typegrad::gemm::detail {

// Half the register file holds accumulators; the other half the Rows + Cols operands of a step.
template <class T>
inline constexpr std::size_t dot_accumulators = vector_registers<T> / 2;

// Rows of X per tile in the main loop (4 x 4 on AVX-512, 2 x 4 elsewhere). The last M % rows
// rows run as tiles of one row as wide as the same accumulators allow: 1 x 16.
template <class T>
inline constexpr std::size_t dot_rows = dot_accumulators<T> >= 16 ? 4 : 2;

// Columns of W per tile: the accumulators' share, or 5 for a layer that 5 divides and 4 does not,
// which then needs no narrower tile for its last columns (4 + 1 more registers of the spare half).
// 32x10x784 on a Zen 4, medians of 9 to 15 against OpenBLAS: 0.96-1.01 as 4 x 5 tiles, 1.01-1.03
// as 4 x 4 and 4 x 2.
template <class T, std::size_t N>
inline constexpr std::size_t dot_cols =
    N % 5 == 0 && N % 4 != 0 ? 5 : dot_accumulators<T> / dot_rows<T>;

// A block of rows of X sized to stay in a 256 KiB L2 while the tile loop streams W through it.
template <class T, std::size_t K, std::size_t Rows>
inline constexpr std::size_t dot_row_block = std::max<std::size_t>(Rows, (std::size_t{256} * 1024 / (K * sizeof(T))) /
                                                                             Rows * Rows);

// Under AMD tuning (GCC 12's -march=native picks znver3 tuning on Zen 3, 4 and 5) GCC turns a
// loaded operand into a memory operand of each FMA using it, re-loading every X vector once per
// column of the tile: 20 loads per 16 FMAs instead of 8, which Zen's L1 cannot sustain (65 % of
// peak instead of 80 % on 64x256x784). There `opaque` returns v + 0, which the compiler must keep
// (it maps -0 to +0, harmless in a sum of products) and which runs on Zen's FP add pipes, beside
// the FMAs. Elsewhere it is v itself: on Intel the add takes one of the two FMA ports and the
// memory operands are micro-fused loads the core issues two a cycle (53 % of peak with the add,
// 63 % without, on a Xeon Ice Lake; bench/tensor_gemm).
#if defined(__tune_znver1__) || defined(__tune_znver2__) || defined(__tune_znver3__) || defined(__tune_znver4__) || \
    defined(__tune_znver5__)
inline constexpr bool keep_operands_in_registers = true;
#else
inline constexpr bool keep_operands_in_registers = false;
#endif

template <class B>
inline B opaque(B v) noexcept {
    if constexpr (lanes<B> == 1 || !keep_operands_in_registers)
        return v;
    else
        return v + B(scalar_of_t<B>(0));
}

/// The `Rows x Cols` outputs at y (row stride N) of rows x[0..Rows) and w[0..Cols) (stride K).
/// `pattern` holds the bias laid out like the reduced sums (flat index r * Cols + c), or is null.
// Flattened: every helper and lambda inlined, so the accumulators never leave registers.
template <class B, std::size_t K, std::size_t N, std::size_t Rows, std::size_t Cols, class T, class Epilogue>
TYPEGRAD_GEMM_FLATTEN inline void dot_tile(T const* x, T const* w, T const* pattern, T* y, Epilogue& epilogue) {
    constexpr std::size_t L = lanes<B>;
    constexpr std::size_t rest = K % L;
    B acc[Rows][Cols];
    unroll<Rows>([&](auto r) { unroll<Cols>([&](auto c) { acc[r][c] = B(T(0)); }); });

    auto step = [&](std::size_t k, auto prepare) {
        B xv[Rows];
        unroll<Rows>([&](auto r) { xv[r] = prepare(load_lanes<B>(x + r * K + k)); });
        unroll<Cols>([&](auto c) {
            B const wv = prepare(load_lanes<B>(w + c * K + k));
            unroll<Rows>([&](auto r) { acc[r][c] = xsimd::fma(xv[r], wv, acc[r][c]); });
        });
    };
    for (std::size_t k = 0; k + L <= K; k += L) step(k, [](B v) { return opaque(v); });
    if constexpr (rest != 0) {
        // The last vector ends at K and overlaps its predecessor by L - rest lanes, which count
        // once already: zero them in both operands (in one only, 0 * inf would be NaN).
        step(K - L, [](B v) { return keep_from<L - rest>(v, B(T(0))); });
    }

    constexpr std::size_t count = Rows * Cols;
    constexpr std::size_t groups = (count + L - 1) / L;
    // Each group of L sums is either a contiguous run of one output row (stored in place) or a
    // piece of several short rows (collected, then copied row by row).
    constexpr bool in_place = Cols % L == 0;
    alignas(64) T flat[in_place ? 1 : groups * L];
    unroll<groups>([&](auto g) {
        B v;
        if constexpr (L == 1) {
            v = acc[g / Cols][g % Cols];
        } else {
            B part[L];
            unroll<L>([&](auto l) {
                constexpr std::size_t f = g * L + l;
                if constexpr (f < count)
                    part[l] = acc[f / Cols][f % Cols];
                else
                    part[l] = B(T(0));
            });
            v = sum_each(part);
        }
        if (pattern) v += load_lanes<B>(pattern + g * L);
        v = apply_epilogue(epilogue, v);
        if constexpr (in_place)
            store_lanes(y + (g * L / Cols) * N + (g * L) % Cols, v);
        else
            store_lanes(flat + g * L, v);
    });
    if constexpr (!in_place) unroll<Rows>([&](auto r) { std::memcpy(y + r * N, flat + r * Cols, Cols * sizeof(T)); });
}

/// Rows [0, rows) of Y (rows a multiple of Rows): every column tile, each against all row tiles,
/// so a tile of W (Cols rows of K) stays in L1 while the rows of X stream past it.
template <class B, std::size_t K, std::size_t N, std::size_t Rows, std::size_t Cols, class T, class Epilogue>
inline void dot_rows_block(T const* x, T const* w, T const* bias, T* y, std::size_t rows, Epilogue& epilogue) {
    constexpr std::size_t L = lanes<B>;
    auto columns = [&]<std::size_t C>(std::size_t j) {
        constexpr std::size_t padded = (Rows * C + L - 1) / L * L;
        alignas(64) T pattern[padded];
        if (bias) {
            for (std::size_t f = 0; f < padded; ++f) pattern[f] = f < Rows * C ? bias[j + f % C] : T(0);
        }
        T const* const p = bias ? pattern : nullptr;
        for (std::size_t i = 0; i < rows; i += Rows)
            dot_tile<B, K, N, Rows, C>(x + i * K, w + j * K, p, y + i * N + j, epilogue);
    };
    constexpr std::size_t main = N - N % Cols;
    for (std::size_t j = 0; j < main; j += Cols) columns.template operator()<Cols>(j);
    if constexpr (N % Cols != 0) columns.template operator()<N % Cols>(main);
}

template <std::size_t K, std::size_t N, class T, class Epilogue>
[[gnu::noinline]] void forward(T const* x, T const* w, T const* bias, T* y, std::size_t m, Epilogue& epilogue) {
    using B = batch_for_t<T, K>;
    constexpr std::size_t acc = dot_accumulators<T>;
    constexpr std::size_t rows = dot_rows<T>;
    constexpr std::size_t block = dot_row_block<T, K, rows>;
    std::size_t const main = m - m % rows;
    for (std::size_t i = 0; i < main; i += block)
        dot_rows_block<B, K, N, rows, dot_cols<T, N>>(x + i * K, w, bias, y + i * N, std::min(block, main - i), epilogue);
    // The last m % rows rows one by one, each as a tile row of the same number of accumulators.
    // Tiles of 2 or 3 rows would read W once less per row but cost their own instantiations
    // (compile time, for every layer), for at most 3 rows of a batch.
    for (std::size_t i = main; i < m; ++i) dot_rows_block<B, K, N, 1, acc>(x + i * K, w, bias, y + i * N, 1, epilogue);
}

}  // namespace typegrad::gemm::detail
