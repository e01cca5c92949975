#pragma once
// A compile-time list of types and the few operations the graph planner needs, written as
// constexpr functions over values so that they read as ordinary code.

#include <cstddef>
#include <type_traits>

namespace typegrad::nn::graph::detail {

template <class... Ts>
struct type_list {
    static constexpr std::size_t size = sizeof...(Ts);
};

template <class T, class... Ts>
constexpr bool contains(type_list<Ts...>) noexcept {
    return (std::is_same_v<T, Ts> || ...);
}

/// Position of T in the list (the list's size when absent).
template <class T, class... Ts>
constexpr std::size_t index_of(type_list<Ts...>) noexcept {
    std::size_t index = 0;
    bool found = false;
    ((found = found || std::is_same_v<T, Ts>, index += found ? 0 : 1), ...);
    return index;
}

/// The list with T appended, unless it is already there.
template <class T, class... Ts>
constexpr auto append_unique(type_list<Ts...> list) noexcept {
    if constexpr (contains<T>(list))
        return list;
    else
        return type_list<Ts..., T>{};
}

template <class... Ts, class... Us>
constexpr auto concat(type_list<Ts...>, type_list<Us...>) noexcept {
    return type_list<Ts..., Us...>{};
}

/// Concatenation, so that a fold can build a list: (type_list<>{} + ... + pieces).
template <class... Ts, class... Us>
constexpr auto operator+(type_list<Ts...> a, type_list<Us...> b) noexcept {
    return concat(a, b);
}

template <class... Ts>
constexpr auto reverse(type_list<Ts...>) noexcept {
    if constexpr (sizeof...(Ts) == 0) {
        return type_list<>{};
    } else {
        return []<class Head, class... Tail>(type_list<Head, Tail...>) {
            return concat(reverse(type_list<Tail...>{}), type_list<Head>{});
        }(type_list<Ts...>{});
    }
}

/// Calls f(std::type_identity<T>{}) for every T, in order.
template <class... Ts, class F>
constexpr void for_each_type(type_list<Ts...>, F&& f) {
    (f(std::type_identity<Ts>{}), ...);
}

}  // namespace typegrad::nn::graph::detail
