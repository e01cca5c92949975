#pragma once
// The math policy of expression evaluation: one generic function per elementary operation,
// choosing per value type. Batches go to xsimd; scalars go to <cmath> at run time and to the
// library's constexpr implementations during constant evaluation, where <cmath> is not
// usable in C++20.

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include <typegrad/expr/detail/cmath.hpp>
#include <typegrad/simd/batch.hpp>

namespace typegrad::detail::math {

// Each elementary function has three spellings: xsimd for batches, the constexpr version
// while constant-evaluating, std:: otherwise.

template <value T>
constexpr T exp(T x) noexcept {
    if constexpr (is_batch_v<T>)
        return xsimd::exp(x);
    else if (std::is_constant_evaluated())
        return cmath::exp(x);
    else
        return std::exp(x);
}

template <value T>
constexpr T log(T x) noexcept {
    if constexpr (is_batch_v<T>)
        return xsimd::log(x);
    else if (std::is_constant_evaluated())
        return cmath::log(x);
    else
        return std::log(x);
}

template <value T>
constexpr T sqrt(T x) noexcept {
    if constexpr (is_batch_v<T>)
        return xsimd::sqrt(x);
    else if (std::is_constant_evaluated())
        return cmath::sqrt(x);
    else
        return std::sqrt(x);
}

template <value T>
constexpr T sin(T x) noexcept {
    if constexpr (is_batch_v<T>)
        return xsimd::sin(x);
    else if (std::is_constant_evaluated())
        return cmath::sin(x);
    else
        return std::sin(x);
}

template <value T>
constexpr T cos(T x) noexcept {
    if constexpr (is_batch_v<T>)
        return xsimd::cos(x);
    else if (std::is_constant_evaluated())
        return cmath::cos(x);
    else
        return std::cos(x);
}

template <value T>
constexpr T tanh(T x) noexcept {
    if constexpr (is_batch_v<T>)
        return xsimd::tanh(x);
    else if (std::is_constant_evaluated())
        return cmath::tanh(x);
    else
        return std::tanh(x);
}

template <value T>
constexpr T sigmoid(T x) noexcept {
    if constexpr (is_batch_v<T>)
        return T(1) / (T(1) + xsimd::exp(-x));
    else if (std::is_constant_evaluated())
        return cmath::sigmoid(x);
    else
        return T(1) / (T(1) + std::exp(-x));  // exp(-x) = inf gives 0, never NaN
}

// The piecewise functions below are written with comparisons that treat NaN the same way on
// scalars and on batches (a NaN input gives NaN, or the value of the false branch), so that a
// batch lane always equals the scalar evaluation of that lane.

template <value T>
constexpr T select(auto condition, T if_true, T if_false) noexcept {
    if constexpr (is_batch_v<T>)
        return xsimd::select(condition, if_true, if_false);
    else
        return condition ? if_true : if_false;
}

template <value T>
constexpr T relu(T x) noexcept {
    return select(x < T(0), T(0), x);
}

/// Heaviside step with step(0) = 0: the derivative of relu, as PyTorch defines it at 0.
template <value T>
constexpr T step(T x) noexcept {
    return select(x > T(0), T(1), T(0));
}

/// -1, 0 or 1 (NaN for NaN): the derivative of abs, 0 at 0 as in PyTorch.
template <value T>
constexpr T sign(T x) noexcept {
    return select(x > T(0), T(1), select(x < T(0), T(-1), x * T(0)));
}

template <value T>
constexpr T abs(T x) noexcept {
    if constexpr (is_batch_v<T>) {
        return xsimd::abs(x);
    } else {
        // Clearing the sign bit is exact, constexpr, and gives abs(-0.0) == +0.0 like std::abs.
        using bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
        constexpr bits magnitude = ~(bits{1} << (8 * sizeof(T) - 1));
        return std::bit_cast<T>(static_cast<bits>(std::bit_cast<bits>(x) & magnitude));
    }
}

template <value T>
constexpr T max(T a, T b) noexcept {
    return select(a < b, b, a);
}

template <value T>
constexpr T min(T a, T b) noexcept {
    return select(b < a, b, a);
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): the exponent is never positive, so nothing overflows.
template <value T>
constexpr T softplus(T x) noexcept {
    T const tail = -abs(x);
    if constexpr (is_batch_v<T>)
        return max(x, T(0)) + xsimd::log1p(xsimd::exp(tail));
    else if (std::is_constant_evaluated())
        return max(x, T(0)) + cmath::log1p(cmath::exp(tail));
    else
        return max(x, T(0)) + std::log1p(std::exp(tail));
}

/// x^N by repeated squaring: exact for small N, constexpr, and the same on every value type.
template <int N, value T>
constexpr T pow(T x) noexcept {
    if constexpr (N < 0) {
        return T(1) / pow<-N>(x);
    } else {
        T result(1);
        T base = x;
        for (int n = N; n > 0; n >>= 1) {
            if (n & 1) result = result * base;
            if (n > 1) base = base * base;
        }
        return result;
    }
}

}  // namespace typegrad::detail::math
