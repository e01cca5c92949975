#pragma once
// Initialisers. tg::init::initialize(net, scheme, seed) draws every weight (a parameter the layer
// multiplies by; fan_in = its columns, fan_out = its rows) from the scheme and sets every bias (a
// one-row parameter it adds) to zero; a parameter whose layer declares initial_value<P>() (such
// as batch_norm's scale, 1) gets that value. It also resets every buffer (running statistics)
// and seeds the network's dropout masks with `seed`, from step 0. The draws come from std::mt19937_64, whose output
// the standard fixes, through this file's own uniform and normal transforms, whose results the
// standard's distributions do not fix: a seed gives the same weights with any standard library.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <utility>

#include <typegrad/nn/graph/plan.hpp>
#include <typegrad/nn/sequential.hpp>

namespace typegrad::init {

/// U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010).
struct xavier_uniform {};
/// N(0, s^2), s = sqrt(2 / (fan_in + fan_out)).
struct xavier_normal {};
/// U(-a, a), a = sqrt(6 / fan_in) (He et al., 2015): for ReLU networks.
struct he_uniform {};
/// N(0, s^2), s = sqrt(2 / fan_in).
struct he_normal {};

namespace detail {

/// A double in [0, 1) from the top 53 bits of one draw.
inline double unit(std::mt19937_64& engine) {
    return static_cast<double>(engine() >> 11) * 0x1p-53;
}

inline double uniform(std::mt19937_64& engine, double a) {
    return (2 * unit(engine) - 1) * a;
}

/// Box-Muller, one value per two draws (no cached second value, so the sequence depends only on
/// how many values were drawn).
inline double normal(std::mt19937_64& engine, double s) {
    double const u1 = 1 - unit(engine);  // (0, 1]: log is finite
    double const u2 = unit(engine);
    return s * std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

inline double draw(xavier_uniform, std::mt19937_64& e, double fan_in, double fan_out) {
    return uniform(e, std::sqrt(6 / (fan_in + fan_out)));
}
inline double draw(xavier_normal, std::mt19937_64& e, double fan_in, double fan_out) {
    return normal(e, std::sqrt(2 / (fan_in + fan_out)));
}
inline double draw(he_uniform, std::mt19937_64& e, double fan_in, double) { return uniform(e, std::sqrt(6 / fan_in)); }
inline double draw(he_normal, std::mt19937_64& e, double fan_in, double) { return normal(e, std::sqrt(2 / fan_in)); }

template <class S>
concept scheme = requires(S s, std::mt19937_64& e) {
    { draw(s, e, 1.0, 1.0) } -> std::same_as<double>;
};

}  // namespace detail

namespace detail {

template <class L, class P, bool Bias, class M, class Scheme>
void initialize_parameter(M& m, Scheme scheme, std::mt19937_64& engine) {
    using T = typename M::value_type;
    if constexpr (requires { L::template initial_value<P>(); }) {
        m.fill(static_cast<T>(L::template initial_value<P>()));
    } else if constexpr (Bias) {
        m.fill(T(0));
    } else {
        double const fan_in = static_cast<double>(M::cols);
        double const fan_out = static_cast<double>(m.rows());
        for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(draw(scheme, engine, fan_in, fan_out));
    }
}

template <std::size_t I, class Net, class Scheme, class... Ps>
void initialize_layer(Net& net, [[maybe_unused]] Scheme scheme, [[maybe_unused]] std::mt19937_64& engine,
                      nn::parameter_list<Ps...>) {  // (a layer without parameters uses neither)
    using graph = typename Net::template graph_type<I>;
    using layer = typename Net::template layer_type<I>;
    (initialize_parameter<layer, Ps, nn::graph::is_bias_v<graph, Ps>>(net.template layer<I>().template get<Ps>(), scheme,
                                                                     engine),
     ...);
}

template <class Net, class Scheme, std::size_t... I>
void initialize_layers(Net& net, Scheme scheme, std::mt19937_64& engine, std::index_sequence<I...>) {
    (initialize_layer<I>(net, scheme, engine, nn::parameters_t<typename Net::template layer_type<I>>{}), ...);
}

}  // namespace detail

/// Weights (every parameter a layer multiplies by; fan_in = its columns, fan_out = its rows)
/// from `scheme`, biases (one-row parameters it adds) zero, declared initial values as declared,
/// reproducibly from `seed`; buffers reset; dropout seeded with `seed` at step 0.
template <class Net, class Scheme>
void initialize(Net& net, Scheme scheme, std::uint64_t seed) {
    static_assert(detail::scheme<Scheme>,
                  "typegrad::init::initialize(net, scheme, seed): scheme must be tg::init::xavier_uniform, "
                  "xavier_normal, he_uniform or he_normal");
    std::mt19937_64 engine(seed);
    detail::initialize_layers(net, scheme, engine, std::make_index_sequence<Net::size>{});
    net.reset_buffers();
    net.reseed(seed);
}

}  // namespace typegrad::init
