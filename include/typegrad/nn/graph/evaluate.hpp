#pragma once
// Forward and backward of a layer's graph. The workspace holds a value and a gradient for every
// stored node (graph/plan.hpp), sized for a batch capacity and reused: once warm, neither pass
// allocates. The vector-Jacobian products below are the only derivative code in nn/, one per
// primitive; everything elementwise takes its derivative from expr/.

#include <algorithm>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>

#include <typegrad/expr/detail/math.hpp>
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/gradient.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/plan.hpp>
#include <typegrad/nn/graph/random.hpp>
#include <typegrad/simd/transform.hpp>
#include <typegrad/tensor/gemm.hpp>
#include <typegrad/tensor/matrix.hpp>
#include <typegrad/tensor/reduce.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::nn::graph {

namespace detail {

template <class T, class... Ns>
std::tuple<matrix<T, Ns::cols>...> matrices_for(type_list<Ns...>);

template <class... Ns>
constexpr std::size_t input_cols(type_list<Ns...>) {
    std::size_t cols = 0;
    ((cols = is_input_v<Ns> ? Ns::cols : cols), ...);
    return cols;
}

// Resizes the matrices of nodes Ns... (in order) for a batch of `rows`: a row node has one.
template <class... Ns, class... M>
void resize_for(type_list<Ns...>, [[maybe_unused]] std::size_t rows, M&... m) {  // (no nodes: a layer that is its input)
    (m.resize(is_row_node_v<Ns> ? 1 : rows), ...);
}

}  // namespace detail

/// The values and gradients of a graph's stored nodes, for one scalar type.
template <class T, class Root>
class workspace {
    using stored = stored_t<Root>;
    using matrices = decltype(detail::matrices_for<T>(stored{}));
    static constexpr std::size_t in = detail::input_cols(order_t<Root>{});

public:
    /// Makes room for `rows` rows; allocates only when `rows` exceeds what was seen before.
    void resize_values(std::size_t rows) {
        std::apply([rows](auto&... m) { detail::resize_for(stored{}, rows, m...); }, values_);
    }
    void resize_gradients(std::size_t rows) {
        std::apply([rows](auto&... m) { detail::resize_for(stored{}, rows, m...); }, gradients_);
    }

    template <class N>
    auto& value() noexcept {
        return std::get<detail::index_of<N>(stored{})>(values_);
    }
    template <class N>
    auto& gradient() noexcept {
        return std::get<detail::index_of<N>(stored{})>(gradients_);
    }
    /// Room for a GEMM result that must be added to a gradient rather than written over it
    /// (a node read more than once). Sized on first use, so other graphs never pay for it.
    template <class N>
    auto& scratch(std::size_t rows) {
        auto& m = [this]() -> auto& {
            if constexpr (is_input_v<N>)
                return input_scratch_;
            else
                return std::get<detail::index_of<N>(stored{})>(scratch_);
        }();
        m.resize(rows);
        return m;
    }

private:
    matrices values_;
    matrices gradients_;
    matrices scratch_;
    matrix<T, in> input_scratch_;
};

namespace detail {

// What a pass needs to reach every leaf and node: the workspace, the layer's input, its
// parameters and buffers (objects with get<P>() for every param or buffer P), and where its
// random leaves draw from; for the backward also the gradients to fill.
template <class T, class Root, std::size_t In, class Params, class Buffers>
struct forward_context {
    using root = Root;
    workspace<T, Root>& ws;
    const_matrix_view<T, In> input;
    Params const& params;
    Buffers const& buffers;
    random_stream noise;

    template <class N>
    auto value() const noexcept {
        if constexpr (is_input_v<N>)
            return input;
        else if constexpr (is_param_v<N>)
            return const_matrix_view<T, N::cols>(params.template get<N>().view());
        else if constexpr (is_buffer_v<N>)
            return const_matrix_view<T, N::cols>(buffers.template get<N>().view());
        else
            return const_matrix_view<T, N::cols>(ws.template value<N>().view());
    }
};

template <class T, class Root, std::size_t In, class Params, class Buffers, bool InputGradient>
struct backward_context : forward_context<T, Root, In, Params, Buffers> {
    matrix_view<T, In> input_gradient;
    Params& gradients;

    template <class N>
    auto gradient() const noexcept {
        if constexpr (is_input_v<N>)
            return input_gradient;
        else if constexpr (is_param_v<N>)
            return gradients.template get<N>().view();
        else
            return this->ws.template gradient<N>().view();
    }

    // A node read once is written over by its reader; one read more often was zeroed first and
    // each reader adds to it. Parameters' gradients always accumulate, and so does a row's (every
    // row of the batch that read it adds its share).
    template <class N>
    static constexpr bool accumulates = is_param_v<N> || is_row_v<N> || consumers_v<Root, N> > 1;

    template <class N>
    static constexpr bool wanted = needs_gradient_v<N, InputGradient>;
};

template <bool Accumulate, class T, class V>
void contribute(T* dst, V value) noexcept {
    if constexpr (Accumulate)
        simd::store_to(dst, simd::load_as<V>(dst) + value);
    else
        simd::store_to(dst, value);
}

// Writes (or adds) the result of a GEMM that can only write: into scratch first when adding.
template <class A, class Ctx, class Gemm>
void gemm_into_gradient(Ctx const& ctx, Gemm&& product) {
    auto const da = ctx.template gradient<A>();
    if constexpr (Ctx::template accumulates<A>) {
        auto& scratch = ctx.ws.template scratch<A>(da.rows());
        product(scratch.view());
        using T = typename decltype(da)::value_type;
        simd::transform(da.size(), da.data(), [](auto u, auto v) { return u + v; }, da.data(),
                        static_cast<T const*>(scratch.data()));
    } else {
        product(da);
    }
}

// ---- forward of each primitive ------------------------------------------------------------

template <class Ctx, class A, class P, class Epilogue = gemm::identity>
void compute(std::type_identity<matmul<A, transposed<P>>>, Ctx const& ctx, auto out, Epilogue epilogue = {}) {
    gemm::forward<A::cols, P::rows>(ctx.template value<A>(), ctx.template value<P>(), {}, out, epilogue);
}

// A P with P of K x N is the product a dense layer's input gradient computes (dY W).
template <class Ctx, class A, class P>
    requires is_param_v<P>
void compute(std::type_identity<matmul<A, P>>, Ctx const& ctx, auto out) {
    gemm::input_gradient<P::cols, P::rows>(ctx.template value<A>(), ctx.template value<P>(), out);
}

template <class Ctx, class A, class P, class Epilogue = gemm::identity>
void compute(std::type_identity<add_row<A, P>>, Ctx const& ctx, auto out, Epilogue epilogue = {}) {
    using T = typename decltype(out)::value_type;
    auto const bias = ctx.template value<P>();
    if constexpr (is_fused_v<typename Ctx::root, A>) {
        [&]<class X, class W>(std::type_identity<matmul<X, transposed<W>>>) {
            gemm::forward<X::cols, W::rows>(ctx.template value<X>(), ctx.template value<W>(),
                                            std::span<T const>(bias.data(), P::cols), out, epilogue);
        }(std::type_identity<A>{});
    } else {
        auto const a = ctx.template value<A>();
        for (std::size_t r = 0; r < a.rows(); ++r)
            simd::transform(P::cols, out.row(r).data(), [](auto u, auto v) { return u + v; }, a.row(r).data(),
                            bias.data());
    }
}

// Row r of the batch as operand A sees it: a row operand has only its row 0.
template <class A>
constexpr std::size_t row_of(std::size_t r) noexcept {
    return is_row_v<A> ? 0 : r;
}

// Element (r, c) of A as an elementwise node reads it: a row is the same for every r, one
// column the same for every c.
template <class A, class V, class Ctx>
V element(Ctx const& ctx, std::size_t r, std::size_t c) {
    auto const a = ctx.template value<A>();
    if constexpr (A::cols == 1)
        return V(a(row_of<A>(r), 0));
    else
        return simd::load_as<V>(&a(row_of<A>(r), c));
}

// Whether every operand has the node's shape, so that all of them are one flat run.
template <class E, class... As>
inline constexpr bool same_shapes_v = ((As::cols == elementwise<E, As...>::cols && !is_row_v<As>) && ...);

template <class Ctx, class E, class... As>
void compute(std::type_identity<elementwise<E, As...>>, Ctx const& ctx, auto out) {
    using T = typename decltype(out)::value_type;
    constexpr std::size_t cols = elementwise<E, As...>::cols;
    auto const f = [](auto... v) { return eval(E{}, v...); };
    if constexpr (same_shapes_v<E, As...>) {
        // No broadcasting: the operands are flat runs, so a narrow layer still fills whole batches.
        simd::transform(out.size(), out.data(), f, ctx.template value<As>().data()...);
    } else {
        for (std::size_t r = 0; r < out.rows(); ++r)
            simd::for_each_block<T>(cols, [&]<class V>(std::size_t c, std::type_identity<V>) {
                simd::store_to(&out(r, c), f(element<As, V>(ctx, r, c)...));
            });
    }
}

template <class Ctx, class Kind, class A>
void compute(std::type_identity<row_reduction<Kind, A>>, Ctx const& ctx, auto out) {
    auto const a = ctx.template value<A>();
    for (std::size_t r = 0; r < a.rows(); ++r) {
        auto const* row = a.row(r).data();
        if constexpr (std::is_same_v<Kind, row_sum_kind>)
            out(r, 0) = typegrad::detail::row_sum(row, A::cols);
        else if constexpr (std::is_same_v<Kind, row_max_kind>)
            out(r, 0) = typegrad::detail::row_max(row, A::cols);
        else
            out(r, 0) = typegrad::detail::row_logsumexp(row, A::cols);
    }
}

template <class Ctx, class A>
void compute(std::type_identity<column_reduction<column_mean_kind, A>>, Ctx const& ctx, auto out) {
    using T = typename decltype(out)::value_type;
    auto const a = ctx.template value<A>();
    T* mean = out.row(0).data();
    std::fill_n(mean, A::cols, T(0));
    for (std::size_t r = 0; r < a.rows(); ++r)
        simd::transform(A::cols, mean, [](auto u, auto v) { return u + v; }, static_cast<T const*>(mean), a.row(r).data());
    T const scale = T(1) / static_cast<T>(a.rows());
    simd::transform(A::cols, mean, [scale](auto v) { return v * decltype(v)(scale); }, static_cast<T const*>(mean));
}

template <class Ctx, double Drop, std::size_t Cols>
void compute(std::type_identity<random_mask<Drop, Cols>>, Ctx const& ctx, auto out) {
    detail::fill_random_mask<Drop>(ctx.noise, out.data(), out.size());
}

template <class Ctx, class A>
void compute(std::type_identity<row_softmax<A>>, Ctx const& ctx, auto out) {
    using T = typename decltype(out)::value_type;
    auto const a = ctx.template value<A>();
    for (std::size_t r = 0; r < a.rows(); ++r) {
        // Shifted by the row's maximum: every exponent <= 0, and the largest term is 1.
        T const m = typegrad::detail::row_max(a.row(r).data(), A::cols);
        T* y = out.row(r).data();
        simd::transform(
            A::cols, y, [m](auto v) { return typegrad::detail::math::exp(v - decltype(v)(m)); }, a.row(r).data());
        T const scale = T(1) / typegrad::detail::row_sum(y, A::cols);
        simd::transform(A::cols, y, [scale](auto v) { return v * decltype(v)(scale); }, static_cast<T const*>(y));
    }
}

// ---- backward of each primitive: the node's gradient g goes to its children --------------

template <class Ctx, class A, class P>
void propagate(std::type_identity<matmul<A, transposed<P>>>, Ctx const& ctx, auto g) {
    if constexpr (Ctx::template wanted<A>)
        gemm_into_gradient<A>(ctx, [&](auto da) { gemm::input_gradient<A::cols, P::rows>(g, ctx.template value<P>(), da); });
    gemm::weight_gradient<A::cols, P::rows>(g, ctx.template value<A>(), ctx.template gradient<P>(), {});
}

template <class Ctx, class A, class P>
    requires is_param_v<P>
void propagate(std::type_identity<matmul<A, P>>, Ctx const& ctx, auto g) {
    if constexpr (Ctx::template wanted<A>)
        gemm_into_gradient<A>(ctx, [&](auto da) { gemm::forward<P::cols, P::rows>(g, ctx.template value<P>(), {}, da); });
    gemm::weight_gradient<P::cols, P::rows>(ctx.template value<A>(), g, ctx.template gradient<P>(), {});
}

template <class Ctx, class A, class P>
void propagate(std::type_identity<add_row<A, P>>, Ctx const& ctx, auto g) {
    using T = typename decltype(g)::value_type;
    auto const db = ctx.template gradient<P>();
    if constexpr (is_fused_v<typename Ctx::root, A>) {
        [&]<class X, class W>(std::type_identity<matmul<X, transposed<W>>>) {
            if constexpr (Ctx::template wanted<X>)
                gemm_into_gradient<X>(ctx, [&](auto dx) {
                    gemm::input_gradient<X::cols, W::rows>(g, ctx.template value<W>(), dx);
                });
            gemm::weight_gradient<X::cols, W::rows>(g, ctx.template value<X>(), ctx.template gradient<W>(),
                                                    std::span<T>(db.data(), P::cols));
        }(std::type_identity<A>{});
    } else {
        if constexpr (Ctx::template wanted<A>) {
            auto const da = ctx.template gradient<A>();
            simd::for_each_block<T>(g.size(), [&]<class V>(std::size_t i, std::type_identity<V>) {
                contribute<Ctx::template accumulates<A>>(da.data() + i, simd::load_as<V>(g.data() + i));
            });
        }
        for (std::size_t r = 0; r < g.rows(); ++r)
            simd::transform(P::cols, db.data(), [](auto u, auto v) { return u + v; }, static_cast<T const*>(db.data()),
                            g.row(r).data());
    }
}

template <class Ctx, class E, class... As>
void propagate(std::type_identity<elementwise<E, As...>>, Ctx const& ctx, auto g) {
    using T = typename decltype(g)::value_type;
    constexpr std::size_t cols = elementwise<E, As...>::cols;
    // One reverse sweep of E per element gives every partial at once. The forward pass stored
    // E's value, so its outermost operation is not evaluated again: sigmoid, tanh and exp take
    // their derivative from that value (y (1 - y), 1 - y^2, y) with no transcendental call.
    auto const y = ctx.ws.template value<elementwise<E, As...>>().view();
    auto const partials = [](auto value, auto... v) { return gradient_given_value(E{}, value, v...); };
    if constexpr (same_shapes_v<E, As...>) {
        simd::for_each_block<T>(g.size(), [&]<class V>(std::size_t i, std::type_identity<V>) {
            auto const d = partials(simd::load_as<V>(y.data() + i), simd::load_as<V>(ctx.template value<As>().data() + i)...);
            V const gi = simd::load_as<V>(g.data() + i);
            std::size_t k = 0;
            (
                [&] {
                    if constexpr (Ctx::template wanted<As>)
                        contribute<Ctx::template accumulates<As>>(ctx.template gradient<As>().data() + i, gi * d[k]);
                    ++k;
                }(),
                ...);
        });
    } else {
        // Some operand is one column wide: its gradient is the sum along the row. A row operand's
        // gradient is the sum down the column: every row of g adds to it.
        for (std::size_t r = 0; r < g.rows(); ++r) {
            std::array<T, sizeof...(As)> row_totals{};
            simd::for_each_block<T>(cols, [&]<class V>(std::size_t c, std::type_identity<V>) {
                auto const d = partials(simd::load_as<V>(&y(r, c)), element<As, V>(ctx, r, c)...);
                V const gc = simd::load_as<V>(&g(r, c));
                std::size_t k = 0;
                (
                    [&] {
                        if constexpr (Ctx::template wanted<As>) {
                            if constexpr (As::cols == 1) {
                                if constexpr (is_batch_v<V>)
                                    row_totals[k] += xsimd::hadd(gc * d[k]);
                                else
                                    row_totals[k] += gc * d[k];
                            } else {
                                contribute<Ctx::template accumulates<As>>(
                                    &ctx.template gradient<As>()(row_of<As>(r), c), gc * d[k]);
                            }
                        }
                        ++k;
                    }(),
                    ...);
            });
            std::size_t k = 0;
            (
                [&] {
                    if constexpr (Ctx::template wanted<As> && As::cols == 1)
                        contribute<Ctx::template accumulates<As>>(&ctx.template gradient<As>()(row_of<As>(r), 0),
                                                                  row_totals[k]);
                    ++k;
                }(),
                ...);
        }
    }
}

template <class Ctx, class Kind, class A>
void propagate(std::type_identity<row_reduction<Kind, A>>, Ctx const& ctx, auto g) {
    if constexpr (Ctx::template wanted<A>) {
        using T = typename decltype(g)::value_type;
        auto const a = ctx.template value<A>();
        auto const y = ctx.ws.template value<row_reduction<Kind, A>>().view();
        auto const da = ctx.template gradient<A>();
        constexpr bool add = Ctx::template accumulates<A>;
        for (std::size_t r = 0; r < a.rows(); ++r) {
            T const gr = g(r, 0);
            if constexpr (std::is_same_v<Kind, row_sum_kind>) {
                simd::for_each_block<T>(A::cols, [&]<class V>(std::size_t c, std::type_identity<V>) {
                    contribute<add>(&da(r, c), V(gr));
                });
            } else if constexpr (std::is_same_v<Kind, row_max_kind>) {
                // The maximum's gradient goes to its first occurrence, as with PyTorch's max.
                std::size_t arg = 0;
                while (arg + 1 < A::cols && !(a(r, arg) == y(r, 0))) ++arg;
                for (std::size_t c = 0; c < A::cols; ++c) contribute<add>(&da(r, c), c == arg ? gr : T(0));
            } else {
                T const lse = y(r, 0);
                simd::for_each_block<T>(A::cols, [&]<class V>(std::size_t c, std::type_identity<V>) {
                    contribute<add>(&da(r, c), V(gr) * typegrad::detail::math::exp(simd::load_as<V>(&a(r, c)) - V(lse)));
                });
            }
        }
    }
}

// Each row of A contributed 1/n of its value to the mean, so each receives g / n.
template <class Ctx, class A>
void propagate(std::type_identity<column_reduction<column_mean_kind, A>>, Ctx const& ctx, auto g) {
    if constexpr (Ctx::template wanted<A>) {
        using T = typename decltype(g)::value_type;
        auto const da = ctx.template gradient<A>();
        T const scale = T(1) / static_cast<T>(da.rows());
        for (std::size_t r = 0; r < da.rows(); ++r)
            simd::for_each_block<T>(A::cols, [&]<class V>(std::size_t c, std::type_identity<V>) {
                contribute<Ctx::template accumulates<A>>(&da(r, c), simd::load_as<V>(&g(0, c)) * V(scale));
            });
    }
}

// A random_mask has no propagate: it reads neither the input nor a parameter, so the backward
// never asks for its gradient; to the backward it is a constant.

template <class Ctx, class A>
void propagate(std::type_identity<row_softmax<A>>, Ctx const& ctx, auto g) {
    if constexpr (Ctx::template wanted<A>) {
        using T = typename decltype(g)::value_type;
        auto const y = ctx.ws.template value<row_softmax<A>>().view();
        auto const da = ctx.template gradient<A>();
        for (std::size_t r = 0; r < y.rows(); ++r) {
            // d a = y (g - <g, y>)
            T dot = 0;
            for (std::size_t c = 0; c < A::cols; ++c) dot += g(r, c) * y(r, c);
            simd::for_each_block<T>(A::cols, [&]<class V>(std::size_t c, std::type_identity<V>) {
                V const yc = simd::load_as<V>(&y(r, c));
                contribute<Ctx::template accumulates<A>>(&da(r, c), yc * (simd::load_as<V>(&g(r, c)) - V(dot)));
            });
        }
    }
}

template <class N, class Ctx>
void zero_if_shared(Ctx const& ctx) {
    if constexpr (Ctx::template wanted<N> && !is_param_v<N> && Ctx::template accumulates<N>) {
        auto const d = ctx.template gradient<N>();
        std::fill_n(d.data(), d.size(), typename decltype(d)::value_type(0));
    }
}

}  // namespace detail

/// The epilogue that applies activation graph Activation (is_value_activation_v) as a GEMM stores.
template <class Activation>
struct activation_epilogue;
template <class E, std::size_t W>
struct activation_epilogue<elementwise<E, input<W>>> {
    using expression = E;
    template <class V>
    V operator()(V v) const noexcept {
        return eval(E{}, v);
    }
};

/// Computes every stored node of Root's graph for the rows of `x`; the output is
/// ws.value<Root>() (or `x` itself for a graph that is just its input). Random leaves draw from
/// `noise`. A root computed by one GEMM (is_gemm_root_v) stores epilogue(value) instead: how an
/// activation layer runs inside the layer before it.
template <class Root, class T, std::size_t In, class Params, class Buffers, class Epilogue = gemm::identity>
void forward(workspace<T, Root>& ws, const_matrix_view<T, In> x, Params const& params, Buffers const& buffers,
             random_stream noise, Epilogue epilogue = {}) {
    constexpr bool apply_epilogue = !std::is_same_v<Epilogue, gemm::identity>;
    static_assert(!apply_epilogue || is_gemm_root_v<Root>, "typegrad::nn::graph::forward: only a root computed by "
                                                           "one GEMM takes an epilogue");
    ws.resize_values(x.rows());
    detail::forward_context<T, Root, In, Params, Buffers> const ctx{ws, x, params, buffers, noise};
    detail::for_each_type(order_t<Root>{}, [&]<class N>(std::type_identity<N> node) {
        if constexpr (apply_epilogue && std::is_same_v<N, Root>)
            detail::compute(node, ctx, ws.template value<N>().view(), epilogue);
        else if constexpr (is_stored_v<Root, N>)
            detail::compute(node, ctx, ws.template value<N>().view());
    });
}

/// The backward of activation graph Activation (is_value_activation_v) whose values y the layer
/// before it stored through activation_epilogue: dx = g E'(x), read off y alone (the argument
/// was never stored; E's derivative rule does not read it).
template <class Activation, class T, std::size_t W>
void backward_activation(const_matrix_view<T, W> y, const_matrix_view<T, W> g, matrix_view<T, W> dx) {
    static_assert(is_value_activation_v<Activation>);
    using E = typename activation_epilogue<Activation>::expression;
    simd::for_each_block<T>(g.size(), [&]<class V>(std::size_t i, std::type_identity<V>) {
        V const value = simd::load_as<V>(y.data() + i);
        // The value stands in for the argument too, which E's rule never reads.
        simd::store_to(dx.data() + i, simd::load_as<V>(g.data() + i) * gradient_given_value(E{}, value, value)[0]);
    });
}

/// Given dLoss/dOutput in ws.gradient<Root>() (filled by the caller after forward), adds
/// dLoss/dParam into `gradients` and, when InputGradient, writes dLoss/dx into `dx`.
template <bool InputGradient, class Root, class T, std::size_t In, class Params, class Buffers>
void backward(workspace<T, Root>& ws, const_matrix_view<T, In> x, Params const& params, Buffers const& buffers,
              matrix_view<T, In> dx, Params& gradients) {
    detail::backward_context<T, Root, In, Params, Buffers, InputGradient> const ctx{
        {ws, x, params, buffers, {}}, dx, gradients};
    constexpr auto order = order_t<Root>{};
    detail::for_each_type(order, [&]<class N>(std::type_identity<N>) { detail::zero_if_shared<N>(ctx); });
    detail::for_each_type(detail::reverse(order), [&]<class N>(std::type_identity<N> node) {
        if constexpr (is_stored_v<Root, N> && needs_gradient_v<N, InputGradient>)
            detail::propagate(node, ctx, const_matrix_view<T, N::cols>(ws.template gradient<N>().view()));
    });
}

}  // namespace typegrad::nn::graph
