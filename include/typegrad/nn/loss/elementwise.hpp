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
        auto const add = [&]<class V>(V value) {
            if constexpr (std::is_same_v<V, xsimd::batch<T>>)
                batch_total += value;
            else if constexpr (is_batch_v<V>)  // a narrower batch, in the tail
                tail_total += xsimd::hadd(value);
            else
                tail_total += value;
        };
        if (d_prediction.rows() != 0) {
            // Value and gradient from one forward sweep of Expr.
            simd::for_each_block<T>(n, [&]<class V>(std::size_t i, std::type_identity<V>) {
                auto const [value, partials] = typegrad::value_and_gradient(
                    Expr{}, simd::load_as<V>(prediction.data() + i), simd::load_as<V>(t.data() + i));
                add(value);
                simd::store_to(d_prediction.data() + i, partials[0] * V(scale));
            });
        } else {
            simd::for_each_block<T>(n, [&]<class V>(std::size_t i, std::type_identity<V>) {
                add(typegrad::eval(Expr{}, simd::load_as<V>(prediction.data() + i), simd::load_as<V>(t.data() + i)));
            });
        }
        return (xsimd::hadd(batch_total) + tail_total) * scale;
    }
};

}  // namespace typegrad::loss
