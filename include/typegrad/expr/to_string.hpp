#pragma once
// to_string(e): infix text of an expression, with only the parentheses the tree needs
// ("cos(x0) * x1 + exp(x0)"). Variables print as x0, x1, ...; numbers in their shortest form
// that reads back to the same double.

#include <charconv>
#include <cstddef>
#include <string>

#include <typegrad/expr/node.hpp>
#include <typegrad/expr/ops.hpp>

namespace typegrad {

namespace detail {

// Binding strength of what was printed: a child binding more loosely than its parent needs
// parentheses.
enum class binding : int { sum = 1, product = 2, prefix = 3, power = 4, atom = 5 };

struct printed {
    std::string text;
    binding strength;

    std::string wrapped_if(bool needed) const { return needed ? "(" + text + ")" : text; }
    bool looser_than(binding b) const { return strength < b; }
};

inline printed print_number(double v) {
    char buffer[32];
    auto const end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
    return {std::string(buffer, end), v < 0 ? binding::prefix : binding::atom};
}

template <std::size_t I>
printed print(var<I>) {
    return {"x" + std::to_string(I), binding::atom};
}

template <double V>
printed print(constant<V>) {
    return print_number(V);
}

inline printed print(literal l) { return print_number(l.value); }

template <class Op, class A>
printed print(unary<Op, A> e) {
    printed const arg = print(e.arg());
    if constexpr (std::is_same_v<Op, ops::neg>) {
        return {"-" + arg.wrapped_if(arg.looser_than(binding::power)), binding::prefix};
    } else if constexpr (requires { Op::exponent; }) {
        std::string const n = std::to_string(Op::exponent);
        return {arg.wrapped_if(arg.looser_than(binding::atom)) + "^" + (Op::exponent < 0 ? "(" + n + ")" : n),
                binding::power};
    } else {
        return {std::string(Op::name) + "(" + arg.text + ")", binding::atom};
    }
}

template <class Op, class L, class R>
printed print(binary<Op, L, R> e) {
    printed const lhs = print(e.lhs());
    printed const rhs = print(e.rhs());
    if constexpr (ops::infix_op<Op>) {
        auto const self = static_cast<binding>(Op::precedence);
        // The right operand is wrapped at equal strength too, so that the text keeps the
        // tree's grouping (x0 - (x1 - x2)), and when negated, so that no "x0 * -x1" appears.
        bool const wrap_rhs = rhs.strength <= self || rhs.strength == binding::prefix;
        return {lhs.wrapped_if(lhs.looser_than(self)) + " " + std::string(Op::name) + " " +
                    rhs.wrapped_if(wrap_rhs),
                self};
    } else {
        return {std::string(Op::name) + "(" + lhs.text + ", " + rhs.text + ")", binding::atom};
    }
}

}  // namespace detail

/// Readable, stable infix text of an expression.
template <expression E>
std::string to_string(E e) {
    return detail::print(e).text;
}

}  // namespace typegrad
