#pragma once
// matrix_view<T, Cols>: a non-owning, row-major view of `rows` rows of `Cols` elements, over a
// tg::matrix or over caller memory. `T` may be const. Views are cheap to copy and are what the
// kernels take, so a kernel never cares who owns the memory.

#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include <typegrad/error.hpp>

namespace typegrad {

template <class T, std::size_t Cols>
class matrix_view {
    static_assert(Cols > 0, "typegrad::matrix_view<T, Cols>: Cols must be at least 1");

public:
    using value_type = std::remove_const_t<T>;
    using element_type = T;
    static constexpr std::size_t cols = Cols;

    constexpr matrix_view() noexcept = default;
    /// A view of `rows` rows starting at `data` (rows are contiguous, `Cols` apart).
    constexpr matrix_view(T* data, std::size_t rows) noexcept : data_(data), rows_(rows) {}
    /// A mutable view converts to a const one.
    template <class U>
        requires(std::is_const_v<T> && std::is_same_v<U const, T>)
    constexpr matrix_view(matrix_view<U, Cols> other) noexcept : data_(other.data()), rows_(other.rows()) {}

    constexpr T* data() const noexcept { return data_; }
    constexpr std::size_t rows() const noexcept { return rows_; }
    constexpr std::size_t size() const noexcept { return rows_ * Cols; }
    constexpr bool empty() const noexcept { return rows_ == 0; }

    constexpr T& operator()(std::size_t r, std::size_t c) const noexcept { return data_[r * Cols + c]; }
    constexpr std::span<T, Cols> row(std::size_t r) const noexcept { return std::span<T, Cols>(data_ + r * Cols, Cols); }

    /// Itself: views and matrices both have view(), so kernels accept either.
    constexpr matrix_view view() const noexcept { return *this; }

    /// Rows [first, first + count), checked: a range beyond this view is a tg::error.
    matrix_view subrows(std::size_t first, std::size_t count) const {
        if (first > rows_ || count > rows_ - first)
            throw error("typegrad::matrix_view::subrows: rows [" + std::to_string(first) + ", " +
                        std::to_string(first + count) + ") are beyond a view of " + std::to_string(rows_) +
                        " rows");
        return matrix_view(data_ + first * Cols, count);
    }

private:
    T* data_ = nullptr;
    std::size_t rows_ = 0;
};

template <class T, std::size_t Cols>
using const_matrix_view = matrix_view<T const, Cols>;

template <class V> inline constexpr bool is_matrix_view_v = false;
template <class T, std::size_t Cols> inline constexpr bool is_matrix_view_v<matrix_view<T, Cols>> = true;

/// A tg::matrix or a tg::matrix_view (const or not): what the kernels take.
template <class M>
concept matrix_like = requires(M& m) {
    requires is_matrix_view_v<decltype(m.view())>;
};

/// The view type of a matrix_like argument as passed (a const matrix gives a const view).
template <matrix_like M>
using view_t = decltype(std::declval<M&>().view());

namespace detail {

/// Throws unless every operand has `rows` rows; `what` names the operation for the message.
inline void require_rows(char const* what, char const* operand, std::size_t rows, std::size_t expected) {
    if (rows != expected)
        throw error(std::string(what) + ": " + operand + " has " + std::to_string(rows) + " rows, expected " +
                    std::to_string(expected));
}

}  // namespace detail

}  // namespace typegrad
