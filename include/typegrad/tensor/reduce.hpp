#pragma once
// Reductions that losses and metrics need: per row (max, sum, log-sum-exp) and over a whole
// matrix (sum), on xsimd batches with scalar tails.

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>

#include <typegrad/error.hpp>
#include <typegrad/expr/detail/math.hpp>
#include <typegrad/simd/transform.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad {

namespace detail {

template <class T>
T max_of_lanes(xsimd::batch<T> const& v) {
    alignas(64) std::array<T, xsimd::batch<T>::size> lanes;
    v.store_aligned(lanes.data());
    T m = lanes[0];
    for (T lane : lanes) m = math::max(m, lane);
    return m;
}

template <class T>
T row_max(T const* row, std::size_t n) {
    return simd::reduce(
        n, row, -std::numeric_limits<T>::infinity(), [](auto a, auto b) { return math::max(a, b); },
        [](auto v) { return max_of_lanes(v); });
}

template <class T>
T row_sum(T const* row, std::size_t n) {
    return simd::reduce(n, row, T(0), [](auto a, auto b) { return a + b; }, [](auto v) { return xsimd::hadd(v); });
}

// log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the row's maximum: every exponent is <= 0,
// so nothing overflows, and the largest term is exactly 1, so the sum never underflows to 0.
template <class T>
T row_logsumexp(T const* row, std::size_t n) {
    T const m = row_max(row, n);
    if (m == std::numeric_limits<T>::infinity() || m == -std::numeric_limits<T>::infinity()) return m;
    using batch = xsimd::batch<T>;
    std::size_t i = 0;
    batch acc(T(0));
    for (; i + batch::size <= n; i += batch::size) acc += math::exp(batch::load_unaligned(row + i) - batch(m));
    T total = xsimd::hadd(acc);
    for (; i < n; ++i) total += math::exp(row[i] - m);
    return m + math::log(total);
}

template <class View, class T>
void check_row_output(char const* what, View const& in, std::span<T> out) {
    if (out.size() != in.rows())
        throw error(std::string(what) + ": the output has " + std::to_string(out.size()) + " elements, expected " +
                    std::to_string(in.rows()) + " (one per row)");
}

}  // namespace detail

/// out[r] = max over the columns of row r (NaN-free rows; a NaN may be skipped).
template <matrix_like M>
void row_max(M const& in, std::span<typename view_t<M const>::value_type> out) {
    auto const v = in.view();
    detail::check_row_output("typegrad::row_max", v, out);
    for (std::size_t r = 0; r < v.rows(); ++r) out[r] = detail::row_max(v.row(r).data(), v.cols);
}

/// out[r] = sum of row r.
template <matrix_like M>
void row_sum(M const& in, std::span<typename view_t<M const>::value_type> out) {
    auto const v = in.view();
    detail::check_row_output("typegrad::row_sum", v, out);
    for (std::size_t r = 0; r < v.rows(); ++r) out[r] = detail::row_sum(v.row(r).data(), v.cols);
}

/// out[r] = log(sum(exp(row r))), finite for any finite row, however large its entries.
template <matrix_like M>
void row_logsumexp(M const& in, std::span<typename view_t<M const>::value_type> out) {
    auto const v = in.view();
    detail::check_row_output("typegrad::row_logsumexp", v, out);
    for (std::size_t r = 0; r < v.rows(); ++r) out[r] = detail::row_logsumexp(v.row(r).data(), v.cols);
}

/// The sum of every element.
template <matrix_like M>
auto sum(M const& in) {
    auto const v = in.view();
    return detail::row_sum(v.data(), v.size());
}

}  // namespace typegrad
