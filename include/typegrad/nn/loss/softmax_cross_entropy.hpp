#pragma once
// Cross-entropy over classes, averaged over rows (PyTorch's CrossEntropyLoss and NLL of
// probabilities). Targets are class indices (any contiguous range of integers, one per row) or
// a matrix of one-hot or soft targets.
//   softmax_cross_entropy  on logits z: log-sum-exp(z) - z[label], fused and shifted by the row's
//                          maximum, finite for any finite logits; gradient softmax(z) - y
//   cross_entropy          on probabilities p: -log p[label] (p kept >= 1e-7); a network ending in
//                          tg::nn::softmax trained with it is rewritten to softmax_cross_entropy
//                          on the softmax's input (nn/backprop.hpp)

#include <concepts>
#include <cstddef>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <algorithm>

#include <typegrad/error.hpp>
#include <typegrad/expr/detail/math.hpp>
#include <typegrad/simd/transform.hpp>
#include <typegrad/tensor/reduce.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::loss {

/// Class indices, one per row: std::vector<int>, std::span<std::uint8_t const>, ...
template <class R>
concept class_labels = std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
                       std::integral<std::ranges::range_value_t<R>>;

namespace detail {

template <std::size_t Classes, class Labels>
void check_labels(char const* what, Labels const& labels, std::size_t rows) {
    if (std::ranges::size(labels) != rows)
        throw error(std::string(what) + ": " + std::to_string(std::ranges::size(labels)) + " labels for " +
                    std::to_string(rows) + " rows");
    std::size_t r = 0;
    for (auto const label : labels) {
        if (std::cmp_less(label, 0) || std::cmp_greater_equal(label, Classes))
            throw error(std::string(what) + ": label " + std::to_string(label) + " at row " + std::to_string(r) +
                        " is out of range for " + std::to_string(Classes) + " classes");
        ++r;
    }
}

template <class T, std::size_t N, class Targets>
auto target_view(Targets const& targets) {
    auto const t = targets.view();
    static_assert(std::is_same_v<typename decltype(t)::value_type, T> && decltype(t)::cols == N,
                  "typegrad::loss: one-hot targets must have the prediction's scalar type and width");
    return t;
}

}  // namespace detail

struct softmax_cross_entropy {
    /// The mean loss; when `d_logits` has rows, it receives dLoss/dLogits = (softmax - y) / rows.
    template <scalar T, std::size_t N, class Targets>
        requires class_labels<Targets> || matrix_like<Targets>
    T evaluate(const_matrix_view<T, N> logits, Targets const& targets, matrix_view<T, N> d_logits) const {
        constexpr char const* what = "typegrad::loss::softmax_cross_entropy";
        std::size_t const rows = logits.rows();
        if constexpr (class_labels<Targets>)
            detail::check_labels<N>(what, targets, rows);
        else
            typegrad::detail::require_rows(what, "targets", detail::target_view<T, N>(targets).rows(), rows);
        if (rows == 0) return T(0);
        T const scale = T(1) / static_cast<T>(rows);
        T total = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            T const* z = logits.row(r).data();
            T const lse = typegrad::detail::row_logsumexp(z, N);
            // With soft targets y (summing to s): loss = s lse - <y, z>, gradient = s softmax - y.
            T target_sum = 1;
            if constexpr (class_labels<Targets>) {
                total += lse - z[static_cast<std::size_t>(std::ranges::data(targets)[r])];
            } else {
                T const* y = detail::target_view<T, N>(targets).row(r).data();
                target_sum = typegrad::detail::row_sum(y, N);
                T dot = 0;
                for (std::size_t c = 0; c < N; ++c) dot += y[c] * z[c];
                total += target_sum * lse - dot;
            }
            if (d_logits.rows() != 0) {
                T* d = d_logits.row(r).data();
                simd::transform(
                    N, d,
                    [lse, k = target_sum * scale](auto v) {
                        using V = decltype(v);
                        return typegrad::detail::math::exp(v - V(lse)) * V(k);
                    },
                    z);
                if constexpr (class_labels<Targets>) {
                    d[static_cast<std::size_t>(std::ranges::data(targets)[r])] -= scale;
                } else {
                    T const* y = detail::target_view<T, N>(targets).row(r).data();
                    for (std::size_t c = 0; c < N; ++c) d[c] -= y[c] * scale;
                }
            }
        }
        return total * scale;
    }
};

struct cross_entropy {
    static constexpr double floor = 1e-7;

    template <scalar T, std::size_t N, class Targets>
        requires class_labels<Targets> || matrix_like<Targets>
    T evaluate(const_matrix_view<T, N> probabilities, Targets const& targets, matrix_view<T, N> d_probabilities) const {
        constexpr char const* what = "typegrad::loss::cross_entropy";
        std::size_t const rows = probabilities.rows();
        if constexpr (class_labels<Targets>)
            detail::check_labels<N>(what, targets, rows);
        else
            typegrad::detail::require_rows(what, "targets", detail::target_view<T, N>(targets).rows(), rows);
        if (rows == 0) return T(0);
        T const scale = T(1) / static_cast<T>(rows);
        T total = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            T const* p = probabilities.row(r).data();
            T* d = d_probabilities.rows() != 0 ? d_probabilities.row(r).data() : nullptr;
            if (d) std::fill_n(d, N, T(0));
            auto const add = [&](std::size_t c, T weight) {
                T const clamped = std::max(p[c], static_cast<T>(floor));
                total -= weight * typegrad::detail::math::log(clamped);
                if (d && p[c] >= static_cast<T>(floor)) d[c] -= weight * scale / clamped;
            };
            if constexpr (class_labels<Targets>) {
                add(static_cast<std::size_t>(std::ranges::data(targets)[r]), T(1));
            } else {
                T const* y = detail::target_view<T, N>(targets).row(r).data();
                for (std::size_t c = 0; c < N; ++c)
                    if (y[c] != 0) add(c, y[c]);
            }
        }
        return total * scale;
    }
};

}  // namespace typegrad::loss
