#pragma once
// One workload of the peer comparison as plain data, so that an implementation in another
// translation unit (libtorch's, whose headers cost ~20 s to compile) can be built from it without
// seeing typegrad's types: the layer widths, the hidden activation, the loss, the optimiser, and
// the data and initial weights every implementation starts from.

#include <cstddef>
#include <string>
#include <vector>

namespace typegrad_bench::compare {

enum class activation { sigmoid, relu, tanh };
/// On the last layer's (linear) output: the mean over elements (bce_with_logits, mse) or rows
/// (softmax_cross_entropy, with class labels).
enum class loss { bce_with_logits, mse, softmax_cross_entropy };
enum class optimiser { sgd, adam };

struct problem {
    std::string name;
    std::vector<std::size_t> widths;  ///< inputs, hidden layers..., outputs
    activation hidden = activation::relu;
    compare::loss loss = compare::loss::mse;
    compare::optimiser optimiser = compare::optimiser::sgd;
    float lr = 0.01f;  ///< Adam: beta1 0.9, beta2 0.999, eps 1e-8 (everyone's default)
    std::size_t rows = 1;
    std::vector<float> x;        ///< rows x widths.front(), row-major
    std::vector<float> targets;  ///< rows x widths.back(), row-major (bce_with_logits, mse)
    std::vector<int> labels;     ///< one class per row (softmax_cross_entropy)
    /// Per dense layer: W as Out x In, row-major (PyTorch's and typegrad's layout), and b.
    std::vector<std::vector<float>> weights, biases;
};

}  // namespace typegrad_bench::compare
