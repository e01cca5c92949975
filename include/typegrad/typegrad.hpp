#pragma once
// typegrad: neural networks whose topology is a type and whose gradients the compiler derives.
// The umbrella header; the library's own headers include only what they use, never this one.

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/gradient.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/expr/substitute.hpp>
#include <typegrad/expr/to_string.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/apply.hpp>
#include <typegrad/tensor/gemm.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/reduce.hpp>
#include <typegrad/tensor/view.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/layer.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/nn/softmax.hpp>
#include <typegrad/optim/adagrad.hpp>
#include <typegrad/optim/adam.hpp>
#include <typegrad/optim/clip.hpp>
#include <typegrad/optim/rmsprop.hpp>
#include <typegrad/optim/schedule.hpp>
#include <typegrad/optim/sgd.hpp>
#include <typegrad/check/gradcheck.hpp>
