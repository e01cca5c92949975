#pragma once
// sequential<L...>: layers applied one after the other. The list is flat (a boost::hana::tuple of
// the layers' parameters, no nested recursion); shapes are checked between neighbours at compile
// time; each layer's graph has a workspace sized at the first call for the batch and reused.
//
//   using net_t = tg::nn::sequential<tg::nn::dense<784, 256>, tg::nn::relu, tg::nn::dense<256, 10>>;
//   net_t net;                                 // float parameters
//   tg::nn::rebind_t<net_t, double> net64;     // the same topology in double

#include <array>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include <typegrad/nn/buffers.hpp>
#include <typegrad/nn/graph/evaluate.hpp>
#include <typegrad/nn/graph/plan.hpp>
#include <typegrad/nn/graph/random.hpp>
#include <typegrad/nn/layer.hpp>
#include <typegrad/nn/parameters.hpp>
#include <typegrad/simd/batch.hpp>

namespace typegrad::nn {

namespace detail {

template <class L>
constexpr std::size_t declared_in() {
    if constexpr (fixed_width_layer<L>) return L::in_features;
    else return 0;
}
/// The number of columns leaving layer L when W enter it: its out_features, or, for a layer of
/// any width, the width of its graph (W for an activation, 1 for a row reduction).
template <class L, std::size_t W>
constexpr std::size_t width_after() {
    if constexpr (fixed_width_layer<L>)
        return L::out_features;
    else if constexpr (W > 0 && layer<L>)
        return graph_t<L, W>::cols;
    else
        return W;  // not a layer, or no width to give it: reported elsewhere
}

// The widths so far, extended by one layer at a time in a fold (no nested recursion).
template <std::size_t... W>
struct width_list {
    static constexpr std::array<std::size_t, sizeof...(W)> value{W...};
    template <class L>
    constexpr auto operator+(std::type_identity<L>) const noexcept {
        return width_list<W..., width_after<L, value.back()>()>{};
    }
};

/// widths[i] is the number of columns entering layer i; widths[n] leaves the last one.
template <class... L>
constexpr std::array<std::size_t, sizeof...(L) + 1> layer_widths() {
    using first = std::tuple_element_t<0, std::tuple<L...>>;
    return decltype((width_list<declared_in<first>()>{} + ... + std::type_identity<L>{}))::value;
}

// A mismatch is reported by instantiating this template, whose name spells out the numbers:
//   In instantiation of 'struct ...::layer_at_position<2>::expects_inputs<4>::
//                               but_layer_at_position<1>::produces_outputs<3>'
template <std::size_t Position>
struct layer_at_position {
    template <std::size_t Expects>
    struct expects_inputs {
        template <std::size_t Previous>
        struct but_layer_at_position {
            template <std::size_t Produces>
            struct produces_outputs {
                static_assert(Expects == Produces,
                              "typegrad::nn::sequential: a layer's in_features differ from the out_features "
                              "of the layer before it (positions and sizes are in the line above)");
            };
        };
    };
};

// The graph a layer at `Width` is built with. After a width or a layer has been reported wrong,
// a stand-in keeps the compiler from piling further errors on top of the one that explains it.
template <class L, std::size_t Width, mode M>
constexpr auto graph_or_stand_in() {
    if constexpr (!layer<L>)
        return graph::input<Width>{};
    else if constexpr (fixed_width_layer<L>)
        return graph_t<L, L::in_features, M>{};
    else
        return graph_t<L, Width, M>{};
}

// The workspaces of a layer: one per graph, or one shared when training and inference compute
// the same graph (every layer without a training_forward), so that such layers cost no more.
template <class T, class Training, class Inference>
struct layer_workspaces {
    graph::workspace<T, Training> training;
    graph::workspace<T, Inference> inference;
    template <mode M>
    auto& get() noexcept {
        if constexpr (M == mode::training)
            return training;
        else
            return inference;
    }
};
template <class T, class Graph>
struct layer_workspaces<T, Graph, Graph> {
    graph::workspace<T, Graph> shared;
    template <mode M>
    auto& get() noexcept {
        return shared;
    }
};

template <std::size_t I, class L, std::size_t Width>
constexpr bool check_layer() {
    static_assert(layer<L>,
                  "typegrad::nn::sequential<L...>: every L must be a layer (tg::nn::dense, an activation, "
                  "softmax, or a type with in_features, out_features and a forward graph expression)");
    if constexpr (layer<L>) {
        constexpr bool mismatch = [] {
            if constexpr (fixed_width_layer<L>)
                return I > 0 && L::in_features != Width;
            else
                return false;
        }();
        if constexpr (mismatch)
            (void)typename layer_at_position<I>::template expects_inputs<L::in_features>::template but_layer_at_position<
                I - 1>::template produces_outputs<Width>{};
        else
            static_assert(layer_checked_v<L, Width>);
    }
    return true;
}

}  // namespace detail

/// The parameters of a list of layers, in T: what a network owns, and what its gradients are.
template <scalar T, class... L>
class parameter_set {
public:
    using value_type = T;
    static constexpr std::size_t size = sizeof...(L);
    template <std::size_t I>
    using layer_type = std::tuple_element_t<I, std::tuple<L...>>;

    template <std::size_t I>
    auto& layer() noexcept {
        static_assert(I < sizeof...(L), "typegrad::nn: layer<I>(): I is past the last layer");
        return boost::hana::at_c<I>(layers_);
    }
    template <std::size_t I>
    auto const& layer() const noexcept {
        static_assert(I < sizeof...(L), "typegrad::nn: layer<I>(): I is past the last layer");
        return boost::hana::at_c<I>(layers_);
    }

    /// Calls f(layer_index, name, matrix) for every parameter, layer by layer.
    template <class F>
    void for_each_parameter(F&& f) {
        for_each_layer([&](std::size_t i, auto& values) { values.for_each([&](auto name, auto& m) { f(i, name, m); }); });
    }
    template <class F>
    void for_each_parameter(F&& f) const {
        for_each_layer([&](std::size_t i, auto const& values) {
            values.for_each([&](auto name, auto const& m) { f(i, name, m); });
        });
    }

    /// Calls f(layer_index, name, mine, theirs) for every parameter of this set and another set of
    /// the same layers (a network and its gradients, say).
    template <class U, class F>
    void for_each_parameter_pair(parameter_set<U, L...>& other, F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (layer<I>().for_each_pair(other.template layer<I>(),
                                      [&](auto name, auto& mine, auto& theirs) { f(I, name, mine, theirs); }),
             ...);
        }(std::index_sequence_for<L...>{});
    }

    void zero() noexcept {
        for_each_layer([](std::size_t, auto& values) { values.zero(); });
    }

    /// Every parameter converted from the same layers in another scalar type.
    template <class U>
    void assign(parameter_set<U, L...> const& other) {
        [&]<std::size_t... I>(std::index_sequence<I...>) { (layer<I>().assign(other.template layer<I>()), ...); }(
            std::index_sequence_for<L...>{});
    }

private:
    template <class F>
    void for_each_layer(F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) { (f(I, boost::hana::at_c<I>(layers_)), ...); }(
            std::index_sequence_for<L...>{});
    }
    template <class F>
    void for_each_layer(F&& f) const {
        [&]<std::size_t... I>(std::index_sequence<I...>) { (f(I, boost::hana::at_c<I>(layers_)), ...); }(
            std::index_sequence_for<L...>{});
    }

    boost::hana::tuple<parameter_values<parameters_t<L>, T>...> layers_;
};

/// Layers L... in order, with parameters in T.
template <scalar T, class... L>
class basic_sequential : public parameter_set<T, L...> {
    static_assert(sizeof...(L) > 0, "typegrad::nn::sequential<L...>: a network needs at least one layer");
    static_assert(detail::fixed_width_layer<std::tuple_element_t<0, std::tuple<L...>>>,
                  "typegrad::nn::sequential<L...>: the first layer must have a fixed in_features (such as "
                  "dense<In, Out>), so that the network's input width is known");

public:
    static constexpr auto widths = detail::layer_widths<L...>();
    static constexpr std::size_t in_features = widths.front();
    static constexpr std::size_t out_features = widths.back();

private:
    static_assert([]<std::size_t... I>(std::index_sequence<I...>) {
        return (detail::check_layer<I, L, widths[I]>() && ...);
    }(std::index_sequence_for<L...>{}));

public:
    template <std::size_t I>
    using layer_type = std::tuple_element_t<I, std::tuple<L...>>;
    /// The graph of layer I, as it reads its input: by default the one training computes.
    template <std::size_t I, mode M = mode::training>
    using graph_type = decltype(detail::graph_or_stand_in<layer_type<I>, widths[I], M>());
    template <std::size_t I, mode M = mode::training>
    using workspace_type = graph::workspace<T, graph_type<I, M>>;

    /// The forward/backward state of every layer (outputs kept for the backward). Mutable
    /// scratch: a network is not to be trained from two threads at once.
    template <std::size_t I, mode M = mode::training>
    workspace_type<I, M>& workspace() const noexcept {
        return std::get<I>(workspaces_).template get<M>();
    }

    /// Layer I's buffers (running statistics): buffers<I>().get<"running_mean">()(0, c).
    template <std::size_t I>
    auto& buffers() noexcept {
        return boost::hana::at_c<I>(buffers_);
    }
    template <std::size_t I>
    auto const& buffers() const noexcept {
        return boost::hana::at_c<I>(buffers_);
    }

    /// Calls f(layer_index, name, storage) for every buffer, layer by layer (storage: a one-row
    /// matrix, or a std::int64_t counter).
    template <class F>
    void for_each_buffer(F&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (buffers<I>().for_each([&](auto name, auto& b) { f(I, name, b); }), ...);
        }(std::index_sequence_for<L...>{});
    }
    template <class F>
    void for_each_buffer(F&& f) const {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (buffers<I>().for_each([&](auto name, auto const& b) { f(I, name, b); }), ...);
        }(std::index_sequence_for<L...>{});
    }

    /// Every buffer back at its initial value (tg::init::initialize does this).
    void reset_buffers() noexcept {
        [&]<std::size_t... I>(std::index_sequence<I...>) { (buffers<I>().reset(), ...); }(std::index_sequence_for<L...>{});
    }

    /// Where dropout masks come from: a seed (set by tg::init::initialize, or here) and the
    /// training step, which each training pass (backprop, forward_train) advances by one before
    /// it draws. The same seed and step give the same masks.
    void reseed(std::uint64_t seed, std::uint64_t step = 0) noexcept {
        seed_ = seed;
        step_ = step;
    }
    std::uint64_t seed() const noexcept { return seed_; }
    std::uint64_t step() const noexcept { return step_; }
    /// The random stream of layer I at the current step.
    graph::random_stream random_stream(std::size_t layer) const noexcept { return {seed_, step_, layer}; }

    using parameter_set<T, L...>::assign;
    /// Everything converted from the same network in another scalar type: parameters, buffers,
    /// seed and step (so that both draw the same dropout masks).
    template <class U>
    void assign(basic_sequential<U, L...> const& other) {
        parameter_set<T, L...>::assign(other);
        [&]<std::size_t... I>(std::index_sequence<I...>) { (buffers<I>().assign(other.template buffers<I>()), ...); }(
            std::index_sequence_for<L...>{});
        reseed(other.seed(), other.step());
    }

private:
    template <std::size_t... I>
    static auto make_workspaces(std::index_sequence<I...>)
        -> std::tuple<detail::layer_workspaces<T, graph_type<I, mode::training>, graph_type<I, mode::inference>>...>;
    mutable decltype(make_workspaces(std::index_sequence_for<L...>{})) workspaces_;
    boost::hana::tuple<buffer_values<buffers_t<L>, T>...> buffers_;
    std::uint64_t seed_ = 0;
    std::uint64_t step_ = 0;
};

template <class... L>
using sequential = basic_sequential<float, L...>;

/// Calls f(a_matrix, b_matrix, ...) for every parameter of several sets over the same layers (a
/// network, its gradients, an optimiser's state; any of them const), layer by layer, in
/// declaration order.
namespace detail {
template <std::size_t I, class P, class F, class First, class... Rest>
void zip_parameter(F& f, First& first, Rest&... rest) {
    f(first.template layer<I>().template get<P>(), rest.template layer<I>().template get<P>()...);
}
template <std::size_t I, class F, class... Ps, class First, class... Rest>
void zip_layer(parameter_list<Ps...>, F& f, First& first, Rest&... rest) {
    (zip_parameter<I, Ps>(f, first, rest...), ...);
}
template <class F, std::size_t... I, class First, class... Rest>
void zip_layers(std::index_sequence<I...>, F& f, First& first, Rest&... rest) {
    using set = std::remove_const_t<First>;
    (zip_layer<I>(parameters_t<typename set::template layer_type<I>>{}, f, first, rest...), ...);
}
}  // namespace detail

template <class F, class First, class... Rest>
void zip_parameters(F&& f, First& first, Rest&... rest) {
    detail::zip_layers(std::make_index_sequence<std::remove_const_t<First>::size>{}, f, first, rest...);
}

namespace detail {
template <class Net, class U>
struct rebind;
template <class T, class... L, class U>
struct rebind<basic_sequential<T, L...>, U> {
    using type = basic_sequential<U, L...>;
};
template <class T, class... L, class U>
struct rebind<parameter_set<T, L...>, U> {
    using type = parameter_set<U, L...>;
};
}  // namespace detail

/// The same topology with parameters in U (double for gradient checks).
template <class Net, scalar U>
using rebind_t = typename detail::rebind<Net, U>::type;

}  // namespace typegrad::nn
