#pragma once
// The two loops every elementwise kernel is made of, written once: full xsimd batches, then a
// scalar tail. Kernels pass one generic callable, so the batch body and the tail are the same
// code and cannot disagree.

#include <cstddef>

#include <typegrad/simd/batch.hpp>

namespace typegrad::simd {

/// out[i] = f(in[i]...) for i < n. `f` is called with xsimd::batch<T> values and with T values.
/// Loads and stores are unaligned: callers pass rows of any view.
template <scalar T, class F, class... In>
void transform(std::size_t n, T* out, F f, In const*... in) {
    using batch = xsimd::batch<T>;
    std::size_t i = 0;
    for (; i + batch::size <= n; i += batch::size) f(batch::load_unaligned(in + i)...).store_unaligned(out + i);
    for (; i < n; ++i) out[i] = f(in[i]...);
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
