#pragma once
// A layer's parameters: declared as a list of graph::param types, stored as one matrix each.
// The same storage holds a layer's gradients (tg::nn::gradients_like), so both are reached the
// same way: by parameter type, by name, or, for the conventional names, as weight(o, i) and
// bias(o) in PyTorch's layout.

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <typegrad/nn/detail/named_values.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/type_list.hpp>
#include <typegrad/nn/name.hpp>
#include <typegrad/parallel/threads.hpp>
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

}  // namespace detail

/// The parameter_list of a layer (empty for layers without parameters).
template <class L>
using parameters_t = typename detail::parameters_of_layer<L>::type;

template <class List, class T>
class parameter_values;

/// The values (or gradients) of one layer's parameters, in T; allocated once, at construction.
/// get<P>(), get<"name">(), for_each(f(name, matrix)) and assign(other) come from named_values.
template <class... Ps, class T>
class parameter_values<parameter_list<Ps...>, T>
    : public detail::named_values<std::tuple<matrix<T, Ps::cols>...>, Ps...> {
    using base = detail::named_values<std::tuple<matrix<T, Ps::cols>...>, Ps...>;

public:
    using value_type = T;
    using list = parameter_list<Ps...>;

    parameter_values() : base(std::in_place, matrix<T, Ps::cols>(Ps::rows)...) {}

    /// weight(o, i): output o, input i (PyTorch's Out x In layout), for layers with a "weight".
    T& weight(std::size_t o, std::size_t i) noexcept
        requires(detail::index_by_name<"weight", Ps...>() < sizeof...(Ps))
    {
        return this->template get<"weight">()(o, i);
    }
    T weight(std::size_t o, std::size_t i) const noexcept
        requires(detail::index_by_name<"weight", Ps...>() < sizeof...(Ps))
    {
        return this->template get<"weight">()(o, i);
    }
    /// bias(o), for layers with a "bias".
    T& bias(std::size_t o) noexcept
        requires(detail::index_by_name<"bias", Ps...>() < sizeof...(Ps))
    {
        return this->template get<"bias">()(0, o);
    }
    T bias(std::size_t o) const noexcept
        requires(detail::index_by_name<"bias", Ps...>() < sizeof...(Ps))
    {
        return this->template get<"bias">()(0, o);
    }

    /// Calls f(name, mine, theirs) for every parameter of this and another storage of the same
    /// parameters (values and their gradients, say).
    template <class U, class F>
    void for_each_pair(parameter_values<list, U>& other, F&& f) {
        (f(Ps::label.view(), this->template get<Ps>(), other.template get<Ps>()), ...);
    }

    /// Sets every value to zero; a large parameter on all of tg::num_threads() threads (a training
    /// step zeroes every gradient, a pass over memory as large as the network).
    void zero() noexcept {
        this->for_each([](auto, auto& m) {
            parallel::split_elements(m.size(), [&](std::size_t begin, std::size_t end) {
                std::fill(m.data() + begin, m.data() + end, T(0));
            });
        });
    }
};

}  // namespace typegrad::nn
