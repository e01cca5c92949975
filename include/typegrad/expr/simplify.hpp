#pragma once
// Simplification at construction. Every node is built through make<Op>(children...), which
// returns the simplest expression it knows to be equal: constants fold, zeros and ones
// vanish, negations cancel. Derivatives of derivatives stay small and readable because of it.
//
// The rules are identities of real arithmetic; a few of them (0 * e -> 0, e - e -> 0) ignore
// what IEEE arithmetic does with infinities and NaN, as every computer algebra system does.

#include <limits>
#include <type_traits>

#include <typegrad/expr/node.hpp>
#include <typegrad/expr/ops.hpp>

namespace typegrad::detail {

template <class E> inline constexpr bool is_zero_v = std::is_same_v<E, zero_t>;
template <class E> inline constexpr bool is_one_v = std::is_same_v<E, one_t>;
template <class E> inline constexpr bool is_minus_one_v = std::is_same_v<E, constant<-1.0>>;
template <class E> inline constexpr bool is_number_v = is_constant_v<E> || is_literal_v<E>;

template <class E, class Op> inline constexpr bool is_node_of_v = false;
template <class Op, class A> inline constexpr bool is_node_of_v<unary<Op, A>, Op> = true;
template <class Op, class L, class R> inline constexpr bool is_node_of_v<binary<Op, L, R>, Op> = true;

template <class E> inline constexpr bool is_negation_v = is_node_of_v<E, ops::neg>;

// number * e
template <class E> inline constexpr bool is_scaled_v = false;
template <class L, class R> inline constexpr bool is_scaled_v<binary<ops::mul, L, R>> = is_number_v<L>;

constexpr bool is_finite(double v) noexcept {
    return v == v && v != std::numeric_limits<double>::infinity() &&
           v != -std::numeric_limits<double>::infinity();
}

constexpr double number_value(literal l) noexcept { return l.value; }
template <double V>
constexpr double number_value(constant<V>) noexcept { return V; }

template <class Op, class... Es>
constexpr auto node(Es... es) noexcept {
    if constexpr (sizeof...(Es) == 1)
        return unary<Op, Es...>(es...);
    else
        return binary<Op, Es...>(es...);
}

template <class Op, class... Es>
constexpr auto make(Es... es) noexcept;

// ---- per-op rules; the fallback builds the node as written -------------------------------

template <class Op, class... Es>
constexpr auto rewrite(Op, Es... es) noexcept {
    return node<Op>(es...);
}

template <class A>
constexpr auto rewrite(ops::neg, A a) noexcept {
    if constexpr (is_negation_v<A>)
        return a.arg();  // -(-e) -> e
    else if constexpr (is_node_of_v<A, ops::sub>)
        return make<ops::sub>(a.rhs(), a.lhs());  // -(l - r) -> r - l
    else
        return node<ops::neg>(a);
}

template <class L, class R>
constexpr auto rewrite(ops::add, L l, R r) noexcept {
    if constexpr (is_zero_v<L>)
        return r;
    else if constexpr (is_zero_v<R>)
        return l;
    else if constexpr (is_negation_v<R>)
        return make<ops::sub>(l, r.arg());  // l + (-e) -> l - e
    else if constexpr (is_negation_v<L>)
        return make<ops::sub>(r, l.arg());  // (-e) + r -> r - e
    else
        return node<ops::add>(l, r);
}

template <class L, class R>
constexpr auto rewrite(ops::sub, L l, R r) noexcept {
    if constexpr (is_zero_v<R>)
        return l;
    else if constexpr (is_zero_v<L>)
        return make<ops::neg>(r);
    else if constexpr (std::is_same_v<L, R> && std::is_empty_v<L>)
        return zero_t{};  // e - e -> 0 (only when e carries no runtime value)
    else if constexpr (is_negation_v<R>)
        return make<ops::add>(l, r.arg());  // l - (-e) -> l + e
    else
        return node<ops::sub>(l, r);
}

template <class L, class R>
constexpr auto rewrite(ops::mul, L l, R r) noexcept {
    if constexpr (is_zero_v<L> || is_zero_v<R>)
        return zero_t{};
    else if constexpr (is_one_v<L>)
        return r;
    else if constexpr (is_one_v<R>)
        return l;
    else if constexpr (is_number_v<R> && !is_number_v<L>)
        return make<ops::mul>(r, l);  // numbers go left, where they meet and fold
    else if constexpr (is_minus_one_v<L>)
        return make<ops::neg>(r);
    else if constexpr (is_negation_v<L>)
        return make<ops::neg>(make<ops::mul>(l.arg(), r));  // negations move out to cancel
    else if constexpr (is_negation_v<R>)
        return make<ops::neg>(make<ops::mul>(l, r.arg()));
    else if constexpr (is_number_v<L> && is_scaled_v<R>)
        return make<ops::mul>(make<ops::mul>(l, r.lhs()), r.rhs());  // a * (b * e) -> (ab) * e
    else
        return node<ops::mul>(l, r);
}

template <class L, class R>
constexpr auto rewrite(ops::div, L l, R r) noexcept {
    if constexpr (is_zero_v<L>)
        return zero_t{};
    else if constexpr (is_one_v<R>)
        return l;
    else if constexpr (is_minus_one_v<R>)
        return make<ops::neg>(l);
    else if constexpr (is_negation_v<L>)
        return make<ops::neg>(make<ops::div>(l.arg(), r));
    else
        return node<ops::div>(l, r);
}

template <class A>
constexpr auto rewrite(ops::step, A a) noexcept {
    if constexpr (is_node_of_v<A, ops::relu>)
        return make<ops::step>(a.arg());  // step(relu(e)) -> step(e): relu(e) > 0 exactly when e > 0
    else
        return node<ops::step>(a);
}

template <int N, class A>
constexpr auto rewrite(ops::pow<N>, A a) noexcept {
    if constexpr (N == 0)
        return one_t{};
    else if constexpr (N == 1)
        return a;
    else if constexpr (is_node_of_v<A, ops::neg> && N % 2 == 0)
        return make<ops::pow<N>>(a.arg());  // (-e)^2k -> e^2k
    else
        return node<ops::pow<N>>(a);
}

// ---- the builder -------------------------------------------------------------------------

template <class Op, class... Es>
constexpr auto make(Es... es) noexcept {
    if constexpr ((is_constant_v<Es> && ...)) {
        // Folding happens in the type: the result is constant<value>, unless the value is
        // not finite (log(0)), which is kept as a node so that it stays visible.
        constexpr double folded = Op::apply(Es::value...);
        if constexpr (folded == 0.0)
            return zero_t{};  // -0.0 too: one zero keeps the rules simple
        else if constexpr (is_finite(folded))
            return constant<folded>{};
        else
            return node<Op>(es...);
    } else if constexpr ((is_number_v<Es> && ...)) {
        return literal{Op::apply(number_value(es)...)};
    } else {
        return rewrite(Op{}, es...);
    }
}

}  // namespace typegrad::detail
