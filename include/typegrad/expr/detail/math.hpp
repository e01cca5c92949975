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

/// tanh of a float batch as one rational function, [13/6] in x (Eigen's ptanh coefficients),
/// instead of xsimd's exp and divide: no dependent transcendental chain, so a small layer's
/// activation is a handful of FMAs. At most 6 ulp from the correctly rounded tanh for every
/// float (tests/expr/detail/math.cpp sweeps it); odd, +-0 and NaN kept, exactly +-1 beyond 9.1.
template <class A>
xsimd::batch<float, A> tanh_rational(xsimd::batch<float, A> x) noexcept {
    using B = xsimd::batch<float, A>;
    // Past the clamp the polynomial stops being monotone; tanh is within 2^-23 of 1 there.
    B const c = xsimd::min(xsimd::max(x, B(-7.99881172180175781f)), B(7.99881172180175781f));
    B const x2 = c * c;
    B p = xsimd::fma(x2, B(-2.76076847742355e-16f), B(2.00018790482477e-13f));
    p = xsimd::fma(x2, p, B(-8.60467152213735e-11f));
    p = xsimd::fma(x2, p, B(5.12229709037114e-08f));
    p = xsimd::fma(x2, p, B(1.48572235717979e-05f));
    p = xsimd::fma(x2, p, B(6.37261928875436e-04f));
    p = xsimd::fma(x2, p, B(4.89352455891786e-03f));
    p = c * p;
    B q = xsimd::fma(x2, B(1.19825839466702e-06f), B(1.18534705686654e-04f));
    q = xsimd::fma(x2, q, B(2.26843463243900e-03f));
    q = xsimd::fma(x2, q, B(4.89352518554385e-03f));
    B const y = p / q;
    B const ax = xsimd::abs(x);
    // tanh(x) rounds to +-1 beyond 9.1, which the clamped quotient misses by an ulp without FMA.
    B const saturated = xsimd::select(ax > B(9.1f), xsimd::copysign(B(1.0f), x), y);
    // tanh(x) = x to float precision below 2^-12 (and keeps -0); NaN stays NaN (min/max drop it).
    return xsimd::select(ax < B(0.0004f) || xsimd::isnan(x), x, saturated);
}

template <value T>
constexpr T tanh(T x) noexcept {
    if constexpr (is_batch_v<T> && std::is_same_v<scalar_of_t<T>, float>)
        return tanh_rational(x);
    else if constexpr (is_batch_v<T>)
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

/// log1p(e) of a float e in [0, 1], as softplus needs it: in double, 1 + e is exact (e has 24
/// significant bits and is at least 2^-24, so it needs at most 48 of double's 53), and log of it,
/// rounded to float, is within half an ulp; below 2^-24, log1p(e) = e to float precision. glibc
/// 2.36's log1pf is the old fdlibm code, about 1.7 times as slow as its double log here (and it is
/// a quarter of a one-row training step of a 2-3-1 network, bench/nn_step).
inline float log1p_unit(float e) noexcept {
    return e < 0x1p-24f ? e : static_cast<float>(std::log(1.0 + static_cast<double>(e)));
}
inline double log1p_unit(double e) noexcept { return std::log1p(e); }

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|): the exponent is never positive, so nothing overflows.
template <value T>
constexpr T softplus(T x) noexcept {
    T const tail = -abs(x);
    if constexpr (is_batch_v<T>)
        return max(x, T(0)) + xsimd::log1p(xsimd::exp(tail));
    else if (std::is_constant_evaluated())
        return max(x, T(0)) + cmath::log1p(cmath::exp(tail));
    else
        return max(x, T(0)) + log1p_unit(std::exp(tail));
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
