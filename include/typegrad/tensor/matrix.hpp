#pragma once
// matrix<T, Cols>: an owning, row-major matrix with a run-time number of rows (the batch) and a
// compile-time number of columns (a layer's width). The storage is 64-byte aligned and allocated
// only by the constructor and by resize() when it must grow; everything else reuses it.
//
// Rows are not padded: a matrix is one dense block, so it can be viewed over caller memory and
// written to a file as it is. The kernels load rows unaligned, which costs nothing measurable on
// this data (bench/tensor_gemm).

#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <utility>

#include <typegrad/error.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad {

template <class T, std::size_t Cols>
class matrix {
    static_assert(scalar<T>, "typegrad::matrix<T, Cols>: T must be float or double");
    static_assert(Cols > 0, "typegrad::matrix<T, Cols>: Cols must be at least 1");

public:
    using value_type = T;
    static constexpr std::size_t cols = Cols;
    static constexpr std::size_t alignment = 64;

    matrix() noexcept = default;
    /// `rows` rows of zeros.
    explicit matrix(std::size_t rows) : storage_(allocate(rows)), rows_(rows), capacity_(rows) {
        std::fill_n(storage_.get(), rows * Cols, T(0));
    }

    matrix(matrix const& other) : matrix(other.rows_) { std::copy_n(other.data(), other.size(), data()); }
    matrix(matrix&& other) noexcept
        : storage_(std::move(other.storage_)),
          rows_(std::exchange(other.rows_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    matrix& operator=(matrix const& other) {
        if (this != &other) {
            if (other.rows_ > capacity_) *this = matrix(other.rows_);
            rows_ = other.rows_;
            std::copy_n(other.data(), other.size(), data());
        }
        return *this;
    }
    matrix& operator=(matrix&& other) noexcept {
        storage_ = std::move(other.storage_);
        rows_ = std::exchange(other.rows_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
        return *this;
    }

    T* data() noexcept { return storage_.get(); }
    T const* data() const noexcept { return storage_.get(); }
    std::size_t rows() const noexcept { return rows_; }
    std::size_t size() const noexcept { return rows_ * Cols; }
    std::size_t capacity() const noexcept { return capacity_; }
    bool empty() const noexcept { return rows_ == 0; }

    T& operator()(std::size_t r, std::size_t c) noexcept { return storage_[r * Cols + c]; }
    T const& operator()(std::size_t r, std::size_t c) const noexcept { return storage_[r * Cols + c]; }
    std::span<T, Cols> row(std::size_t r) noexcept { return view().row(r); }
    std::span<T const, Cols> row(std::size_t r) const noexcept { return view().row(r); }

    matrix_view<T, Cols> view() noexcept { return {data(), rows_}; }
    matrix_view<T const, Cols> view() const noexcept { return {data(), rows_}; }
    operator matrix_view<T, Cols>() noexcept { return view(); }
    operator matrix_view<T const, Cols>() const noexcept { return view(); }

    /// Rows [first, first + count) as a view, checked.
    matrix_view<T, Cols> subrows(std::size_t first, std::size_t count) { return view().subrows(first, count); }
    matrix_view<T const, Cols> subrows(std::size_t first, std::size_t count) const {
        return view().subrows(first, count);
    }

    /// Changes the number of rows, keeping the leading ones; new rows are zero. Allocates only
    /// when `rows` exceeds the capacity, so shrinking and growing back is free.
    void resize(std::size_t rows) {
        if (rows > capacity_) {
            auto grown = allocate(rows);
            std::copy_n(data(), size(), grown.get());
            storage_ = std::move(grown);
            capacity_ = rows;
        }
        if (rows > rows_) std::fill(data() + size(), data() + rows * Cols, T(0));
        rows_ = rows;
    }

    void fill(T value) noexcept { std::fill_n(data(), size(), value); }

private:
    struct aligned_delete {
        void operator()(T* p) const noexcept { ::operator delete[](p, std::align_val_t{alignment}); }
    };
    using storage = std::unique_ptr<T[], aligned_delete>;

    static storage allocate(std::size_t rows) {
        if (rows > std::numeric_limits<std::size_t>::max() / sizeof(T) / Cols)
            throw error("typegrad::matrix: " + std::to_string(rows) + " rows of " + std::to_string(Cols) +
                        " columns do not fit in memory");
        std::size_t const elements = rows * Cols;
        if (elements == 0) return storage();
        return storage(static_cast<T*>(::operator new[](elements * sizeof(T), std::align_val_t{alignment})));
    }

    storage storage_;
    std::size_t rows_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace typegrad
