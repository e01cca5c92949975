#pragma once
// substitute(e, r0, r1, ...): e with every tg::var<I> replaced by the expression rI, simplified as
// it is rebuilt. It composes scalar functions: substitute(f, g) is f(g(x)). The tensor graph uses
// it to fuse chains of elementwise operations into one expression, evaluated in one pass.

#include <cstddef>
#include <tuple>

#include <typegrad/expr/node.hpp>
#include <typegrad/expr/simplify.hpp>

namespace typegrad {

template <expression E, expression... Rs>
constexpr auto substitute(E e, Rs... replacements) noexcept {
    static_assert(arity_v<E> <= sizeof...(Rs),
                  "typegrad::substitute(e, r...): pass one replacement for every variable of e");
    if constexpr (is_var_v<E>)
        return std::get<E::index>(std::tuple<Rs...>(replacements...));
    else if constexpr (is_unary_v<E>)
        return detail::make<typename E::op>(substitute(e.arg(), replacements...));
    else if constexpr (is_binary_v<E>)
        return detail::make<typename E::op>(substitute(e.lhs(), replacements...),
                                            substitute(e.rhs(), replacements...));
    else
        return e;
}

}  // namespace typegrad
