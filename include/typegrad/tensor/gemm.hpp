#pragma once
// The three matrix products of a dense layer y = x W^T + b, with compile-time K (inputs) and N
// (outputs) and a run-time number M of batch rows:
//
//   tg::gemm::forward(x, w, bias, y, epilogue)   Y  = epilogue(X W^T + b)   X: M x K, W: N x K
//   tg::gemm::input_gradient(dy, w, dx)          dX = dY W                  dY: M x N, dX: M x K
//   tg::gemm::weight_gradient(dy, x, dw, db)     dW += dY^T X, db += column sums of dY
//
// W is Out x In (PyTorch's layout). Operands are views (tg::matrix converts to them); outputs
// must not overlap inputs. Every call checks the run-time row counts and span sizes and throws
// tg::error naming the function and the operand.
//
// Deduction: K and N come from the view types (X and dX have K columns, Y and dY have N); W's
// row count is run-time and checked against N. With views everything is deduced:
//     tg::gemm::forward(x.view(), w.view(), bias, y.view());
// With tg::matrix arguments, or to state the shape at the call, give K and N:
//     tg::gemm::forward<784, 256>(x, w, bias, y);
// (the scalar type is deduced from the output, which must then be a view or a tg::matrix).
//
// Kernels: xsimd FMA on register tiles, generic over the batch width (detail/gemm_forward.hpp and
// detail/gemm_backward.hpp say how they are blocked and why). A call allocates nothing: the only
// buffer, a packed panel for the backward products, lives on the stack (at most 32 KiB) and only
// when the panel is reused; there is no shared state, so concurrent calls are safe.

#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

#include <typegrad/error.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/detail/gemm_backward.hpp>
#include <typegrad/tensor/detail/gemm_forward.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::gemm {

/// The default epilogue of forward: leaves the values as they are.
struct identity {
    template <class V>
    constexpr V operator()(V v) const noexcept {
        return v;
    }
};

namespace detail {

/// Throws for a span that should have had 0 or `expected` elements.
[[gnu::cold, noreturn]] inline void throw_size(char const* what, char const* operand, std::size_t size,
                                             std::size_t expected) {
    throw error(std::string(what) + ": " + operand + " has " + std::to_string(size) + " elements, expected " +
                    std::to_string(expected) + " (or 0 for none)");
}

}  // namespace detail

/// Y = epilogue(X W^T + b). x: M x K, w: N x K, bias: N elements or empty (no bias), y: M x N,
/// overwritten. The epilogue is applied elementwise as the results are stored, called as
/// epilogue(xsimd::batch<T, A>) on vectors (A may be a narrower architecture than the default
/// when K is shorter than a default vector; an epilogue not callable with that batch is called
/// lane by lane) and epilogue(T) on scalars; it returns the type it is given. For example
///     [](auto v) { return tg::eval(tg::relu(tg::var<0>{}), v); }
template <std::size_t K, std::size_t N, scalar T, class Epilogue = identity>
void forward(const_matrix_view<std::type_identity_t<T>, K> x, const_matrix_view<std::type_identity_t<T>, K> w,
             std::span<std::type_identity_t<T> const> bias, matrix_view<T, N> y, Epilogue epilogue = {}) {
    constexpr char const* what = "typegrad::gemm::forward";
    if (w.rows() != N) typegrad::detail::require_rows(what, "w", w.rows(), N);
    if (y.rows() != x.rows()) typegrad::detail::require_rows(what, "y", y.rows(), x.rows());
    if (!bias.empty() && bias.size() != N) detail::throw_size(what, "bias", bias.size(), N);
    gemm::detail::forward<K, N>(x.data(), w.data(), bias.empty() ? nullptr : bias.data(), y.data(), x.rows(),
                                epilogue);
}

/// forward with a tg::matrix as the output.
template <std::size_t K, std::size_t N, scalar T, class Epilogue = identity>
void forward(const_matrix_view<std::type_identity_t<T>, K> x, const_matrix_view<std::type_identity_t<T>, K> w,
             std::span<std::type_identity_t<T> const> bias, matrix<T, N>& y, Epilogue epilogue = {}) {
    gemm::forward<K, N, T>(x, w, bias, y.view(), epilogue);
}

/// dX = dY W. dy: M x N, w: N x K, dx: M x K, overwritten.
template <std::size_t K, std::size_t N, scalar T>
void input_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                    const_matrix_view<std::type_identity_t<T>, K> w, matrix_view<T, K> dx) {
    constexpr char const* what = "typegrad::gemm::input_gradient";
    if (w.rows() != N) typegrad::detail::require_rows(what, "w", w.rows(), N);
    if (dx.rows() != dy.rows()) typegrad::detail::require_rows(what, "dx", dx.rows(), dy.rows());
    gemm::detail::input_gradient<K, N>(dy.data(), w.data(), dx.data(), dy.rows());
}

/// input_gradient with a tg::matrix as the output.
template <std::size_t K, std::size_t N, scalar T>
void input_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                    const_matrix_view<std::type_identity_t<T>, K> w, matrix<T, K>& dx) {
    gemm::input_gradient<K, N, T>(dy, w, dx.view());
}

/// dW += dY^T X and, when db is not empty, db += the column sums of dY. dy: M x N, x: M x K,
/// dw: N x K, db: N elements or empty. Accumulates, so gradients of several batches add up.
template <std::size_t K, std::size_t N, scalar T>
void weight_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                     const_matrix_view<std::type_identity_t<T>, K> x, matrix_view<T, K> dw,
                     std::span<std::type_identity_t<T>> db) {
    constexpr char const* what = "typegrad::gemm::weight_gradient";
    if (dw.rows() != N) typegrad::detail::require_rows(what, "dw", dw.rows(), N);
    if (x.rows() != dy.rows()) typegrad::detail::require_rows(what, "x", x.rows(), dy.rows());
    if (!db.empty() && db.size() != N) detail::throw_size(what, "db", db.size(), N);
    gemm::detail::weight_gradient<K, N>(dy.data(), x.data(), dw.data(), db.empty() ? nullptr : db.data(),
                                        dy.rows());
}

/// weight_gradient with a tg::matrix as the output.
template <std::size_t K, std::size_t N, scalar T>
void weight_gradient(const_matrix_view<std::type_identity_t<T>, N> dy,
                     const_matrix_view<std::type_identity_t<T>, K> x, matrix<T, K>& dw,
                     std::span<std::type_identity_t<T>> db) {
    gemm::weight_gradient<K, N, T>(dy, x, dw.view(), db);
}

}  // namespace typegrad::gemm
