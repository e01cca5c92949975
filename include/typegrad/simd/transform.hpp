#pragma once
// The two loops every elementwise kernel is made of, written once: full xsimd batches, then a
// scalar tail. Kernels pass one generic callable, so the batch body and the tail are the same
// code and cannot disagree.

#include <cstddef>
#include <type_traits>

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

/// Calls body(i, std::type_identity<V>{}) over [0, n): V = xsimd::batch<T> for every full batch,
/// then V = T for the tail. The body is written once, generic over V.
template <scalar T, class Body>
void for_each_block(std::size_t n, Body&& body) {
    using batch = xsimd::batch<T>;
    std::size_t i = 0;
    for (; i + batch::size <= n; i += batch::size) body(i, std::type_identity<batch>{});
    for (; i < n; ++i) body(i, std::type_identity<T>{});
}

/// out[i] = f(in[i]...) for i < n. `f` is called with xsimd::batch<T> values and with T values.
/// Loads and stores are unaligned: callers pass rows of any view.
template <scalar T, class F, class... In>
void transform(std::size_t n, T* out, F f, In const*... in) {
    for_each_block<T>(n, [&]<class V>(std::size_t i, std::type_identity<V>) { simd::store_to(out + i, f(simd::load_as<V>(in + i)...)); });
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
