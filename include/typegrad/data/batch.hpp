#pragma once
// batch<T, Features, Targets>: some consecutive rows of a dataset, as views.
// batch_range<T, Features, Targets>: the rows of a dataset cut into batches of a given size, the
// last one partial when the size does not divide the rows; a sized random-access range.
//
// A batch views memory that its dataset or loader owns; it is valid as long as that memory is.
//
//   features   matrix_view<T const, Features>, contiguous rows
//   labels     std::span<int const>, one class index per row, or empty when there are none
//   targets    matrix_view<T const, Targets> of regression targets; tg::data::no_targets when
//              Targets == 0

#include <compare>
#include <cstddef>
#include <iterator>
#include <span>
#include <string>
#include <type_traits>

#include <typegrad/error.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::data {

/// The targets of a dataset or batch that has none (Targets == 0).
struct no_targets {
    friend constexpr bool operator==(no_targets, no_targets) noexcept = default;
};

namespace detail {
template <class T, std::size_t Targets> struct targets_types {
    using matrix_type = matrix<T, Targets>;
    using view_type = matrix_view<T const, Targets>;
};
template <class T> struct targets_types<T, 0> {
    using matrix_type = no_targets;
    using view_type = no_targets;
};
}  // namespace detail

/// matrix<T, Targets>, or no_targets when Targets == 0.
template <class T, std::size_t Targets>
using targets_matrix_t = typename detail::targets_types<T, Targets>::matrix_type;
/// matrix_view<T const, Targets>, or no_targets when Targets == 0.
template <class T, std::size_t Targets>
using targets_view_t = typename detail::targets_types<T, Targets>::view_type;

template <scalar T, std::size_t Features, std::size_t Targets = 0>
struct batch {
    matrix_view<T const, Features> features;
    std::span<int const> labels;  // empty when the dataset has no labels
    [[no_unique_address]] targets_view_t<T, Targets> targets;

    std::size_t rows() const noexcept { return features.rows(); }

    /// Rows [first, first + count), unchecked.
    batch slice(std::size_t first, std::size_t count) const noexcept {
        batch b;
        b.features = matrix_view<T const, Features>(features.data() + first * Features, count);
        if (!labels.empty()) b.labels = labels.subspan(first, count);
        if constexpr (Targets > 0) b.targets = matrix_view<T const, Targets>(targets.data() + first * Targets, count);
        return b;
    }
};

template <scalar T, std::size_t Features, std::size_t Targets = 0>
class batch_range {
public:
    using value_type = batch<T, Features, Targets>;

    batch_range() = default;
    /// `all` cut into batches of `batch_size` rows (a tg::error when 0); the last may be shorter.
    batch_range(value_type all, std::size_t batch_size) : all_(all), batch_size_(batch_size) {
        if (batch_size == 0) throw error("typegrad::data::batch_range: the batch size must be at least 1, got 0");
    }

    /// The number of batches: rows / batch_size, rounded up.
    std::size_t size() const noexcept { return batch_size_ == 0 ? 0 : (all_.rows() + batch_size_ - 1) / batch_size_; }
    bool empty() const noexcept { return size() == 0; }
    std::size_t batch_size() const noexcept { return batch_size_; }
    /// The rows of all batches together.
    std::size_t rows() const noexcept { return all_.rows(); }
    value_type const& all() const noexcept { return all_; }

    /// Batch `i` (unchecked): rows [i * batch_size, min((i + 1) * batch_size, rows)).
    value_type operator[](std::size_t i) const noexcept {
        std::size_t const first = i * batch_size_;
        std::size_t const left = all_.rows() - first;
        return all_.slice(first, left < batch_size_ ? left : batch_size_);
    }
    /// Batch `i`, checked.
    value_type at(std::size_t i) const {
        if (i >= size())
            throw error("typegrad::data::batch_range::at: batch " + std::to_string(i) + " of " + std::to_string(size()) +
                        " batches");
        return (*this)[i];
    }

    class iterator {
    public:
        using iterator_concept = std::random_access_iterator_tag;
        using iterator_category = std::input_iterator_tag;  // operator* returns a value
        using value_type = batch<T, Features, Targets>;
        using difference_type = std::ptrdiff_t;
        using reference = value_type;

        iterator() = default;
        value_type operator*() const noexcept {
            std::size_t const first = i_ * batch_size_;
            std::size_t const left = all_.rows() - first;
            return all_.slice(first, left < batch_size_ ? left : batch_size_);
        }
        value_type operator[](difference_type n) const noexcept { return *(*this + n); }

        iterator& operator++() noexcept { ++i_; return *this; }
        iterator operator++(int) noexcept { auto old = *this; ++i_; return old; }
        iterator& operator--() noexcept { --i_; return *this; }
        iterator operator--(int) noexcept { auto old = *this; --i_; return old; }
        iterator& operator+=(difference_type n) noexcept { i_ = static_cast<std::size_t>(static_cast<difference_type>(i_) + n); return *this; }
        iterator& operator-=(difference_type n) noexcept { return *this += -n; }
        friend iterator operator+(iterator it, difference_type n) noexcept { return it += n; }
        friend iterator operator+(difference_type n, iterator it) noexcept { return it += n; }
        friend iterator operator-(iterator it, difference_type n) noexcept { return it -= n; }
        friend difference_type operator-(iterator a, iterator b) noexcept {
            return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
        }
        friend bool operator==(iterator a, iterator b) noexcept { return a.i_ == b.i_; }
        friend std::strong_ordering operator<=>(iterator a, iterator b) noexcept { return a.i_ <=> b.i_; }

    private:
        friend batch_range;
        iterator(value_type all, std::size_t batch_size, std::size_t i) noexcept
            : all_(all), batch_size_(batch_size), i_(i) {}

        value_type all_{};  // a copy: an iterator outlives the range object it came from
        std::size_t batch_size_ = 1;
        std::size_t i_ = 0;
    };

    iterator begin() const noexcept { return iterator(all_, batch_size_, 0); }
    iterator end() const noexcept { return iterator(all_, batch_size_, size()); }

private:
    value_type all_{};
    std::size_t batch_size_ = 0;
};

}  // namespace typegrad::data
