#pragma once
// Binary cross-entropy, averaged over every element (PyTorch's BCELoss and BCEWithLogitsLoss).
//   binary_cross_entropy   on probabilities p: -(t log p + (1 - t) log(1 - p)), with p kept in
//                          [1e-7, 1 - 1e-7] so that no log of 0 is ever taken
//   bce_with_logits        on logits z: softplus(z) - z t, which is the same loss for p =
//                          sigmoid(z), finite for any z, with the derivative sigmoid(z) - t
// A network ending in tg::nn::sigmoid trained with binary_cross_entropy is rewritten to
// bce_with_logits on the sigmoid's input (nn/backprop.hpp).

#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/nn/loss/elementwise.hpp>

namespace typegrad::loss {

namespace detail {
inline constexpr var<0> p{};
inline constexpr var<1> t{};
inline constexpr auto clamped_p = typegrad::min(typegrad::max(p, constant<1e-7>{}), constant<1.0 - 1e-7>{});
}  // namespace detail

struct binary_cross_entropy
    : elementwise_loss<decltype(-(detail::t * typegrad::log(detail::clamped_p) +
                                  (one_t{} - detail::t) * typegrad::log(one_t{} - detail::clamped_p)))> {};

struct bce_with_logits : elementwise_loss<decltype(typegrad::softplus(detail::p) - detail::p * detail::t)> {};

}  // namespace typegrad::loss
