#pragma once
// name: a string usable as a template argument, so that a parameter's name is part of its type
// ("weight", "W1") and can appear in checkpoints and in compile-time error messages.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace typegrad::nn {

template <std::size_t N>
struct name {
    char text[N]{};

    constexpr name(char const (&s)[N]) noexcept { std::copy_n(s, N, text); }
    constexpr std::string_view view() const noexcept { return {text, N - 1}; }
    template <std::size_t M>
    constexpr bool operator==(name<M> const& other) const noexcept {
        return view() == other.view();
    }
};

}  // namespace typegrad::nn
