#pragma once
// Arithmetic operators on expressions. Either side may be a plain number (`2.0 * x`), which
// becomes a `literal`; at least one side must be an expression, so these operators never
// take part in ordinary arithmetic.

#include <typegrad/expr/node.hpp>
#include <typegrad/expr/ops.hpp>
#include <typegrad/expr/simplify.hpp>

namespace typegrad {

template <expression A>
constexpr auto operator-(A a) noexcept {
    return detail::make<ops::neg>(a);
}

template <expression_operand L, expression_operand R>
    requires(expression<L> || expression<R>)
constexpr auto operator+(L l, R r) noexcept {
    return detail::make<ops::add>(as_expression(l), as_expression(r));
}

template <expression_operand L, expression_operand R>
    requires(expression<L> || expression<R>)
constexpr auto operator-(L l, R r) noexcept {
    return detail::make<ops::sub>(as_expression(l), as_expression(r));
}

template <expression_operand L, expression_operand R>
    requires(expression<L> || expression<R>)
constexpr auto operator*(L l, R r) noexcept {
    return detail::make<ops::mul>(as_expression(l), as_expression(r));
}

template <expression_operand L, expression_operand R>
    requires(expression<L> || expression<R>)
constexpr auto operator/(L l, R r) noexcept {
    return detail::make<ops::div>(as_expression(l), as_expression(r));
}

}  // namespace typegrad
