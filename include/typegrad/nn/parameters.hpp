#pragma once
// A layer's parameters: declared as a list of graph::param types, stored as one matrix each.
// The same storage holds a layer's gradients (tg::nn::gradients_like), so both are reached the
// same way: by parameter type, by name, or, for the conventional names, as weight(o, i) and
// bias(o) in PyTorch's layout.

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/type_list.hpp>
#include <typegrad/nn/name.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::nn {

/// The parameters a layer declares, in the order they are stored and saved.
template <class... Ps>
struct parameter_list {
    static_assert((graph::is_param_v<Ps> && ...),
                  "typegrad::nn::parameter_list<P...>: every P must be a tg::nn::graph::param<Name, Rows, Cols>");
    using types = graph::detail::type_list<Ps...>;
    static constexpr std::size_t size = sizeof...(Ps);
};

namespace detail {

template <class L>
struct parameters_of_layer {
    using type = parameter_list<>;
};
template <class L>
    requires requires { typename L::parameters; }
struct parameters_of_layer<L> {
    using type = typename L::parameters;
};

template <name Name, class... Ps>
constexpr std::size_t index_by_name() {
    std::size_t index = 0;
    bool found = false;
    ((found = found || Ps::label == Name, index += found ? 0 : 1), ...);
    return index;
}

}  // namespace detail

/// The parameter_list of a layer (empty for layers without parameters).
template <class L>
using parameters_t = typename detail::parameters_of_layer<L>::type;

template <class List, class T>
class parameter_values;

/// The values (or gradients) of one layer's parameters, in T; allocated once, at construction.
template <class... Ps, class T>
class parameter_values<parameter_list<Ps...>, T> {
public:
    using value_type = T;
    using list = parameter_list<Ps...>;

    parameter_values() : values_(matrix<T, Ps::cols>(Ps::rows)...) {}

    template <class P>
    matrix<T, P::cols>& get() noexcept {
        static_assert(graph::detail::contains<P>(typename list::types{}),
                      "typegrad::nn: this layer has no such parameter");
        return std::get<graph::detail::index_of<P>(typename list::types{})>(values_);
    }
    template <class P>
    matrix<T, P::cols> const& get() const noexcept {
        return const_cast<parameter_values&>(*this).template get<P>();
    }

    /// The parameter called `Name`.
    template <name Name>
    auto& get() noexcept {
        constexpr std::size_t index = detail::index_by_name<Name, Ps...>();
        static_assert(index < sizeof...(Ps), "typegrad::nn: this layer has no parameter of that name");
        return std::get<index>(values_);
    }
    template <name Name>
    auto const& get() const noexcept {
        return const_cast<parameter_values&>(*this).template get<Name>();
    }

    /// weight(o, i): output o, input i (PyTorch's Out x In layout), for layers with a "weight".
    T& weight(std::size_t o, std::size_t i) noexcept
        requires(detail::index_by_name<"weight", Ps...>() < sizeof...(Ps))
    {
        return get<"weight">()(o, i);
    }
    T weight(std::size_t o, std::size_t i) const noexcept
        requires(detail::index_by_name<"weight", Ps...>() < sizeof...(Ps))
    {
        return get<"weight">()(o, i);
    }
    /// bias(o), for layers with a "bias".
    T& bias(std::size_t o) noexcept
        requires(detail::index_by_name<"bias", Ps...>() < sizeof...(Ps))
    {
        return get<"bias">()(0, o);
    }
    T bias(std::size_t o) const noexcept
        requires(detail::index_by_name<"bias", Ps...>() < sizeof...(Ps))
    {
        return get<"bias">()(0, o);
    }

    /// Calls f(name, matrix) for every parameter, in declaration order.
    template <class F>
    void for_each(F&& f) {
        std::apply([&](auto&... m) { (f(Ps::label.view(), m), ...); }, values_);
    }
    template <class F>
    void for_each(F&& f) const {
        std::apply([&](auto const&... m) { (f(Ps::label.view(), m), ...); }, values_);
    }

    /// Calls f(name, mine, theirs) for every parameter of this and another storage of the same
    /// parameters (values and their gradients, say).
    template <class U, class F>
    void for_each_pair(parameter_values<list, U>& other, F&& f) {
        (f(Ps::label.view(), get<Ps>(), other.template get<Ps>()), ...);
    }

    void zero() noexcept {
        std::apply([](auto&... m) { (m.fill(T(0)), ...); }, values_);
    }

    /// Every value converted from the same parameters in another scalar type.
    template <class U>
    void assign(parameter_values<list, U> const& other) {
        (convert(other.template get<Ps>(), get<Ps>()), ...);
    }

private:
    template <class U, std::size_t C>
    static void convert(matrix<U, C> const& from, matrix<T, C>& to) noexcept {
        for (std::size_t i = 0; i < from.size(); ++i) to.data()[i] = static_cast<T>(from.data()[i]);
    }

    std::tuple<matrix<T, Ps::cols>...> values_;
};

}  // namespace typegrad::nn
