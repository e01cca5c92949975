#pragma once
// tg::evaluate(net, loss, data): the network's mean loss over a dataset and, for a dataset with
// labels, its predictions (argmax of the outputs) and accuracy. In batches, so that the
// workspace stays the size of a training batch.

#include <cstddef>
#include <vector>

#include <typegrad/data/dataset.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/train/metrics.hpp>

namespace typegrad {

struct evaluation {
    double loss = 0;
    double accuracy = 0;           ///< 0 for a dataset without labels
    std::vector<int> predictions;  ///< argmax per row, for a dataset with labels
};

namespace detail {
/// What the loss compares the outputs with: regression targets, or else class labels.
template <class Batch>
auto const& training_targets(Batch const& b) {
    if constexpr (requires { b.targets.rows(); })
        return b.targets;
    else
        return b.labels;
}
}  // namespace detail

template <class Net, class Loss, scalar T, std::size_t Features, std::size_t Targets>
evaluation evaluate(Net const& net, Loss const& loss, data::dataset<T, Features, Targets> const& data,
                    std::size_t batch_size = 256) {
    evaluation result;
    double total = 0;
    bool const labelled = !data.labels().empty();
    if (labelled) result.predictions.reserve(data.size());
    for (auto const& b : data.batches(batch_size)) {
        auto const batch_loss =
            nn::detail::loss_value<nn::mode::inference>(net, loss, b.features, detail::training_targets(b));
        total += static_cast<double>(batch_loss) * static_cast<double>(b.rows());
        if (labelled) metrics::argmax_rows(nn::forward_view(net, b.features), result.predictions);
    }
    if (data.size() > 0) result.loss = total / static_cast<double>(data.size());
    if (labelled) result.accuracy = metrics::accuracy(data.labels(), result.predictions);
    return result;
}

}  // namespace typegrad
