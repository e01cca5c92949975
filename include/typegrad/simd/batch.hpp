#pragma once
// The value types typegrad computes on: a scalar, or an xsimd batch of them (one sample per
// lane). Every generic kernel is written once over `tg::value` and runs on both.

#include <concepts>
#include <type_traits>

// GCC 12 reports the self-initialised `_mm512_undefined_*()` temporaries of its own AVX-512
// intrinsics as uninitialised once xsimd's math inlines them (GCC bug 105593, fixed in 12.3/13).
// The diagnostic is attributed to the intrinsics header, so silencing it while xsimd (and through
// it <immintrin.h>) is first included keeps -Werror builds of users and tests working without
// turning the warning off for their own code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <xsimd/xsimd.hpp>
#pragma GCC diagnostic pop
#else
#include <xsimd/xsimd.hpp>
#endif

namespace typegrad {

template <class T> inline constexpr bool is_batch_v = false;
template <class T, class A> inline constexpr bool is_batch_v<xsimd::batch<T, A>> = true;

/// A scalar typegrad computes with.
template <class T>
concept scalar = std::same_as<T, float> || std::same_as<T, double>;

/// A scalar, or an xsimd batch of scalars.
template <class T>
concept value = scalar<T> || (is_batch_v<T> && scalar<typename T::value_type>);

namespace detail {
template <class T> struct scalar_of { using type = T; };
template <class T, class A> struct scalar_of<xsimd::batch<T, A>> { using type = T; };
}  // namespace detail

/// The scalar type behind a value: `T` itself, or a batch's element type.
template <value T>
using scalar_of_t = typename detail::scalar_of<T>::type;

}  // namespace typegrad
