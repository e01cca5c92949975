#pragma once
// mse: mean over every element of (prediction - target)^2, as PyTorch's MSELoss.

#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/nn/loss/elementwise.hpp>

namespace typegrad::loss {

struct mse : elementwise_loss<decltype(typegrad::pow<2>(var<0>{} - var<1>{}))> {};

}  // namespace typegrad::loss
