#pragma once
// Values stored one per declared item (a parameter, a buffer), where each item is a type with a
// compile-time `label`: reached by the item's type or by its name, visited in declaration order,
// converted from another scalar type. What parameter_values and buffer_values share.

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

#include <typegrad/nn/graph/type_list.hpp>
#include <typegrad/nn/name.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::nn::detail {

/// The position of the item called Name among Items (their number when there is none).
template <name Name, class... Items>
constexpr std::size_t index_by_name() {
    std::size_t index = 0;
    bool found = false;
    ((found = found || Items::label == Name, index += found ? 0 : 1), ...);
    return index;
}

template <class Tuple, class... Items>
class named_values {
    using items = graph::detail::type_list<Items...>;

public:
    template <class Item>
    auto& get() noexcept {
        static_assert(graph::detail::contains<Item>(items{}), "typegrad::nn: this layer declares no such parameter or buffer");
        return std::get<graph::detail::index_of<Item>(items{})>(values_);
    }
    template <class Item>
    auto const& get() const noexcept {
        return const_cast<named_values&>(*this).template get<Item>();
    }

    /// The item called `Name`.
    template <name Name>
    auto& get() noexcept {
        constexpr std::size_t index = index_by_name<Name, Items...>();
        static_assert(index < sizeof...(Items), "typegrad::nn: this layer declares no parameter or buffer of that name");
        return std::get<index>(values_);
    }
    template <name Name>
    auto const& get() const noexcept {
        return const_cast<named_values&>(*this).template get<Name>();
    }

    /// Calls f(name, value) for every item, in declaration order.
    template <class F>
    void for_each(F&& f) {
        std::apply([&](auto&... v) { (f(Items::label.view(), v), ...); }, values_);
    }
    template <class F>
    void for_each(F&& f) const {
        std::apply([&](auto const&... v) { (f(Items::label.view(), v), ...); }, values_);
    }

    /// Every value converted from the same items in another scalar type.
    template <class OtherTuple>
    void assign(named_values<OtherTuple, Items...> const& other) {
        (convert(other.template get<Items>(), get<Items>()), ...);
    }

protected:
    named_values() = default;
    template <class... Init>
    explicit named_values(std::in_place_t, Init&&... init) : values_(std::forward<Init>(init)...) {}

private:
    template <class U, class T, std::size_t C>
    static void convert(matrix<U, C> const& from, matrix<T, C>& to) noexcept {
        for (std::size_t i = 0; i < from.size(); ++i) to.data()[i] = static_cast<T>(from.data()[i]);
    }
    static void convert(std::int64_t from, std::int64_t& to) noexcept { to = from; }

    Tuple values_;
};

}  // namespace typegrad::nn::detail
