#pragma once
// A loss that is an expression of one prediction and one target, averaged over every element.
// Its gradient comes from expr/ (one reverse sweep per element), so a loss is written once, as
// the formula, and is vectorised and differentiated like everything else.

#include <cstddef>
#include <type_traits>

#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/gradient.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/simd/transform.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::loss {

/// mean over elements of Expr(prediction, target); Expr is in tg::var<0> (prediction) and
/// tg::var<1> (target).
template <class Expr>
struct elementwise_loss {
    static_assert(expression<Expr> && std::is_empty_v<Expr> && arity_v<Expr> <= 2,
                  "typegrad::loss::elementwise_loss<Expr>: Expr must be an expression of tg::var<0> (the "
                  "prediction) and tg::var<1> (the target), with constants as tg::constant<V>");
    using expression_type = Expr;

    /// The mean loss; when `d_prediction` has rows, it receives dLoss/dPrediction.
    template <scalar T, std::size_t N, matrix_like Targets>
    T evaluate(const_matrix_view<T, N> prediction, Targets const& targets, matrix_view<T, N> d_prediction) const {
        auto const t = targets.view();
        static_assert(std::is_same_v<typename decltype(t)::value_type, T> && decltype(t)::cols == N,
                      "typegrad::loss: the targets must have the prediction's scalar type and width");
        typegrad::detail::require_rows("typegrad::loss", "targets", t.rows(), prediction.rows());
        std::size_t const n = prediction.size();
        if (n == 0) return T(0);
        T const scale = T(1) / static_cast<T>(n);
        xsimd::batch<T> batch_total(T(0));
        T tail_total = 0;
        bool const want_gradient = d_prediction.rows() != 0;
        // Expr at one block (a batch or a scalar) of predictions p and targets q; its
        // dLoss/dPrediction goes to d when the gradient is wanted.
        auto const block = [&]<class V>(std::type_identity<V>, T const* p, T const* q, T* d) {
            if (want_gradient) {
                // Value and gradient from one forward sweep of Expr.
                auto const [value, partials] = typegrad::value_and_gradient(Expr{}, simd::load_as<V>(p), simd::load_as<V>(q));
                simd::store_to(d, partials[0] * V(scale));
                return value;
            }
            return typegrad::eval(Expr{}, simd::load_as<V>(p), simd::load_as<V>(q));
        };
        // The last few elements (a one-output network's only one) go through one zero-padded
        // batch rather than a scalar libm call each; the padding lanes are dropped.
        using padded_batch = simd::narrowest_batch_t<T>;
        std::size_t const rest = n % padded_batch::size;
        std::size_t const whole = n - rest;
        T* const d = want_gradient ? d_prediction.data() : nullptr;
        simd::for_each_block<T>(whole, [&]<class V>(std::size_t i, std::type_identity<V> v) {
            V const value = block(v, prediction.data() + i, t.data() + i, d ? d + i : nullptr);
            if constexpr (std::is_same_v<V, xsimd::batch<T>>)
                batch_total += value;
            else if constexpr (is_batch_v<V>)
                tail_total += xsimd::hadd(value);
            else
                tail_total += value;  // never: `whole` is a multiple of the narrowest batch
        });
        if (rest != 0) {
            alignas(padded_batch::arch_type::alignment()) T p[padded_batch::size] = {}, q[padded_batch::size] = {},
                                                            dp[padded_batch::size], values[padded_batch::size];
            for (std::size_t j = 0; j < rest; ++j) {
                p[j] = prediction.data()[whole + j];
                q[j] = t.data()[whole + j];
            }
            block(std::type_identity<padded_batch>{}, p, q, dp).store_aligned(values);
            for (std::size_t j = 0; j < rest; ++j) {
                tail_total += values[j];
                if (d) d[whole + j] = dp[j];
            }
        }
        return (xsimd::hadd(batch_total) + tail_total) * scale;
    }
};

}  // namespace typegrad::loss
