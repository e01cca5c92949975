#pragma once
// loader<T, Features, Targets>: shuffled epochs of a dataset, in batches.
//
//   tg::data::loader train(ds, /*batch_size=*/64, /*seed=*/42);
//   for (int e = 0; e < epochs; ++e)
//       for (auto const& b : train.epoch())     // b.features, b.labels, b.targets
//           ...
//
// Each epoch() draws the order of the next epoch with random_permutation (shuffle.hpp) from
// epoch_engine(seed, epoch number), copies the rows in that order into the loader's own
// contiguous buffers, and returns the batches as views of those buffers (the last batch partial
// when the batch size does not divide the rows). The buffers are allocated by the first epoch
// and reused by every later one: an epoch allocates nothing after the first.
//
// The order depends only on the seed and the epoch number, with any standard library, so a run
// resumes exactly with set_epoch(n). The views of an epoch stay valid until the next epoch() or
// the loader's end. The loader refers to the dataset, which must outlive it (a temporary
// dataset is refused at compile time).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <typegrad/data/batch.hpp>
#include <typegrad/data/dataset.hpp>
#include <typegrad/data/shuffle.hpp>
#include <typegrad/error.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::data {

template <scalar T, std::size_t Features, std::size_t Targets = 0>
class loader {
public:
    using dataset_type = dataset<T, Features, Targets>;
    using batch_type = batch<T, Features, Targets>;

    /// Batches of `batch_size` rows (at least 1, else a tg::error) of `data`, shuffled from `seed`.
    loader(dataset_type const& data, std::size_t batch_size, std::uint64_t seed)
        : data_(&data), batch_size_(batch_size), seed_(seed) {
        if (batch_size == 0) throw error("typegrad::data::loader: the batch size must be at least 1, got 0");
    }
    loader(dataset_type&&, std::size_t, std::uint64_t) = delete;  // the batches would view a dead dataset

    /// Shuffles for the next epoch and returns its batches.
    batch_range<T, Features, Targets> epoch() {
        std::size_t const n = data_->size();
        if (order_.size() != n || features_.rows() != n) {  // the first epoch (or a reassigned dataset)
            order_.resize(n);
            features_ = matrix<T, Features>(n);
            labels_.resize(data_->has_labels() ? n : 0);
            if constexpr (Targets > 0) targets_ = matrix<T, Targets>(n);
        }
        labels_.resize(data_->has_labels() ? n : 0);  // no-op unless the dataset changed
        auto rng = epoch_engine(seed_, next_epoch_);
        random_permutation(order_, rng);
        T* targets = nullptr;
        if constexpr (Targets > 0) targets = targets_.data();
        data_->gather(order_, features_.data(), labels_.empty() ? nullptr : labels_.data(), targets);
        ++next_epoch_;

        batch_type all;
        all.features = features_.view();
        all.labels = labels_;
        if constexpr (Targets > 0) all.targets = targets_.view();
        return {all, batch_size_};
    }

    /// The number the next epoch() will use (0 at the start); set it to resume a run.
    std::uint64_t next_epoch() const noexcept { return next_epoch_; }
    void set_epoch(std::uint64_t epoch) noexcept { next_epoch_ = epoch; }

    /// The order of the last epoch (empty before the first): row i of its batches is row
    /// order()[i] of the dataset.
    std::span<std::size_t const> order() const noexcept { return order_; }

    std::size_t batch_size() const noexcept { return batch_size_; }
    /// Batches per epoch: size / batch_size, rounded up.
    std::size_t batches_per_epoch() const noexcept { return (data_->size() + batch_size_ - 1) / batch_size_; }
    std::uint64_t seed() const noexcept { return seed_; }
    dataset_type const& data() const noexcept { return *data_; }

private:
    dataset_type const* data_;
    std::size_t batch_size_;
    std::uint64_t seed_;
    std::uint64_t next_epoch_ = 0;
    std::vector<std::size_t> order_;
    matrix<T, Features> features_;
    std::vector<int> labels_;
    [[no_unique_address]] targets_matrix_t<T, Targets> targets_{};
};

}  // namespace typegrad::data
