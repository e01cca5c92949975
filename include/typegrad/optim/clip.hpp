#pragma once
// Gradient clipping, as PyTorch's clip_grad_norm_ and clip_grad_value_.

#include <cmath>
#include <cstddef>

#include <typegrad/expr/detail/math.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/simd/transform.hpp>
#include <typegrad/tensor/reduce.hpp>

namespace typegrad::optim {

/// Scales every gradient by max_norm / (norm + 1e-6) when the L2 norm over all of them exceeds
/// max_norm. Returns the norm before clipping.
template <class Grads>
double clip_grad_norm(Grads& grads, double max_norm) {
    double squares = 0;  // accumulated in double: millions of small squares
    nn::zip_parameters(
        [&](auto const& g) {
            for (std::size_t i = 0; i < g.size(); ++i) squares += double(g.data()[i]) * double(g.data()[i]);
        },
        grads);
    double const norm = std::sqrt(squares);
    if (norm > max_norm) {
        double const scale = max_norm / (norm + 1e-6);
        nn::zip_parameters(
            [scale](auto& g) {
                using T = typename std::remove_cvref_t<decltype(g)>::value_type;
                simd::transform(g.size(), g.data(), [s = T(scale)](auto v) { return v * decltype(v)(s); },
                                static_cast<T const*>(g.data()));
            },
            grads);
    }
    return norm;
}

/// Clamps every gradient element into [-max_value, max_value].
template <class Grads>
void clip_grad_value(Grads& grads, double max_value) {
    nn::zip_parameters(
        [max_value](auto& g) {
            using T = typename std::remove_cvref_t<decltype(g)>::value_type;
            T const m = static_cast<T>(max_value);
            simd::transform(
                g.size(), g.data(),
                [m](auto v) {
                    using V = decltype(v);
                    return typegrad::detail::math::min(typegrad::detail::math::max(v, V(-m)), V(m));
                },
                static_cast<T const*>(g.data()));
        },
        grads);
}

}  // namespace typegrad::optim
