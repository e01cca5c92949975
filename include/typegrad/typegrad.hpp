#pragma once
// typegrad: neural networks whose topology is a type and whose gradients the compiler derives.
// The umbrella header; the library's own headers include only what they use, never this one.

#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/gradient.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/expr/to_string.hpp>
#include <typegrad/simd/batch.hpp>
