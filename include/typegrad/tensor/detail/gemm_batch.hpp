#pragma once
// The vector a GEMM kernel runs on, and the few lane operations its kernels share, spelled once
// for an xsimd batch and for a plain scalar (the "batch" of one lane that rows shorter than any
// vector fall back to).

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <typegrad/simd/batch.hpp>

// The kernels that hold a register tile are flattened: everything they call is inlined, so
// that the tile (an array indexed through unroll's lambdas) stays in registers. Under
// AddressSanitizer, whose builds are for finding bugs (CI's at -Og), that inlining is most of the
// compile time and buys nothing a test checks, so the kernels are left as ordinary calls there.
#if defined(__SANITIZE_ADDRESS__)
#define TYPEGRAD_GEMM_FLATTEN
#else
#define TYPEGRAD_GEMM_FLATTEN [[gnu::flatten]]
#endif

namespace typegrad::gemm::detail {

template <class B>
struct lanes_of : std::integral_constant<std::size_t, 1> {};
template <class T, class A>
struct lanes_of<xsimd::batch<T, A>> : std::integral_constant<std::size_t, xsimd::batch<T, A>::size> {};

/// Lanes of a kernel vector: its size, or 1 for a scalar.
template <class B>
inline constexpr std::size_t lanes = lanes_of<B>::value;

template <class T, std::size_t Lanes>
using sized_batch_t =
    std::conditional_t<Lanes == xsimd::batch<T>::size, xsimd::batch<T>, xsimd::make_sized_batch_t<T, Lanes>>;

// The widest vector no longer than `Extent` elements, or T itself. A kernel vectorises along a
// row of `Extent` elements; a vector longer than the row could only be filled by reading past it,
// so short rows (a layer of 8 inputs on AVX-512) use a narrower instruction set's batch instead
// of masking most lanes away.
template <class T, std::size_t Extent, std::size_t Lanes = xsimd::batch<T>::size>
struct batch_for {
    using narrower = typename batch_for<T, Extent, Lanes / 2>::type;
    using type = std::conditional_t<(Lanes <= Extent && !std::is_void_v<sized_batch_t<T, Lanes>>),
                                    sized_batch_t<T, Lanes>, narrower>;
};
template <class T, std::size_t Extent>
struct batch_for<T, Extent, 1> {
    using type = T;
};

template <class T, std::size_t Extent>
using batch_for_t = typename batch_for<T, Extent>::type;

// The register file the tiles are sized for. xsimd does not say; the vector width tells AVX-512
// (32 registers) from SSE/AVX2 (16), and erring towards 16 elsewhere only costs speed.
template <class T>
inline constexpr std::size_t vector_registers = sizeof(xsimd::batch<T>) >= 64 ? 32 : 16;

template <class B, class T>
inline B load_lanes(T const* p) noexcept {
    if constexpr (lanes<B> == 1)
        return *p;
    else
        return B::load_unaligned(p);
}

template <class B, class T>
inline void store_lanes(T* p, B v) noexcept {
    if constexpr (lanes<B> == 1)
        *p = v;
    else
        v.store_unaligned(p);
}

// The lanes of a mask, 1 or 0, for one vector type: G::get(lane) says which.
template <class B, class G>
struct mask_lanes {
    alignas(64) static constexpr auto values = [] {
        std::array<scalar_of_t<B>, lanes<B>> v{};
        for (std::size_t i = 0; i < lanes<B>; ++i) v[i] = G::get(i) ? 1 : 0;
        return v;
    }();
};

/// A compile-time lane mask. Built by comparing constants rather than with xsimd's
/// batch_bool_constant, whose conversions GCC 12 leaves as out-of-line calls in these kernels.
template <class B, class G>
[[gnu::always_inline]] inline auto lane_mask() noexcept {
    return B::load_aligned(mask_lanes<B, G>::values.data()) != B(scalar_of_t<B>(0));
}

template <std::size_t Skip>
struct from_lane {
    static constexpr bool get(std::size_t i) noexcept { return i >= Skip; }
};

/// `fresh` in lanes [Skip, size), `old` in the first Skip lanes: how a row's last, overlapping
/// vector leaves the lanes its predecessor already owns.
template <std::size_t Skip, class B>
[[gnu::always_inline]] inline B keep_from(B fresh, B old) noexcept {
    if constexpr (Skip == 0)
        return fresh;
    else
        return xsimd::select(lane_mask<B, from_lane<Skip>>(), fresh, old);
}

/// epilogue(v) on a vector, as the forward kernels store their sums.
template <class B, class Epilogue>
inline B apply_epilogue(Epilogue& epilogue, B v) {
    if constexpr (std::is_invocable_r_v<B, Epilogue&, B>) {
        return epilogue(v);
    } else {
        // An epilogue that only takes scalars, or only the default batch while this kernel runs
        // on a narrower one (short rows): lane by lane.
        using T = scalar_of_t<B>;
        alignas(64) T lane[lanes<B>];
        v.store_aligned(lane);
        for (T& e : lane) e = epilogue(e);
        return B::load_aligned(lane);
    }
}

template <std::size_t... I, class F>
inline void unroll_impl(std::index_sequence<I...>, F&& f) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
}

/// f(integral_constant<0>), ..., f(integral_constant<N - 1>): register tiles are arrays indexed
/// by constants, which the compiler keeps in registers; a loop it might not unroll would spill them.
template <std::size_t N, class F>
inline void unroll(F&& f) {
    unroll_impl(std::make_index_sequence<N>{}, f);
}

template <std::size_t Half>
struct lower_half {
    static constexpr bool get(std::size_t i) noexcept { return (i & Half) == 0; }
};
/// v with lanes l and l ^ Half swapped: __builtin_shufflevector (GCC 12, clang) on the register,
/// rather than xsimd 8.1's swizzle: that one converts its batch_constant through an
/// initializer_list constructor which GCC at -O2 leaves out of line, one call per swizzle, even
/// inside flattened kernels.
template <std::size_t Half, class T, class A>
[[gnu::always_inline]] inline xsimd::batch<T, A> swap_halves(xsimd::batch<T, A> v) noexcept {
    using register_type = typename xsimd::batch<T, A>::register_type;
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        register_type const r = v;
        return xsimd::batch<T, A>(register_type(__builtin_shufflevector(r, r, (I ^ Half)...)));
    }(std::make_index_sequence<xsimd::batch<T, A>::size>{});
}

// One level of the sum tree: in every block of 2 * Half lanes, the lower half gets a's two
// halves added and the upper half b's.
template <std::size_t Half, class T, class A>
[[gnu::always_inline]] inline xsimd::batch<T, A> fold_pair(xsimd::batch<T, A> a, xsimd::batch<T, A> b) noexcept {
    using B = xsimd::batch<T, A>;
    auto const lower = lane_mask<B, lower_half<Half>>();
    return xsimd::select(lower, a, b) + swap_halves<Half>(xsimd::select(lower, b, a));
}

/// One level of a transpose: lanes l and l ^ Half are swapped between a and b where they differ in
/// that bit, so that a keeps its lower halves and b its upper ones (in blocks of 2 * Half lanes).
template <std::size_t Half, class T, class A>
[[gnu::always_inline]] inline void transpose_pair(xsimd::batch<T, A>& a, xsimd::batch<T, A>& b) noexcept {
    using B = xsimd::batch<T, A>;
    auto const lower = lane_mask<B, lower_half<Half>>();
    B const crossed = swap_halves<Half>(xsimd::select(lower, b, a));  // a's upper lanes down, b's lower up
    a = xsimd::select(lower, a, crossed);
    b = xsimd::select(lower, crossed, b);
}

// Pair p of a level: vectors i and i + Half, i the p-th index with bit Half clear. Folded over
// always-inlined calls rather than unroll's lambdas, which GCC's stack-growth limit leaves out of
// line even inside a flattened caller.
template <std::size_t Half, class B, std::size_t L, std::size_t... P>
[[gnu::always_inline]] inline void transpose_levels(B (&v)[L], std::index_sequence<P...> pairs) noexcept {
    (transpose_pair<Half>(v[P / Half * 2 * Half + P % Half], v[P / Half * 2 * Half + P % Half + Half]), ...);
    if constexpr (Half > 1) transpose_levels<Half / 2>(v, pairs);
}

/// Transposes the square v[0..lanes): lane j of v[i] becomes lane i of v[j]. Each level swaps one
/// bit of the lane index with the same bit of the vector index: log2(lanes) levels of one permute
/// and three blends per pair, the permutes on the shuffle port.
// (xsimd 8.1 has no transpose, and its zip_lo/zip_hi interleave within 128-bit lanes on AVX-512
// but across the whole vector elsewhere, so they cannot spell one portably.)
template <class B, std::size_t L>
[[gnu::always_inline]] inline void transpose(B (&v)[L]) noexcept {
    static_assert(L == lanes<B>, "transpose takes a square: as many vectors as lanes");
    if constexpr (L > 1) transpose_levels<L / 2>(v, std::make_index_sequence<L / 2>{});
}

template <std::size_t Count, class B>
[[gnu::always_inline]] inline B fold_tree(B const* v) noexcept {
    if constexpr (Count == 1) {
        return v[0];
    } else {
        B half[Count / 2];
        unroll<Count / 2>([&](auto i) { half[i] = fold_pair<Count / 2>(v[i], v[i + Count / 2]); });
        return fold_tree<Count / 2>(half);
    }
}

/// The vector whose lane l is the sum of the lanes of v[l], for v[0..lanes<B>).
// Always inlined: called out of line, the accumulators would go through memory.
template <class T, class A>
[[gnu::always_inline]] inline xsimd::batch<T, A> sum_each(xsimd::batch<T, A> const* v) noexcept {
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
        // xsimd 8.1's AVX-512 float haddp returns lanes 2-5 and 10-13 out of order; fold with
        // lane swaps and select instead (as fast: one permute per pair of vectors).
        return fold_tree<xsimd::batch<T, A>::size>(v);
    } else {
        return xsimd::haddp(v);
    }
}

}  // namespace typegrad::gemm::detail
