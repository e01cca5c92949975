#pragma once
// apply: an expression from expr/ evaluated elementwise over matrices, on xsimd batches with a
// scalar tail. There is no per-op SIMD code: the expression is the kernel, so a user's own
// activation is vectorised the moment it is written.
//
//   tg::apply(tg::relu(x), in, out);                    out = relu(in)
//   tg::apply(tg::pow<2>(x - y), a, b, out);            out = (a - b)^2
//   tg::apply_backward(tg::tanh(x), in, dout, din);     din = dout * tanh'(in)
//
// Operands are tg::matrix or tg::matrix_view of the same scalar type and width; the views are
// contiguous, so each operand is one flat run of rows * Cols elements.

#include <cstddef>
#include <type_traits>

#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/gradient.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/simd/transform.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad {

namespace detail {

// One plain-words check for every operand list of the elementwise kernels.
template <class Out, class... In>
constexpr void check_elementwise_operands() {
    using out_view = view_t<Out>;
    static_assert(!std::is_const_v<typename out_view::element_type>,
                  "typegrad::apply: the output must be a mutable matrix or view, not a const one");
    static_assert(((std::is_same_v<typename view_t<In>::value_type, typename out_view::value_type>)&&...),
                  "typegrad::apply: all operands must have the same scalar type (float or double)");
    static_assert(((view_t<In>::cols == out_view::cols) && ...),
                  "typegrad::apply: all operands must have the same number of columns");
}

}  // namespace detail

/// out = e(in) elementwise; `e` is an expression in tg::var<0>. `out` may be `in`.
template <expression E, matrix_like In, matrix_like Out>
void apply(E e, In const& in, Out&& out) {
    static_assert(arity_v<E> <= 1, "typegrad::apply(e, in, out): e must be an expression in tg::var<0> only");
    detail::check_elementwise_operands<Out, In const>();
    auto const x = in.view();
    auto const y = out.view();
    detail::require_rows("typegrad::apply", "out", y.rows(), x.rows());
    simd::transform(x.size(), y.data(), [e](auto v) { return eval(e, v); }, x.data());
}

/// out = e(a, b) elementwise; `e` is an expression in tg::var<0> (from a) and tg::var<1> (from b).
template <expression E, matrix_like A, matrix_like B, matrix_like Out>
void apply(E e, A const& a, B const& b, Out&& out) {
    static_assert(arity_v<E> <= 2,
                  "typegrad::apply(e, a, b, out): e must be an expression in tg::var<0> and tg::var<1> only");
    detail::check_elementwise_operands<Out, A const, B const>();
    auto const u = a.view();
    auto const v = b.view();
    auto const y = out.view();
    detail::require_rows("typegrad::apply", "b", v.rows(), u.rows());
    detail::require_rows("typegrad::apply", "out", y.rows(), u.rows());
    simd::transform(u.size(), y.data(), [e](auto p, auto q) { return eval(e, p, q); }, u.data(), v.data());
}

/// din = dout * e'(in) elementwise: the backward of out = e(in). The derivative comes from one
/// forward and one reverse sweep of e per element, so intermediate values (sigmoid's exp, say)
/// are computed once. `din` may be `dout`.
template <expression E, matrix_like In, matrix_like Dout, matrix_like Din>
void apply_backward(E e, In const& in, Dout const& dout, Din&& din) {
    static_assert(arity_v<E> <= 1,
                  "typegrad::apply_backward(e, in, dout, din): e must be an expression in tg::var<0> only");
    detail::check_elementwise_operands<Din, In const, Dout const>();
    auto const x = in.view();
    auto const g = dout.view();
    auto const dx = din.view();
    detail::require_rows("typegrad::apply_backward", "dout", g.rows(), x.rows());
    detail::require_rows("typegrad::apply_backward", "din", dx.rows(), x.rows());
    simd::transform(
        x.size(), dx.data(), [e](auto v, auto dv) { return dv * gradient(e, v)[0]; }, x.data(), g.data());
}

}  // namespace typegrad
