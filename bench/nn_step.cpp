// One training step of a network: forward, loss, and backward into a gradients object (no
// optimiser), with tg::nn::backprop against the same step written as plain loops, in one binary.
//
//   2-3-1_batch1            sigmoid hidden, sigmoid output, binary cross-entropy (trained, like
//                           typegrad does, as the fused sigmoid(z) - y on the logit)
//   10-20-1_batch1, _batch32   ReLU hidden, linear output, MSE
//   784-10-10_batch32       ReLU hidden, softmax cross-entropy on logits, class labels
//   784-256-128-10_batch64  ReLU, ReLU, softmax cross-entropy on logits, class labels
//
// Each net has <net>/typegrad and <net>/plain_loop. The plain loop is a good one: contiguous
// arrays (std::array for the tiny nets, std::vector for the others), every size a compile-time
// constant, W stored Out x In or In x Out, whichever is faster for the net, loops GCC vectorises
// at -O2 -march=native (restrict parameters, dot products in independent partial sums), the same
// math (stable softmax-CE gradient p - y, fused BCE gradient sigmoid(z) - y), and the same
// results: the loss, dW and db of every layer, no input gradient for the first layer. Both start
// from the same data and weights; main() checks that their losses and gradients agree before
// anything is timed, and refuses to run otherwise.
//
// Counters: items_per_second counts rows (samples). The two 784-input nets also report FLOP/s
// (2 M K N per product: the forward, dW, and dX of every layer but the first) and pct_peak, the
// percent of peak/fma (peak.hpp): independent FMAs on the widest xsimd batch, measured at
// start-up (best of 20 rounds). Rates are per CPU second, as Google Benchmark reports them; the closing ratios are
// of real-time medians, so on a shared machine compare the CPU column too.
//
// Targets: ratio typegrad / plain_loop at most 0.8 for 2-3-1_batch1 and both 10-20-1 runs;
// 784-256-128-10_batch64/typegrad at 65 % or more of peak/fma.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/tensor/matrix.hpp>

#include "peak.hpp"
#include "ratio_reporter.hpp"

namespace tg = typegrad;

namespace {

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

    template <class Target>
    float step(float const* x, Target const* t) {
        l1.forward(x);
        for (std::size_t e = 0; e < M * H1; ++e) h1[e] = Activation::value(l1.z[e]);
        l2.forward(h1.data());
        for (std::size_t e = 0; e < M * H2; ++e) h2[e] = Activation::value(l2.z[e]);
        l3.forward(h2.data());
        float const loss = Loss::template evaluate<M, Out>(l3.z.data(), t, l3.dz.data());
        l3.backward(h2.data(), l2.dz.data());
        for (std::size_t e = 0; e < M * H2; ++e) l2.dz[e] *= Activation::derivative(l2.z[e], h2[e]);
        l2.backward(h1.data(), l1.dz.data());
        for (std::size_t e = 0; e < M * H1; ++e) l1.dz[e] *= Activation::derivative(l1.z[e], h1[e]);
        l1.backward(x, nullptr);
        return loss;
    }
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

/// One net's data, weights and both implementations. The input and targets are shared; the plain
/// loop's weights are copied from the typegrad network after it is initialised.
template <class Net>
struct fixture {
    static constexpr std::size_t in = Net::net_t::in_features;

    typename Net::net_t net;
    decltype(tg::nn::gradients_like(net)) grads = tg::nn::gradients_like(net);
    tg::matrix<float, in> x{Net::rows};
    typename Net::targets_t targets;
    std::unique_ptr<typename Net::plain_t> plain_net = std::make_unique<typename Net::plain_t>();

    fixture() {
        std::mt19937 engine(7);
        // Inputs in [0, 1) like pixels for the 784-input nets, in [-1, 1) otherwise.
        std::uniform_real_distribution<float> input(in == 784 ? 0.0f : -1.0f, 1.0f);
        std::generate_n(x.data(), x.size(), [&] { return input(engine); });
        targets = Net::targets(engine);
        tg::init::initialize(net, typename Net::scheme_t{}, 42);
        // Non-zero biases, so that a bias that went missing would show.
        std::uniform_real_distribution<float> bias(-0.1f, 0.1f);
        for_each_dense(net, *plain_net, [&](std::size_t, auto& layer, auto& mine) {
            using L = std::remove_cvref_t<decltype(mine)>;
            for (std::size_t o = 0; o < L::out; ++o) {
                layer.bias(o) = bias(engine);
                mine.b[o] = layer.bias(o);
                for (std::size_t i = 0; i < L::in; ++i) mine.w[L::at(o, i)] = layer.weight(o, i);
            }
        });
    }

    float typegrad_step() { return tg::nn::backprop(net, typename Net::loss_t{}, x, targets, grads); }
    float plain_step() { return plain_net->step(x.data(), targets.data()); }
};

// ---------------------------------------------------------------------------------------------
// FLOP of one step: 2 M K N for each layer's forward and dW, and for the dX of every layer but
// the first (db, activations and the loss are not counted).
template <class Net>
constexpr double step_flops() {
    constexpr auto widths = Net::net_t::widths;
    double forward = 0, input_gradients = 0;
    std::size_t in = widths[0];
    bool first = true;
    for (std::size_t l = 1; l < widths.size(); ++l) {
        if (widths[l] == in) continue;  // an activation
        double const product = 2.0 * Net::rows * in * widths[l];
        forward += product;
        if (!first) input_gradients += product;
        first = false;
        in = widths[l];
    }
    return 2 * forward + input_gradients;
}
static_assert(step_flops<net_784_256_128_10>() == 2.0 * 64 * 2 * (784 * 256 + 256 * 128 + 128 * 10) +
                                                       2.0 * 64 * (256 * 128 + 128 * 10));

enum class impl { typegrad, plain_loop };

template <class Net, impl I>
void step_bench(benchmark::State& state) {
    auto f = std::make_unique<fixture<Net>>();
    auto const step = [&] { return I == impl::typegrad ? f->typegrad_step() : f->plain_step(); };
    benchmark::DoNotOptimize(step());  // warm: the first typegrad pass sizes the workspace
    for (auto _ : state) {
        benchmark::DoNotOptimize(step());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(Net::rows));
    if constexpr (Net::net_t::in_features == 784) {
        constexpr double flops = step_flops<Net>();
        state.counters["FLOP/s"] = typegrad_bench::peak::rate(flops);
        state.counters["pct_peak"] = typegrad_bench::peak::percent(flops);
    }
}

// ---------------------------------------------------------------------------------------------
// Agreement: both implementations, run twice from the same state (so that gradients which
// accumulated instead of starting from zero would show), give the same loss and gradients.

bool close(float a, float b, float scale) { return std::abs(a - b) <= 1e-4f * scale + 1e-6f; }

template <class Net>
bool agree() {
    fixture<Net> f;
    f.typegrad_step();
    float const loss_typegrad = f.typegrad_step();
    f.plain_step();
    float const loss_plain = f.plain_step();
    bool ok = true;
    auto const fail = [&](std::string const& what, std::size_t index, float typegrad, float plain_loop) {
        if (ok)
            std::fprintf(stderr, "nn_step: %s: typegrad and the plain loop disagree on %s[%zu]: %.9g vs %.9g\n",
                         Net::name, what.c_str(), index, typegrad, plain_loop);
        ok = false;
    };
    if (!std::isfinite(loss_typegrad) || !close(loss_typegrad, loss_plain, std::abs(loss_plain)))
        fail("loss", 0, loss_typegrad, loss_plain);
    for_each_dense(f.grads, *f.plain_net, [&](std::size_t j, auto& grad, auto& mine) {
        using L = std::remove_cvref_t<decltype(mine)>;
        // Each gradient is compared relative to its largest element: summation order differs.
        float dw_scale = 0, db_scale = 0;
        for (float const v : mine.dw) dw_scale = std::max(dw_scale, std::abs(v));
        for (float const v : mine.db) db_scale = std::max(db_scale, std::abs(v));
        for (std::size_t o = 0; o < L::out; ++o) {
            if (!close(grad.bias(o), mine.db[o], db_scale))
                fail("layer " + std::to_string(j) + " db", o, grad.bias(o), mine.db[o]);
            for (std::size_t i = 0; i < L::in; ++i)
                if (!close(grad.weight(o, i), mine.dw[L::at(o, i)], dw_scale))
                    fail("layer " + std::to_string(j) + " dW", o * L::in + i, grad.weight(o, i),
                         mine.dw[L::at(o, i)]);
        }
        if (dw_scale == 0) fail("layer " + std::to_string(j) + " dW (all zero)", 0, 0, 0);
    });
    return ok;
}

std::vector<typegrad_bench::comparison> comparisons;

template <class Net>
bool register_net() {
    if (!agree<Net>()) return false;
    std::string const name = Net::name;
    benchmark::RegisterBenchmark((name + "/typegrad").c_str(), step_bench<Net, impl::typegrad>);
    benchmark::RegisterBenchmark((name + "/plain_loop").c_str(), step_bench<Net, impl::plain_loop>);
    comparisons.push_back({name + "/typegrad", name + "/plain_loop"});
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bool const ok = register_net<net_2_3_1>() & register_net<net_10_20_1<1>>() & register_net<net_10_20_1<32>>() &
                    register_net<net_784_10_10>() & register_net<net_784_256_128_10>();
    if (!ok) {
        std::fprintf(stderr, "nn_step: the implementations disagree; not benchmarking a comparison that is not fair\n");
        return EXIT_FAILURE;
    }
    typegrad_bench::peak::flops = typegrad_bench::peak::measure();
    benchmark::RegisterBenchmark(typegrad_bench::peak::name, typegrad_bench::peak::bench);
    return typegrad_bench::run(argc, argv, comparisons);
}
