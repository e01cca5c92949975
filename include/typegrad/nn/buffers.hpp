#pragma once
// A layer's buffers: state it keeps and updates but does not learn, such as batch_norm's running
// statistics. A layer declares them as `using buffers = tg::nn::buffer_list<...>;` of
// graph::buffer rows (which its graphs read like parameters) and counters. Buffers have no
// gradients and optimisers never see them; checkpoints save them after the layer's parameters,
// under PyTorch's names ("1.running_mean", "1.num_batches_tracked").

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

#include <typegrad/nn/detail/named_values.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/graph/type_list.hpp>
#include <typegrad/nn/name.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::nn {

/// A count a layer keeps beside its buffers (PyTorch's num_batches_tracked): a 64-bit integer,
/// starting at 0, saved as a scalar I64 tensor.
template <name Name>
struct counter {
    static constexpr auto label = Name;
};

template <class T> inline constexpr bool is_counter_v = false;
template <name N> inline constexpr bool is_counter_v<counter<N>> = true;

/// The buffers a layer declares, in the order they are stored and saved.
template <class... Bs>
struct buffer_list {
    static_assert(((graph::is_buffer_v<Bs> || is_counter_v<Bs>) && ...),
                  "typegrad::nn::buffer_list<B...>: every B must be a tg::nn::graph::buffer<Name, Cols, Initial> "
                  "or a tg::nn::counter<Name>");
    using types = graph::detail::type_list<Bs...>;
    static constexpr std::size_t size = sizeof...(Bs);
};

namespace detail {

template <class L>
struct buffers_of_layer {
    using type = buffer_list<>;
};
template <class L>
    requires requires { typename L::buffers; }
struct buffers_of_layer<L> {
    using type = typename L::buffers;
};

template <class B, class T>
struct buffer_storage {
    using type = std::int64_t;  // a counter
};
template <name N, std::size_t C, double V, class T>
struct buffer_storage<graph::buffer<N, C, V>, T> {
    using type = matrix<T, C>;
};

}  // namespace detail

/// The buffer_list of a layer (empty for layers without buffers).
template <class L>
using buffers_t = typename detail::buffers_of_layer<L>::type;

template <class List, class T>
class buffer_values;

/// The buffers of one layer, in T: a one-row matrix per graph::buffer, an integer per counter,
/// constructed at their initial values. get<B>(), get<"name">(), for_each(f(name, storage)) and
/// assign(other) come from named_values.
template <class... Bs, class T>
class buffer_values<buffer_list<Bs...>, T>
    : public detail::named_values<std::tuple<typename detail::buffer_storage<Bs, T>::type...>, Bs...> {
    using base = detail::named_values<std::tuple<typename detail::buffer_storage<Bs, T>::type...>, Bs...>;

public:
    using value_type = T;
    using list = buffer_list<Bs...>;

    buffer_values() : base(std::in_place, initial<Bs>()...) {}

    /// Every buffer back at its initial value, every counter at 0.
    void reset() noexcept {
        (
            [this] {
                if constexpr (is_counter_v<Bs>)
                    this->template get<Bs>() = 0;
                else
                    this->template get<Bs>().fill(static_cast<T>(Bs::initial));
            }(),
            ...);
    }

private:
    template <class B>
    static auto initial() {
        if constexpr (is_counter_v<B>) {
            return std::int64_t{0};
        } else {
            matrix<T, B::cols> m(1);
            m.fill(static_cast<T>(B::initial));
            return m;
        }
    }
};

}  // namespace typegrad::nn
