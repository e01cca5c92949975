#pragma once
// The forward product Y = epilogue(X W^T + b) for layers narrower than a vector (N < L outputs,
// a classifier's 10 on AVX-512), as broadcasts over a packed copy of W, with no horizontal sums.
//
// The dot products of gemm_forward.hpp end every output in a sum across a vector: at K = 128 that
// fold costs about half as much as the FMAs (64x10x128 at 65 % of peak on a Zen 4). Vectors along
// N would need no fold, but 10 outputs fill 10 of 16 lanes. Here the outputs are split by the
// binary digits of N into groups of w = 8, 4, 2 or 1, and a group's vector holds its w outputs
// times g = L / w consecutive k: lane r g + j accumulates output r over k = j mod g. The X operand
// is then g consecutive elements of a row repeated w times, a broadcast load (vpbroadcastq,
// vbroadcasti32x4 or i64x4 on AVX-512), and every lane is useful. A row ends with log2(g) folds of
// one vector per group, not a fold per output (64x10x128 on a Zen 4, medians of 9: 0.87 of
// OpenBLAS's time, against 1.15 with the dot products).
//
// W is packed per call, a w x w transpose of blocks of g elements per group and block of L
// columns, on the stack (N K elements, at most narrow_pack_bytes). That costs about half an
// operation per weight against the folds it saves, four per output, so batches below K / 8 rows
// keep the dot products (32x10x784 took 1.16 of OpenBLAS's time here, 1.01 with dot products).
// Each output is summed lane by lane in order of k and then folded, the same whatever row tile it
// falls in, so a row's result does not depend on how the batch is split.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/detail/gemm_batch.hpp>
#include <typegrad/tensor/detail/gemm_forward.hpp>

namespace typegrad::gemm::detail {

template <class T>
using narrow_batch_t = xsimd::batch<T>;

/// The packed W lives on the stack: at most this much of it.
inline constexpr std::size_t narrow_pack_bytes = 32 * 1024;

/// Whether forward runs a K x N layer's larger batches on this kernel: fewer outputs than lanes
/// (and more than one: a single output is a dot product either way), whole vectors along K, and W
/// small enough to pack on the stack.
template <class T, std::size_t K, std::size_t N>
inline constexpr bool narrow_forward = N > 1 && N < lanes<narrow_batch_t<T>> && K % lanes<narrow_batch_t<T>> == 0 &&
                                       N * K * sizeof(T) <= narrow_pack_bytes;

/// Batch rows from which forward takes this kernel: where the folds it saves (about four
/// operations per output) outweigh packing W (about half an operation per weight).
template <std::size_t K>
inline constexpr std::size_t narrow_min_rows = K / 8;

/// The groups of a layer of N outputs: group `index` holds the outputs [first, first + width),
/// widths the binary digits of N from the highest; `repeat` = L / width consecutive k per output.
template <std::size_t N, std::size_t L>
struct narrow_groups {
    static constexpr std::size_t count = std::popcount(N);
    static constexpr std::size_t width(std::size_t index) noexcept {
        std::size_t rest = N;
        for (std::size_t i = 0; i < index; ++i) rest &= ~std::bit_floor(rest);
        return std::bit_floor(rest);
    }
    static constexpr std::size_t first(std::size_t index) noexcept {
        std::size_t sum = 0;
        for (std::size_t i = 0; i < index; ++i) sum += width(i);
        return sum;
    }
    static constexpr std::size_t repeat(std::size_t index) noexcept { return L / width(index); }
    /// The group output n falls in.
    static constexpr std::size_t of(std::size_t n) noexcept {
        std::size_t g = 0;
        while (first(g) + width(g) <= n) ++g;
        return g;
    }
};

/// Rows of X per tile: the accumulators of gemm_forward.hpp's tiles, one per row and group.
template <class T, std::size_t N>
inline constexpr std::size_t narrow_rows = std::max<std::size_t>(1, dot_accumulators<T> / std::popcount(N));

/// GCC's vector of G elements of T (alias templates cannot carry the attribute).
template <class T, std::size_t G>
struct gnu_vector {
    typedef T type __attribute__((vector_size(G * sizeof(T))));
};

/// The G consecutive elements at p, repeated across a vector: a broadcast load (one load-port
/// operation, where a shuffle would take a port the FMAs need). xsimd 8.1 has scalar broadcasts
/// only, and GCC 12 makes of __builtin_shufflevector on a loaded vector a shuffle (for 8 bytes,
/// a store and a reload besides), so the wider runs name the instruction.
template <std::size_t G, class B, class T>
[[gnu::always_inline]] inline B repeat_load(T const* p) noexcept {
    using register_type = typename B::register_type;
    constexpr std::size_t bytes = G * sizeof(T);
    if constexpr (G == lanes<B>) {
        return B::load_unaligned(p);
    } else if constexpr (G == 1) {
        return B(*p);
    } else if constexpr (bytes == 8) {
        using words = typename gnu_vector<std::uint64_t, sizeof(register_type) / 8>::type;
        std::uint64_t bits;
        std::memcpy(&bits, p, sizeof bits);
        return B(register_type(words{} + bits));
    }
#if defined(__AVX512F__)
    else if constexpr (sizeof(register_type) == 64 && bytes == 32) {
        // The masked forms: the unmasked ones trip GCC 12's -Wuninitialized in its own header.
        __m256i const run = _mm256_loadu_si256(reinterpret_cast<__m256i const*>(p));
        return B(register_type(_mm512_maskz_broadcast_i64x4(0xFF, run)));
    } else if constexpr (sizeof(register_type) == 64 && bytes == 16) {
        __m128i const run = _mm_loadu_si128(reinterpret_cast<__m128i const*>(p));
        return B(register_type(_mm512_maskz_broadcast_i32x4(0xFFFF, run)));
    }
#endif
#if defined(__AVX2__)
    else if constexpr (sizeof(register_type) == 32 && bytes == 16) {
        return B(register_type(_mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<__m128i const*>(p)))));
    }
#endif
    else {
        using part = typename gnu_vector<T, G>::type;
        part v;
        std::memcpy(&v, p, sizeof v);
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return B(register_type(__builtin_shufflevector(v, v, (I % G)...)));
        }(std::make_index_sequence<lanes<B>>{});
    }
}

/// Transposes the W x W square of blocks of G lanes in v[0..W) (W G = lanes): block j of v[i]
/// becomes block i of v[j]. The levels of transpose(), from blocks of G lanes up.
template <std::size_t G, std::size_t Distance, class B, std::size_t W>
[[gnu::always_inline]] inline void transpose_blocks(B (&v)[W]) noexcept {
    if constexpr (Distance >= 1 && W > 1) {
        unroll<W / 2>([&](auto p) {
            constexpr std::size_t i = p / Distance * 2 * Distance + p % Distance;
            transpose_pair<Distance * G>(v[i], v[i + Distance]);
        });
        transpose_blocks<G, Distance / 2>(v);
    }
}

/// packed = W (N x K) regrouped: per block of L columns, N vectors; vector first(g) + j of group g
/// holds block j (g's repeat elements) of each of its rows.
template <std::size_t K, std::size_t N, class T>
TYPEGRAD_GEMM_FLATTEN inline void pack_narrow(T const* w, T* packed) {
    using B = narrow_batch_t<T>;
    constexpr std::size_t L = lanes<B>;
    using groups = narrow_groups<N, L>;
    for (std::size_t kb = 0; kb < K / L; ++kb) {
        unroll<groups::count>([&](auto g) {
            constexpr std::size_t width = groups::width(g), first = groups::first(g);
            B v[width];
            unroll<width>([&](auto r) { v[r] = B::load_unaligned(w + (first + r) * K + kb * L); });
            transpose_blocks<groups::repeat(g), width / 2>(v);
            unroll<width>([&](auto j) { v[j].store_aligned(packed + (kb * N + first + j) * L); });
        });
    }
}

/// v with each run of Repeat lanes summed into the run's first lane.
template <std::size_t Repeat, class B>
[[gnu::always_inline]] inline B fold_runs(B v) noexcept {
    if constexpr (Repeat == 1)
        return v;
    else
        return fold_runs<Repeat / 2>(v + swap_halves<Repeat / 2>(v));
}

/// The vector whose lane n < N is output n of one row, from the row's accumulators: each group's
/// runs folded, then output n taken from lane (n - first) * repeat of its group's vector, one
/// two-source shuffle per group.
template <std::size_t N, class B, std::size_t Groups>
[[gnu::always_inline]] inline B fold_row(B const (&acc)[Groups]) noexcept {
    constexpr std::size_t L = lanes<B>;
    using groups = narrow_groups<N, L>;
    using register_type = typename B::register_type;
    register_type row = acc[0];
    unroll<Groups>([&](auto g) {
        constexpr std::size_t group = g;
        register_type const part = fold_runs<groups::repeat(group)>(acc[group]);
        row = [&]<std::size_t... I>(std::index_sequence<I...>) {
            constexpr auto lane = [](std::size_t n) -> std::size_t {
                if (n >= N || groups::of(n) != group) return n;  // kept from row
                return L + (n - groups::first(group)) * groups::repeat(group);
            };
            return register_type(__builtin_shufflevector(row, part, lane(I)...));
        }(std::make_index_sequence<L>{});
    });
    return B(row);
}

/// Rows [0, Rows) at x of Y = epilogue(X W^T + b), from the packed W. `bias` holds the bias in
/// its first N lanes, or is null.
template <std::size_t K, std::size_t N, std::size_t Rows, class T, class Epilogue>
TYPEGRAD_GEMM_FLATTEN inline void narrow_tile(T const* x, T const* packed, T const* bias, T* y, Epilogue& epilogue) {
    using B = narrow_batch_t<T>;
    constexpr std::size_t L = lanes<B>;
    using groups = narrow_groups<N, L>;
    constexpr std::size_t G = groups::count;
    B acc[Rows][G];
    unroll<Rows>([&](auto r) { unroll<G>([&](auto g) { acc[r][g] = B(T(0)); }); });
    for (std::size_t k = 0; k < K; k += L) {
        T const* const block = packed + k * N;
        unroll<G>([&](auto g) {
            constexpr std::size_t repeat = groups::repeat(g);
            unroll<groups::width(g)>([&](auto j) {
                B const wv = B::load_aligned(block + (groups::first(g) + j) * L);
                unroll<Rows>([&](auto r) {
                    acc[r][g] = xsimd::fma(repeat_load<repeat, B>(x + r * K + k + j * repeat), wv, acc[r][g]);
                });
            });
        });
    }
    unroll<Rows>([&](auto r) {
        B v = fold_row<N>(acc[r]);
        if (bias) v += B::load_aligned(bias);
        alignas(64) T lane[L];
        apply_epilogue(epilogue, v).store_aligned(lane);
        std::memcpy(y + r * N, lane, N * sizeof(T));
    });
}

template <std::size_t K, std::size_t N, class T, class Epilogue>
[[gnu::noinline]] void forward_narrow(T const* x, T const* w, T const* bias, T* y, std::size_t m, Epilogue& epilogue) {
    constexpr std::size_t L = lanes<narrow_batch_t<T>>;
    constexpr std::size_t rows = narrow_rows<T, N>;
    alignas(64) T packed[N * K];
    pack_narrow<K, N>(w, packed);
    alignas(64) T padded_bias[L] = {};
    if (bias) std::memcpy(padded_bias, bias, N * sizeof(T));
    T const* const b = bias ? padded_bias : nullptr;
    std::size_t i = 0;
    for (; i + rows <= m; i += rows) narrow_tile<K, N, rows>(x + i * K, packed, b, y + i * N, epilogue);
    // The last m % rows rows one by one: the same sums, for at most a tile's worth of rows.
    for (; i < m; ++i) narrow_tile<K, N, 1>(x + i * K, packed, b, y + i * N, epilogue);
}

}  // namespace typegrad::gemm::detail
