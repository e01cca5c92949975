#pragma once
// dataset<T, Features, Targets = 0>: rows of `Features` inputs, each with an optional class
// label and, when Targets > 0, `Targets` regression targets.
//
//   features   tg::matrix<T, Features>, one sample per row
//   labels     std::vector<int>: one class index per row, or empty for a dataset without labels.
//              int because the losses take any contiguous range of integers and an int shows as
//              a number (a std::uint8_t prints as a character) and allows more than 256 classes;
//              the memory (4 bytes a row) is small next to the features.
//   targets    tg::matrix<T, Targets> when Targets > 0 (regression), else tg::data::no_targets
//
// ds.batches(n) cuts the rows in file order into views of n rows (the last one partial);
// tg::data::loader (loader.hpp) gives shuffled epochs. ds.split(...) holds out a validation set.
// The constructors check that labels and targets have one row per feature row and that labels
// are not negative (a tg::error otherwise).

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <typegrad/data/batch.hpp>
#include <typegrad/data/shuffle.hpp>
#include <typegrad/error.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::data {

template <scalar T, std::size_t Features, std::size_t Targets = 0>
class dataset {
public:
    using value_type = T;
    using batch_type = batch<T, Features, Targets>;
    using targets_type = targets_matrix_t<T, Targets>;
    static constexpr std::size_t feature_count = Features;
    static constexpr std::size_t target_count = Targets;

    dataset() = default;
    /// Features only (no labels, no targets).
    explicit dataset(matrix<T, Features> features) requires(Targets == 0) : features_(std::move(features)) {}
    /// Features with one class label per row.
    dataset(matrix<T, Features> features, std::vector<int> labels) requires(Targets == 0)
        : features_(std::move(features)), labels_(std::move(labels)) {
        check();
    }
    /// Features with regression targets, one row each.
    dataset(matrix<T, Features> features, targets_type targets) requires(Targets > 0)
        : features_(std::move(features)), targets_(std::move(targets)) {
        check();
    }
    /// Features with labels and targets (labels may be empty).
    dataset(matrix<T, Features> features, std::vector<int> labels, targets_type targets) requires(Targets > 0)
        : features_(std::move(features)), labels_(std::move(labels)), targets_(std::move(targets)) {
        check();
    }

    std::size_t size() const noexcept { return features_.rows(); }
    bool empty() const noexcept { return features_.rows() == 0; }
    bool has_labels() const noexcept { return !labels_.empty(); }

    matrix<T, Features> const& features() const noexcept { return features_; }
    /// One label per row, or empty.
    std::span<int const> labels() const noexcept { return labels_; }
    targets_type const& targets() const noexcept requires(Targets > 0) { return targets_; }

    /// Every row as one batch.
    batch_type all() const noexcept {
        batch_type b;
        b.features = features_.view();
        b.labels = labels_;
        if constexpr (Targets > 0) b.targets = targets_.view();
        return b;
    }

    /// The rows in their order, cut into batches of `batch_size` (the last one partial). The
    /// batches view this dataset's memory.
    batch_range<T, Features, Targets> batches(std::size_t batch_size) const { return {all(), batch_size}; }

    /// The given rows, in the given order (each index < size(), else a tg::error).
    dataset subset(std::span<std::size_t const> rows) const {
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (rows[i] >= size())
                throw error("typegrad::data::dataset::subset: index " + std::to_string(i) + " is row " +
                            std::to_string(rows[i]) + ", beyond the " + std::to_string(size()) + " rows");
        dataset out;
        out.features_ = matrix<T, Features>(rows.size());
        if constexpr (Targets > 0) out.targets_ = targets_type(rows.size());
        if (has_labels()) out.labels_.resize(rows.size());
        gather(rows, out.features_.data(), out.labels_.data(), out.targets_data());
        return out;
    }

    struct split_result {
        dataset train;
        dataset validation;
    };

    /// Holds out `validation_rows` rows (at most size(), else a tg::error): the last ones, or
    /// without a seed, or rows drawn at random with one (random_permutation(size(), seed)). Both
    /// parts keep the rows in their order here.
    template <std::integral I>
    split_result split(I validation_rows, std::optional<std::uint64_t> seed = std::nullopt) const {
        if (std::cmp_less(validation_rows, 0) || std::cmp_greater(validation_rows, size()))
            throw error("typegrad::data::dataset::split: " + std::to_string(validation_rows) +
                        " validation rows out of a dataset of " + std::to_string(size()));
        return split_rows(static_cast<std::size_t>(validation_rows), seed);
    }
    /// Holds out a fraction (in [0, 1], else a tg::error) of the rows, rounded to the nearest
    /// row; otherwise as split(count).
    template <std::floating_point F>
    split_result split(F validation_fraction, std::optional<std::uint64_t> seed = std::nullopt) const {
        if (!(validation_fraction >= 0 && validation_fraction <= 1))
            throw error("typegrad::data::dataset::split: the validation fraction must be in [0, 1], got " +
                        std::to_string(validation_fraction));
        auto const rows = static_cast<std::size_t>(std::floor(static_cast<double>(validation_fraction) *
                                                               static_cast<double>(size()) + 0.5));
        return split_rows(std::min(rows, size()), seed);
    }

    /// Copies rows `rows` (indices into this dataset, unchecked) to the given buffers, which
    /// have room for rows.size() rows; a null `labels` or `targets` is skipped. What the loader
    /// uses to lay out a shuffled epoch; a low-level step for anyone doing the same.
    void gather(std::span<std::size_t const> rows, T* features, int* labels, T* targets) const noexcept {
        for (std::size_t i = 0; i < rows.size(); ++i) {
            std::size_t const r = rows[i];
            std::copy_n(features_.data() + r * Features, Features, features + i * Features);
            if (labels != nullptr && has_labels()) labels[i] = labels_[r];
            if constexpr (Targets > 0)
                if (targets != nullptr) std::copy_n(targets_.data() + r * Targets, Targets, targets + i * Targets);
        }
    }

private:
    T* targets_data() noexcept {
        if constexpr (Targets > 0) return targets_.data();
        else return nullptr;
    }

    void check() const {
        if (!labels_.empty() && labels_.size() != features_.rows())
            throw error("typegrad::data::dataset: " + std::to_string(labels_.size()) + " labels for " +
                        std::to_string(features_.rows()) + " rows of features");
        for (std::size_t i = 0; i < labels_.size(); ++i)
            if (labels_[i] < 0)
                throw error("typegrad::data::dataset: label " + std::to_string(labels_[i]) + " at row " +
                            std::to_string(i) + " is negative; labels are class indices");
        if constexpr (Targets > 0)
            if (targets_.rows() != features_.rows())
                throw error("typegrad::data::dataset: " + std::to_string(targets_.rows()) + " rows of targets for " +
                            std::to_string(features_.rows()) + " rows of features");
    }

    split_result split_rows(std::size_t validation_rows, std::optional<std::uint64_t> seed) const {
        std::size_t const n = size();
        std::vector<std::size_t> order(n);
        if (seed) {
            order = random_permutation(n, *seed);
            // The first validation_rows of the permutation are held out; both parts keep file order.
            std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(validation_rows));
            std::sort(order.begin() + static_cast<std::ptrdiff_t>(validation_rows), order.end());
            std::rotate(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(validation_rows), order.end());
        } else {
            for (std::size_t i = 0; i < n; ++i) order[i] = i;
        }
        std::span<std::size_t const> const all(order);
        return {subset(all.first(n - validation_rows)), subset(all.last(validation_rows))};
    }

    matrix<T, Features> features_;
    std::vector<int> labels_;
    [[no_unique_address]] targets_type targets_{};
};

}  // namespace typegrad::data
