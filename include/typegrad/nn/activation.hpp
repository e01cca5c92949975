#pragma once
// activation<Expr>: a scalar expression in tg::var<0> applied at every element, of any width.
// Its backward is the expression's derivative, derived by expr/; a user's activation is written
// the same way (activation<decltype(x * tg::sigmoid(x))> is swish) and is vectorised and
// differentiated like the built-in ones.

#include <cstddef>
#include <type_traits>

#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/node.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/graph/node.hpp>

namespace typegrad::nn {

template <class Expr>
struct activation {
    static_assert(expression<Expr> && arity_v<Expr> <= 1,
                  "typegrad::nn::activation<Expr>: Expr must be a scalar expression in tg::var<0> only");
    static_assert(std::is_empty_v<Expr>,
                  "typegrad::nn::activation<Expr>: Expr must be known from its type; write constants as "
                  "tg::constant<V> rather than plain numbers");
    static constexpr bool any_width = true;

    template <std::size_t W>
    static constexpr auto forward(graph::input<W> x) noexcept {
        return graph::map(Expr{}, x);
    }
};

namespace detail {
inline constexpr var<0> z{};
}  // namespace detail

using identity = activation<var<0>>;
using relu = activation<decltype(typegrad::relu(detail::z))>;
using sigmoid = activation<decltype(typegrad::sigmoid(detail::z))>;
using tanh = activation<decltype(typegrad::tanh(detail::z))>;
/// max(x, Alpha x): for 0 <= Alpha < 1, x where x > 0 and Alpha x elsewhere.
template <double Alpha = 0.01>
using leaky_relu = activation<decltype(typegrad::max(detail::z, constant<Alpha>{} * detail::z))>;

}  // namespace typegrad::nn
