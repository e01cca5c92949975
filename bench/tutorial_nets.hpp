#pragma once
// The tutorial networks of the benchmarks, shared by bench/nn_step.cpp and bench/compare/: each
// as a typegrad type and as plain C++ loops (namespace plain) computing the same training step,
// with the data and initialisation they are benchmarked with; plain SGD and Adam loops (PyTorch's
// rules) for the comparison's full steps, and a tanh for its inference net.
//
//   2-3-1_batch1            sigmoid hidden, sigmoid output, binary cross-entropy (trained, like
//                           typegrad does, as the fused sigmoid(z) - y on the logit)
//   10-20-1_batch1, _batch32   ReLU hidden, linear output, MSE
//   784-10-10_batch32       ReLU hidden, softmax cross-entropy on logits, class labels
//   784-256-128-10_batch64  ReLU, ReLU, softmax cross-entropy on logits, class labels
//
// The plain loops are good ones: contiguous arrays (std::array for the tiny nets, std::vector for
// the others), every size a compile-time constant, W stored Out x In or In x Out, whichever is
// faster for the net, loops GCC vectorises at -O2 -march=native (restrict parameters, dot
// products in independent partial sums), the same math (stable softmax-CE gradient p - y, fused
// BCE gradient sigmoid(z) - y), and the same results: the loss, dW and db of every layer, no
// input gradient for the first layer.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <random>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad_bench {

namespace tg = typegrad;

// ---------------------------------------------------------------------------------------------
// The plain loops.
namespace plain {

// The tiny nets keep everything in std::array; the others in std::vector, allocated once.
template <std::size_t Size, bool Fixed>
using buffer = std::conditional_t<Fixed, std::array<float, Size>, std::vector<float>>;

template <std::size_t Size, bool Fixed>
buffer<Size, Fixed> make_buffer() {
    if constexpr (Fixed)
        return {};
    else
        return std::vector<float>(Size);
}

// a . b over K. A single running sum is a reduction GCC keeps scalar (and latency-bound) without
// -ffast-math; partial sums in four vectors' worth of lanes are four independent FMA chains it
// vectorises, and folding them in halving loops is a short vector tree. (The unroll pragmas make
// the lane loops straight-line code for the vectoriser; the arithmetic is still a plain loop.)
// Rows shorter than 64 (the tiny nets) keep the single chain, which has no tree to pay for.
template <std::size_t K>
float dot(float const* __restrict__ a, float const* __restrict__ b) {
    if constexpr (K < 64) {
        float sum = 0;
        for (std::size_t k = 0; k < K; ++k) sum = std::fma(a[k], b[k], sum);
        return sum;
    } else {
        constexpr std::size_t lanes = 16, vectors = 4, block = lanes * vectors;
        std::array<std::array<float, lanes>, vectors> acc{};
        std::size_t k = 0;
        for (; k + block <= K; k += block)
#pragma GCC unroll 4
            for (std::size_t v = 0; v < vectors; ++v)
#pragma GCC unroll 16
                for (std::size_t l = 0; l < lanes; ++l)
                    acc[v][l] = std::fma(a[k + v * lanes + l], b[k + v * lanes + l], acc[v][l]);
        std::array<float, lanes> total;
        for (std::size_t l = 0; l < lanes; ++l) total[l] = (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
        for (; k + lanes <= K; k += lanes)
            for (std::size_t l = 0; l < lanes; ++l) total[l] = std::fma(a[k + l], b[k + l], total[l]);
        for (std::size_t l = 0; l < 8; ++l) total[l] += total[l + 8];
        for (std::size_t l = 0; l < 4; ++l) total[l] += total[l + 4];
        float sum = (total[0] + total[2]) + (total[1] + total[3]);
        for (std::size_t t = K - K % lanes; t < K; ++t) sum = std::fma(a[t], b[t], sum);
        return sum;
    }
}

/// How a plain dense layer stores W. out_by_in is typegrad's (and PyTorch's) N x K: the forward is
/// a dot product per output and the backward products are row updates. in_by_out is W^T, K x N:
/// the forward and dW are row updates along the outputs, dx is a dot product per input.
enum class layout { out_by_in, in_by_out };

// The three products of a dense layer over M rows, as free functions of restrict pointers (GCC
// vectorises loops over restrict parameters without run-time alias checks, which -O2's cost model
// would not pay for).

/// z = x W^T + b
template <std::size_t K, std::size_t N, std::size_t M, layout Layout>
void dense_forward(float const* __restrict__ x, float const* __restrict__ w, float const* __restrict__ b,
                   float* __restrict__ z) {
    for (std::size_t i = 0; i < M; ++i) {
        if constexpr (Layout == layout::out_by_in) {
            for (std::size_t n = 0; n < N; ++n) z[i * N + n] = b[n] + dot<K>(x + i * K, w + n * K);
        } else {
            for (std::size_t n = 0; n < N; ++n) z[i * N + n] = b[n];
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t n = 0; n < N; ++n) z[i * N + n] = std::fma(x[i * K + k], w[k * N + n], z[i * N + n]);
        }
    }
}

/// dW = dz^T x and db = column sums of dz, both written over (a step's gradients start at zero).
/// A row of dW stays in L1 while the batch streams past it.
template <std::size_t K, std::size_t N, std::size_t M, layout Layout>
void dense_weight_gradient(float const* __restrict__ dz, float const* __restrict__ x, float* __restrict__ dw,
                           float* __restrict__ db) {
    if constexpr (Layout == layout::out_by_in) {
        for (std::size_t n = 0; n < N; ++n) {
            for (std::size_t k = 0; k < K; ++k) dw[n * K + k] = 0;
            float sum = 0;
            for (std::size_t i = 0; i < M; ++i) {
                sum += dz[i * N + n];
                for (std::size_t k = 0; k < K; ++k) dw[n * K + k] = std::fma(dz[i * N + n], x[i * K + k], dw[n * K + k]);
            }
            db[n] = sum;
        }
    } else {
        for (std::size_t n = 0; n < N; ++n) db[n] = 0;
        for (std::size_t i = 0; i < M; ++i)
            for (std::size_t n = 0; n < N; ++n) db[n] += dz[i * N + n];
        for (std::size_t k = 0; k < K; ++k) {
            for (std::size_t n = 0; n < N; ++n) dw[k * N + n] = 0;
            for (std::size_t i = 0; i < M; ++i)
                for (std::size_t n = 0; n < N; ++n) dw[k * N + n] = std::fma(x[i * K + k], dz[i * N + n], dw[k * N + n]);
        }
    }
}

/// dx = dz W
template <std::size_t K, std::size_t N, std::size_t M, layout Layout>
void dense_input_gradient(float const* __restrict__ dz, float const* __restrict__ w, float* __restrict__ dx) {
    for (std::size_t i = 0; i < M; ++i) {
        if constexpr (Layout == layout::out_by_in) {
            for (std::size_t k = 0; k < K; ++k) dx[i * K + k] = 0;
            for (std::size_t n = 0; n < N; ++n)
                for (std::size_t k = 0; k < K; ++k) dx[i * K + k] = std::fma(dz[i * N + n], w[n * K + k], dx[i * K + k]);
        } else {
            for (std::size_t k = 0; k < K; ++k) dx[i * K + k] = dot<N>(dz + i * N, w + k * N);
        }
    }
}

/// A dense layer K -> N over M rows: W, b, the pre-activation z, its gradient dz, and the
/// parameters' gradients dW (in W's layout) and db.
template <std::size_t K, std::size_t N, std::size_t M, layout Layout, bool Fixed>
struct dense {
    static constexpr std::size_t in = K;
    static constexpr std::size_t out = N;

    buffer<N * K, Fixed> w = make_buffer<N * K, Fixed>();
    buffer<N, Fixed> b = make_buffer<N, Fixed>();
    buffer<N * K, Fixed> dw = make_buffer<N * K, Fixed>();
    buffer<N, Fixed> db = make_buffer<N, Fixed>();
    buffer<M * N, Fixed> z = make_buffer<M * N, Fixed>();
    buffer<M * N, Fixed> dz = make_buffer<M * N, Fixed>();

    /// Where W(o, i) (output o, input i) lives in w and dw.
    static constexpr std::size_t at(std::size_t o, std::size_t i) {
        return Layout == layout::out_by_in ? o * K + i : i * N + o;
    }

    void forward(float const* x) { dense_forward<K, N, M, Layout>(x, w.data(), b.data(), z.data()); }

    /// From dz: dW, db, and dx unless it is null.
    void backward(float const* x, float* dx) {
        dense_weight_gradient<K, N, M, Layout>(dz.data(), x, dw.data(), db.data());
        if (dx != nullptr) dense_input_gradient<K, N, M, Layout>(dz.data(), w.data(), dx);
    }
};

// Hidden activations: the value, and the derivative from the input z and the value h.
struct sigmoid {
    static float value(float z) { return 1.0f / (1.0f + std::exp(-z)); }
    static float derivative(float, float h) { return h * (1.0f - h); }
};
struct relu {
    static float value(float z) { return z < 0.0f ? 0.0f : z; }
    static float derivative(float z, float) { return z > 0.0f ? 1.0f : 0.0f; }
};
struct tanh {
    static float value(float z) { return std::tanh(z); }
    static float derivative(float, float h) { return 1.0f - h * h; }
};

// Losses on the last layer's z (M x C): the mean loss, and dLoss/dz written to dz.

/// softplus(z) - z t = BCE(sigmoid(z), t), mean over elements; gradient (sigmoid(z) - t) / count.
struct bce_with_logits {
    template <std::size_t M, std::size_t C>
    static float evaluate(float const* z, float const* t, float* dz) {
        constexpr std::size_t count = M * C;
        constexpr float scale = 1.0f / static_cast<float>(count);
        float total = 0;
        for (std::size_t e = 0; e < count; ++e) {
            // One exponential serves both: softplus(v) = max(v, 0) + log1p(e) and sigmoid(v) =
            // 1 / (1 + e) for v >= 0, e / (1 + e) below, with e = exp(-|v|) <= 1.
            float const v = z[e];
            float const ev = std::exp(-std::abs(v));
            total += std::max(v, 0.0f) + std::log1p(ev) - v * t[e];
            float const sigmoid = (v >= 0.0f ? 1.0f : ev) / (1.0f + ev);
            dz[e] = (sigmoid - t[e]) * scale;
        }
        return total * scale;
    }
};

/// (z - t)^2, mean over elements; gradient 2 (z - t) / count.
struct mse {
    template <std::size_t M, std::size_t C>
    static float evaluate(float const* z, float const* t, float* dz) {
        constexpr std::size_t count = M * C;
        constexpr float scale = 1.0f / static_cast<float>(count);
        float total = 0;
        for (std::size_t e = 0; e < count; ++e) {
            float const d = z[e] - t[e];
            total += d * d;
            dz[e] = 2.0f * d * scale;
        }
        return total * scale;
    }
};

/// log-sum-exp(z) - z[label] (shifted by the row's maximum), mean over rows; gradient
/// (softmax(z) - onehot(label)) / rows.
struct softmax_cross_entropy {
    template <std::size_t M, std::size_t C>
    static float evaluate(float const* z, int const* labels, float* dz) {
        constexpr float scale = 1.0f / static_cast<float>(M);
        float total = 0;
        for (std::size_t i = 0; i < M; ++i) {
            float const* zi = z + i * C;
            float* di = dz + i * C;
            float m = zi[0];
            for (std::size_t c = 1; c < C; ++c) m = std::max(m, zi[c]);
            // One exponential per logit: exp(z - max) into dz, then scaled to softmax / rows.
            float sum = 0;
            for (std::size_t c = 0; c < C; ++c) {
                di[c] = std::exp(zi[c] - m);
                sum += di[c];
            }
            auto const label = static_cast<std::size_t>(labels[i]);
            total += m + std::log(sum) - zi[label];
            float const k = scale / sum;
            for (std::size_t c = 0; c < C; ++c) di[c] *= k;
            di[label] -= scale;
        }
        return total * scale;
    }
};

/// In -> Hidden (Activation) -> Out (linear, into Loss), over M rows.
template <std::size_t M, std::size_t In, std::size_t Hidden, std::size_t Out, class Activation, class Loss,
          layout Layout>
class two_layer {
    static constexpr bool fixed = In * Hidden + Hidden * Out <= 4096;

public:
    dense<In, Hidden, M, Layout, fixed> l1;
    dense<Hidden, Out, M, Layout, fixed> l2;
    buffer<M * Hidden, fixed> h1 = make_buffer<M * Hidden, fixed>();

    auto layers() { return std::tie(l1, l2); }

    template <class Target>
    float step(float const* x, Target const* t) {
        l1.forward(x);
        for (std::size_t e = 0; e < M * Hidden; ++e) h1[e] = Activation::value(l1.z[e]);
        l2.forward(h1.data());
        float const loss = Loss::template evaluate<M, Out>(l2.z.data(), t, l2.dz.data());
        l2.backward(h1.data(), l1.dz.data());
        for (std::size_t e = 0; e < M * Hidden; ++e) l1.dz[e] *= Activation::derivative(l1.z[e], h1[e]);
        l1.backward(x, nullptr);
        return loss;
    }
};

/// In -> H1 (Activation) -> H2 (Activation) -> Out (linear, into Loss), over M rows.
template <std::size_t M, std::size_t In, std::size_t H1, std::size_t H2, std::size_t Out, class Activation,
          class Loss, layout Layout>
class three_layer {
    static constexpr bool fixed = In * H1 + H1 * H2 + H2 * Out <= 4096;

public:
    dense<In, H1, M, Layout, fixed> l1;
    dense<H1, H2, M, Layout, fixed> l2;
    dense<H2, Out, M, Layout, fixed> l3;
    buffer<M * H1, fixed> h1 = make_buffer<M * H1, fixed>();
    buffer<M * H2, fixed> h2 = make_buffer<M * H2, fixed>();

    auto layers() { return std::tie(l1, l2, l3); }

    /// The output (the last layer's z, M x Out) for the rows of x.
    float const* forward(float const* x) {
        l1.forward(x);
        for (std::size_t e = 0; e < M * H1; ++e) h1[e] = Activation::value(l1.z[e]);
        l2.forward(h1.data());
        for (std::size_t e = 0; e < M * H2; ++e) h2[e] = Activation::value(l2.z[e]);
        l3.forward(h2.data());
        return l3.z.data();
    }

    template <class Target>
    float step(float const* x, Target const* t) {
        forward(x);
        float const loss = Loss::template evaluate<M, Out>(l3.z.data(), t, l3.dz.data());
        l3.backward(h2.data(), l2.dz.data());
        for (std::size_t e = 0; e < M * H2; ++e) l2.dz[e] *= Activation::derivative(l2.z[e], h2[e]);
        l2.backward(h1.data(), l1.dz.data());
        for (std::size_t e = 0; e < M * H1; ++e) l1.dz[e] *= Activation::derivative(l1.z[e], h1[e]);
        l1.backward(x, nullptr);
        return loss;
    }
};

// Optimisers over a plain net's layers() (PyTorch's update rules, as typegrad's optim/).

/// theta -= lr * grad
struct sgd {
    float lr;

    template <class Net>
    sgd(Net&, float learning_rate) : lr(learning_rate) {}

    template <class Net>
    void step(Net& net) {
        std::apply([&](auto&... layer) { (update(layer), ...); }, net.layers());
    }

private:
    static void descend(float* __restrict__ theta, float const* __restrict__ g, std::size_t n, float lr) {
        for (std::size_t i = 0; i < n; ++i) theta[i] -= lr * g[i];
    }
    template <class Layer>
    void update(Layer& l) {
        descend(l.w.data(), l.dw.data(), l.w.size(), lr);
        descend(l.b.data(), l.db.data(), l.b.size(), lr);
    }
};

/// Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// theta -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
class adam {
public:
    template <class Net>
    adam(Net& net, float learning_rate) : lr_(learning_rate) {
        std::apply([&](auto&... layer) { (add_state(layer.w.size(), layer.b.size()), ...); }, net.layers());
    }

    template <class Net>
    void step(Net& net) {
        ++steps_;
        double const t = static_cast<double>(steps_);
        float const step_size = static_cast<float>(lr_ / (1 - std::pow(double(beta1), t)));
        float const inverse_root_correction = static_cast<float>(1 / std::sqrt(1 - std::pow(double(beta2), t)));
        std::size_t j = 0;
        std::apply(
            [&](auto&... layer) {
                ((update(layer.w.data(), layer.dw.data(), state_[j], step_size, inverse_root_correction),
                  update(layer.b.data(), layer.db.data(), state_[j + 1], step_size, inverse_root_correction), j += 2),
                 ...);
            },
            net.layers());
    }

private:
    static constexpr float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
    struct moments {
        std::vector<float> m, v;
    };

    void add_state(std::size_t weights, std::size_t biases) {
        state_.push_back({std::vector<float>(weights), std::vector<float>(weights)});
        state_.push_back({std::vector<float>(biases), std::vector<float>(biases)});
    }
    static void update(float* __restrict__ theta, float const* __restrict__ g, moments& s, float step_size,
                       float inverse_root_correction) {
        float* __restrict__ m = s.m.data();
        float* __restrict__ v = s.v.data();
        for (std::size_t i = 0; i < s.m.size(); ++i) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            theta[i] -= step_size * m[i] / (std::sqrt(v[i]) * inverse_root_correction + eps);
        }
    }

    float lr_;
    std::size_t steps_ = 0;
    std::vector<moments> state_;
};

}  // namespace plain

// ---------------------------------------------------------------------------------------------
// The networks. Dense layer j of the plain loop is layer 2j of the typegrad network (dense
// layers alternate with activations). Each plain loop stores W in the layout that is faster for
// it, so that the baseline is the stronger of the two (measured on the Zen 5 this was written on:
// in_by_out 1.2-1.8x faster for 10-20-1, whose rows of 10 and 20 inputs make short dot products;
// out_by_in 1.4-8x faster for the 784-input nets; a tie on 2-3-1).

struct net_2_3_1 {
    static constexpr char const* name = "2-3-1_batch1";
    static constexpr std::size_t rows = 1;
    using net_t = tg::nn::sequential<tg::nn::dense<2, 3>, tg::nn::sigmoid, tg::nn::dense<3, 1>, tg::nn::sigmoid>;
    using loss_t = tg::loss::binary_cross_entropy;
    using targets_t = tg::matrix<float, 1>;
    using plain_t = plain::two_layer<rows, 2, 3, 1, plain::sigmoid, plain::bce_with_logits, plain::layout::out_by_in>;
    using scheme_t = tg::init::xavier_uniform;
    static targets_t targets(std::mt19937& engine) {
        targets_t t(rows);
        std::bernoulli_distribution coin;
        for (std::size_t r = 0; r < rows; ++r) t(r, 0) = coin(engine) ? 1.0f : 0.0f;
        return t;
    }
};

template <std::size_t Rows>
struct net_10_20_1 {
    static constexpr char const* name = Rows == 1 ? "10-20-1_batch1" : "10-20-1_batch32";
    static constexpr std::size_t rows = Rows;
    using net_t = tg::nn::sequential<tg::nn::dense<10, 20>, tg::nn::relu, tg::nn::dense<20, 1>>;
    using loss_t = tg::loss::mse;
    using targets_t = tg::matrix<float, 1>;
    using plain_t = plain::two_layer<rows, 10, 20, 1, plain::relu, plain::mse, plain::layout::in_by_out>;
    using scheme_t = tg::init::he_uniform;
    static targets_t targets(std::mt19937& engine) {
        targets_t t(rows);
        std::uniform_real_distribution<float> value(-1.0f, 1.0f);
        for (std::size_t r = 0; r < rows; ++r) t(r, 0) = value(engine);
        return t;
    }
};

template <std::size_t Classes, std::size_t Rows>
std::vector<int> random_labels(std::mt19937& engine) {
    std::uniform_int_distribution<int> label(0, static_cast<int>(Classes) - 1);
    std::vector<int> labels(Rows);
    for (int& l : labels) l = label(engine);
    return labels;
}

struct net_784_10_10 {
    static constexpr char const* name = "784-10-10_batch32";
    static constexpr std::size_t rows = 32;
    using net_t = tg::nn::sequential<tg::nn::dense<784, 10>, tg::nn::relu, tg::nn::dense<10, 10>>;
    using loss_t = tg::loss::softmax_cross_entropy;
    using targets_t = std::vector<int>;
    using plain_t =
        plain::two_layer<rows, 784, 10, 10, plain::relu, plain::softmax_cross_entropy, plain::layout::out_by_in>;
    using scheme_t = tg::init::he_uniform;
    static targets_t targets(std::mt19937& engine) { return random_labels<10, rows>(engine); }
};

struct net_784_256_128_10 {
    static constexpr char const* name = "784-256-128-10_batch64";
    static constexpr std::size_t rows = 64;
    using net_t = tg::nn::sequential<tg::nn::dense<784, 256>, tg::nn::relu, tg::nn::dense<256, 128>, tg::nn::relu,
                                     tg::nn::dense<128, 10>>;
    using loss_t = tg::loss::softmax_cross_entropy;
    using targets_t = std::vector<int>;
    using plain_t = plain::three_layer<rows, 784, 256, 128, 10, plain::relu, plain::softmax_cross_entropy,
                                       plain::layout::out_by_in>;
    using scheme_t = tg::init::he_uniform;
    static targets_t targets(std::mt19937& engine) { return random_labels<10, rows>(engine); }
};

/// Calls f(j, typegrad layer 2j, plain layer j) for every dense layer.
template <class Params, class Plain, class F>
void for_each_dense(Params& params, Plain& plain_net, F&& f) {
    auto layers = plain_net.layers();
    [&]<std::size_t... J>(std::index_sequence<J...>) {
        (f(J, params.template layer<2 * J>(), std::get<J>(layers)), ...);
    }(std::make_index_sequence<std::tuple_size_v<decltype(layers)>>{});
}

}  // namespace typegrad_bench
