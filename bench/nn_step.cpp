// One training step of a network: forward, loss, and backward into a gradients object (no
// optimiser), with tg::nn::backprop against the same step written as plain loops, in one binary.
//
//   2-3-1_batch1            sigmoid hidden, sigmoid output, binary cross-entropy (trained, like
//                           typegrad does, as the fused sigmoid(z) - y on the logit)
//   10-20-1_batch1, _batch32   ReLU hidden, linear output, MSE
//   784-10-10_batch32       ReLU hidden, softmax cross-entropy on logits, class labels
//   784-256-128-10_batch64  ReLU, ReLU, softmax cross-entropy on logits, class labels
//
// Each net has <net>/typegrad and <net>/plain_loop, both from tutorial_nets.hpp (which says what
// makes the plain loop a good one). Both start from the same data and weights; main() checks that
// their losses and gradients agree before anything is timed, and refuses to run otherwise.
//
// Counters: items_per_second counts rows (samples). The two 784-input nets also report FLOP/s
// (2 M K N per product: the forward, dW, and dX of every layer but the first) and pct_peak, the
// percent of peak/fma (peak.hpp): independent FMAs on the widest xsimd batch, measured at
// start-up (best of 20 rounds). Rates are per CPU second, as Google Benchmark reports them; the closing ratios are
// of real-time medians, so on a shared machine compare the CPU column too.
//
// Targets: ratio typegrad / plain_loop at most 0.8 for 2-3-1_batch1 and both 10-20-1 runs;
// 784-256-128-10_batch64/typegrad at 65 % or more of peak/fma; the same step on two threads
// (tg::set_num_threads(2)) at most 1 / 1.7 of its time on one.

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
#include <typegrad/parallel/threads.hpp>
#include <typegrad/tensor/matrix.hpp>

#include "peak.hpp"
#include "ratio_reporter.hpp"
#include "tutorial_nets.hpp"

namespace tg = typegrad;

namespace {

using namespace typegrad_bench;

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

template <class Net, impl I, std::size_t Threads = 1>
void step_bench(benchmark::State& state) {
    tg::set_num_threads(Threads);
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
    tg::set_num_threads(1);
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

// The same step with the GEMMs split over two threads, against one thread; both timed in real
// time (CPU time counts only the main thread's share). Target: ratio at most 1 / 1.7 = 0.59.
template <class Net>
void register_threads() {
    std::string const name = Net::name;
    benchmark::RegisterBenchmark((name + "/typegrad_1thread").c_str(), step_bench<Net, impl::typegrad, 1>)
        ->UseRealTime();
    benchmark::RegisterBenchmark((name + "/typegrad_2threads").c_str(), step_bench<Net, impl::typegrad, 2>)
        ->UseRealTime();
    comparisons.push_back({name + "/typegrad_2threads/real_time", name + "/typegrad_1thread/real_time"});
}

}  // namespace

int main(int argc, char** argv) {
    bool const ok = register_net<net_2_3_1>() & register_net<net_10_20_1<1>>() & register_net<net_10_20_1<32>>() &
                    register_net<net_784_10_10>() & register_net<net_784_256_128_10>();
    if (!ok) {
        std::fprintf(stderr, "nn_step: the implementations disagree; not benchmarking a comparison that is not fair\n");
        return EXIT_FAILURE;
    }
    register_threads<net_784_256_128_10>();
    typegrad_bench::peak::flops = typegrad_bench::peak::measure();
    benchmark::RegisterBenchmark(typegrad_bench::peak::name, typegrad_bench::peak::bench);
    return typegrad_bench::run(argc, argv, comparisons);
}
