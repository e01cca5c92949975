#pragma once
// The loop every optimiser runs: one elementwise update over each parameter, its gradient and the
// optimiser's state for it, on xsimd batches with a scalar tail. An optimiser is its update rule,
// written once as a generic lambda over batches and scalars. Large parameters are split over the
// threads of tg::set_num_threads; the rule is then called concurrently on disjoint ranges.

#include <cstddef>
#include <type_traits>

#include <typegrad/nn/sequential.hpp>
#include <typegrad/parallel/threads.hpp>
#include <typegrad/simd/transform.hpp>

namespace typegrad::optim {

namespace detail {

/// For every parameter: rule(value&, gradient, state&...) at every element, where the arguments
/// are batches (or scalars in the tail) and the rule assigns the new value and state.
template <class Rule, class Net, class Grads, class... States>
void update(Rule&& rule, Net& net, Grads const& grads, States&... states) {
    nn::zip_parameters(
        [&](auto& value, auto& gradient, auto&... state) {
            using T = typename std::remove_cvref_t<decltype(value)>::value_type;
            parallel::split_elements(value.size(), [&](std::size_t begin, std::size_t end) {
                T* const v = value.data() + begin;
                T const* const gr = gradient.data() + begin;
                simd::for_each_block<T>(end - begin, [&]<class V>(std::size_t i, std::type_identity<V>) {
                    V theta = simd::load_as<V>(v + i);
                    V const g = simd::load_as<V>(gr + i);
                    auto loaded = std::tuple{simd::load_as<V>(state.data() + begin + i)...};
                    std::apply([&](auto&... s) { rule(theta, g, s...); }, loaded);
                    simd::store_to(v + i, theta);
                    std::apply([&](auto const&... s) { (simd::store_to(state.data() + begin + i, s), ...); }, loaded);
                });
            });
        },
        net, grads, states...);
}

}  // namespace detail

}  // namespace typegrad::optim
