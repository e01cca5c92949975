#pragma once
// The two loops every elementwise kernel is made of, written once: full xsimd batches, then a
// scalar tail. Kernels pass one generic callable, so the batch body and the tail are the same
// code and cannot disagree.

#include <cstddef>
#include <type_traits>
#include <utility>

#include <typegrad/simd/batch.hpp>

namespace typegrad::simd {

/// Loads a V (a batch, or one scalar) from p; stores one to p. With for_each_block below, they
/// let one generic body serve the batch loop and the scalar tail. Always unaligned. (Named so
/// that argument-dependent lookup cannot pick xsimd::load/store, which default to aligned.)
template <class V, class T>
V load_as(T const* p) noexcept {
    if constexpr (is_batch_v<V>)
        return V::load_unaligned(p);
    else
        return *p;
}

template <class T, class V>
void store_to(T* p, V v) noexcept {
    if constexpr (is_batch_v<V>)
        v.store_unaligned(p);
    else
        *p = v;
}

namespace detail {

/// The batch one size down from xsimd::batch<T, A> on this machine (AVX-512 -> AVX2 -> SSE4.2),
/// or void below that: a run shorter than a full batch still takes a few vector steps, not a
/// scalar (libm) call per element.
template <class T, class A>
struct narrower {
    using type = void;
};
#if XSIMD_WITH_AVX2
template <class T, class A>
    requires std::is_base_of_v<xsimd::avx512f, A>
struct narrower<T, A> {
    using type = xsimd::batch<T, xsimd::avx2>;
};
#endif
#if XSIMD_WITH_SSE4_2
template <class T, class A>
    requires std::is_base_of_v<xsimd::avx, A>  // AVX, AVX2 and FMA3+AVX2
struct narrower<T, A> {
    using type = xsimd::batch<T, xsimd::sse4_2>;
};
#endif

template <class B>
struct narrowest {
    using next = typename narrower<typename B::value_type, typename B::arch_type>::type;
    using type = typename std::conditional_t<std::is_void_v<next>, std::type_identity<B>, narrowest<next>>::type;
};

/// Walks [i, n) with batch B, then with each narrower batch, then one scalar at a time.
template <class T, class B, class Body>
void for_each_block_from(std::size_t i, std::size_t n, Body& body) {
    if constexpr (std::is_void_v<B>) {
        for (; i < n; ++i) body(i, std::type_identity<T>{});
    } else {
        for (; i + B::size <= n; i += B::size) body(i, std::type_identity<B>{});
        for_each_block_from<T, typename narrower<T, typename B::arch_type>::type>(i, n, body);
    }
}

}  // namespace detail

/// The narrowest xsimd batch of T on this machine: a run's last few elements are padded to it.
template <scalar T>
using narrowest_batch_t = typename detail::narrowest<xsimd::batch<T>>::type;

/// Calls body(i, std::type_identity<V>{}) over [0, n): V = xsimd::batch<T> for every full batch,
/// then narrower xsimd batches (of another arch: V is not always xsimd::batch<T>), then V = T for
/// the last few elements. The body is written once, generic over V.
template <scalar T, class Body>
void for_each_block(std::size_t n, Body&& body) {
    detail::for_each_block_from<T, xsimd::batch<T>>(0, n, body);
}

namespace detail {

/// transform from element i with batch B, then narrower batches; what is left after the
/// narrowest (fewer elements than its lanes) goes through it on zero-padded copies.
template <class T, class B, class F, class... In>
void transform_from(std::size_t i, std::size_t n, T* out, F& f, In const*... in) {
    for (; i + B::size <= n; i += B::size) f(B::load_unaligned(in + i)...).store_unaligned(out + i);
    if (i == n) return;
    using next = typename narrower<T, typename B::arch_type>::type;
    if constexpr (!std::is_void_v<next>) {
        transform_from<T, next>(i, n, out, f, in...);
    } else {
        std::size_t const rest = n - i;
        alignas(B::arch_type::alignment()) T padded[sizeof...(In) + 1][B::size] = {};
        std::size_t k = 0;
        ([&](T const* from) { for (std::size_t j = 0; j < rest; ++j) padded[k][j] = from[i + j]; ++k; }(in), ...);
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            f(B::load_aligned(padded[K])...).store_aligned(padded[sizeof...(In)]);
        }(std::index_sequence_for<In...>{});
        for (std::size_t j = 0; j < rest; ++j) out[i + j] = padded[sizeof...(In)][j];
    }
}

}  // namespace detail

/// out[i] = f(in[i]...) for i < n. `f` is called with xsimd batches, of the widest arch and of
/// narrower ones for the end of the run. Loads and stores are unaligned: callers pass rows of
/// any view. The last few elements (fewer than the narrowest batch's lanes) are computed as one
/// batch over zero-padded copies: `f` is a pure map, so the padding lanes are computed and
/// dropped (a NaN or inf there is harmless), and no element costs a scalar libm call.
template <scalar T, class F, class... In>
void transform(std::size_t n, T* out, F f, In const*... in) {
    detail::transform_from<T, xsimd::batch<T>>(0, n, out, f, in...);
}

/// Folds in[0..n) with `combine` (associative and commutative, e.g. + or max) into one value,
/// lane-wise over batches first and across lanes at the end. `identity` is combine's neutral
/// element; `reduce_lanes` turns a batch into a T (xsimd::hadd for sums).
template <scalar T, class Combine, class ReduceLanes>
T reduce(std::size_t n, T const* in, T identity, Combine combine, ReduceLanes reduce_lanes) {
    using batch = xsimd::batch<T>;
    std::size_t i = 0;
    T result = identity;
    if (n >= batch::size) {
        batch acc = batch::load_unaligned(in);
        for (i = batch::size; i + batch::size <= n; i += batch::size) acc = combine(acc, batch::load_unaligned(in + i));
        result = reduce_lanes(acc);
    }
    for (; i < n; ++i) result = combine(result, in[i]);
    return result;
}

}  // namespace typegrad::simd
