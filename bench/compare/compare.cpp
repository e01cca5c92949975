// typegrad against its peers: one training step (forward, loss, backward, optimiser update) of
// the tutorial networks, and the inference latency of a small real-time-style network, each
// written with typegrad, with plain C++ loops, with Eigen and with libtorch's C++ frontend.
//
//   training                 net                         loss                  optimiser
//   2-3-1_batch1             sigmoid hidden              BCE (on the logit)    SGD lr 0.01
//   10-20-1_batch1, _batch32 ReLU hidden                 MSE                   SGD lr 0.01
//   784-10-10_batch32        ReLU hidden                 softmax CE            Adam lr 1e-3
//   784-256-128-10_batch64   ReLU hidden                 softmax CE            Adam lr 1e-3
//   inference: 8-16-16-8_tanh_batch1, tanh hidden, linear output, one row
//
// Implementations, as <workload>/<name>:
//   typegrad       tg::nn::backprop and tg::optim (tg::nn::forward_view for inference)
//   plain_loop     bench/tutorial_nets.hpp's loops, with plain SGD and Adam loops
//   eigen          Eigen::MatrixXf (Eigen's blocked GEMM), when Eigen was found
//   eigen_fixed    fixed-size Eigen matrices, for the one-row workloads and 10-20-1_batch32
//   libtorch_1t, libtorch_2t   torch::nn::Sequential and torch::optim on 1 and 2 threads
//                  (torch::set_num_threads and OpenBLAS's threads), when libtorch was found
//   typegrad_2t    typegrad on 2 threads (tg::set_num_threads(2)), for 784-256-128-10_batch64
//
// Every implementation starts from the same data and the same initial weights (typegrad's
// initialisation, copied), and computes the same math; before anything is timed, each runs
// `check_steps` steps and the losses are compared (--check does only that and exits nonzero on
// a disagreement). Flush-to-zero and denormals-are-zero are set for the whole program: a run of
// millions of steps on one batch drives some values toward zero, and the comparison is of
// arithmetic, not of microcode assists on denormals (libtorch's threads inherit the mode).
//
//   bench_compare [--check] [Google Benchmark flags]   (scripts/compare.sh runs it and writes
//                                                       docs/benchmarks.md)

#include <xmmintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/optim/adam.hpp>
#include <typegrad/optim/sgd.hpp>
#include <typegrad/parallel/threads.hpp>

#include "../ratio_reporter.hpp"
#include "../tutorial_nets.hpp"
#include "problem.hpp"
#ifdef TYPEGRAD_COMPARE_EIGEN
#include "eigen_peer.hpp"
#endif
#ifdef TYPEGRAD_COMPARE_TORCH
#include "torch_peer.hpp"
#endif

namespace {

using namespace typegrad_bench;
using compare::problem;

constexpr int check_steps = 20;

// ---------------------------------------------------------------------------------------------
// Workloads: a tutorial net with what the peers need to know about it.

template <class Net, compare::activation Hidden, compare::loss Loss, compare::optimiser Optimiser, bool TinyEigen>
struct workload : Net {
    static constexpr auto hidden = Hidden;
    static constexpr auto loss = Loss;
    static constexpr auto optimiser = Optimiser;
    static constexpr float lr = Optimiser == compare::optimiser::sgd ? 0.01f : 1e-3f;
    /// Whether Eigen's fixed-size version runs too (for small matrices only).
    static constexpr bool eigen_fixed = TinyEigen;
};

using w_2_3_1 = workload<net_2_3_1, compare::activation::sigmoid, compare::loss::bce_with_logits,
                         compare::optimiser::sgd, true>;
template <std::size_t Rows>
using w_10_20_1 = workload<net_10_20_1<Rows>, compare::activation::relu, compare::loss::mse, compare::optimiser::sgd, true>;
using w_784_10_10 = workload<net_784_10_10, compare::activation::relu, compare::loss::softmax_cross_entropy,
                             compare::optimiser::adam, false>;
using w_784_256_128_10 = workload<net_784_256_128_10, compare::activation::relu,
                                  compare::loss::softmax_cross_entropy, compare::optimiser::adam, false>;

/// The inference workload: what a real-time model (an audio effect, a controller) runs per sample.
struct net_8_16_16_8 {
    static constexpr char const* name = "8-16-16-8_tanh_batch1";
    static constexpr std::size_t rows = 1;
    using net_t = tg::nn::sequential<tg::nn::dense<8, 16>, tg::nn::tanh, tg::nn::dense<16, 16>, tg::nn::tanh,
                                     tg::nn::dense<16, 8>>;
    // in_by_out: the forward is row updates along the outputs, which GCC vectorises for 16 wide.
    using plain_t = plain::three_layer<rows, 8, 16, 16, 8, plain::tanh, plain::mse, plain::layout::in_by_out>;
    using scheme_t = tg::init::xavier_uniform;
    static tg::matrix<float, 8> targets(std::mt19937&) { return tg::matrix<float, 8>(rows); }  // unused
};
using w_8_16_16_8 = workload<net_8_16_16_8, compare::activation::tanh, compare::loss::mse, compare::optimiser::sgd, true>;

/// The dense layers' widths of a typegrad network: in_features, then each dense layer's outputs.
template <class Net, std::size_t... I>
std::vector<std::size_t> dense_widths(std::index_sequence<I...>) {
    return {Net::in_features, Net::template layer_type<2 * I>::out_features...};
}
template <class Net>
constexpr std::size_t dense_count = (Net::size + 1) / 2;

/// Calls f(j, dense layer j) for the typegrad network (dense layers alternate with activations).
template <class Net, class F>
void for_each_typegrad_dense(Net& net, F&& f) {
    [&]<std::size_t... J>(std::index_sequence<J...>) {
        (f(J, net.template layer<2 * J>()), ...);
    }(std::make_index_sequence<dense_count<Net>>{});
}

/// The problem every implementation starts from: inputs in [0, 1) like pixels for the 784-input
/// nets and in [-1, 1) otherwise, the tutorial net's targets, typegrad's initial weights and
/// non-zero biases (so that a bias that went missing would show).
template <class W>
problem make_problem() {
    using net_t = typename W::net_t;
    problem p;
    p.name = W::name;
    p.widths = dense_widths<net_t>(std::make_index_sequence<dense_count<net_t>>{});
    p.hidden = W::hidden;
    p.loss = W::loss;
    p.optimiser = W::optimiser;
    p.lr = W::lr;
    p.rows = W::rows;
    std::mt19937 engine(7);
    std::uniform_real_distribution<float> input(net_t::in_features == 784 ? 0.0f : -1.0f, 1.0f);
    p.x.resize(p.rows * net_t::in_features);
    std::generate(p.x.begin(), p.x.end(), [&] { return input(engine); });
    auto const targets = W::targets(engine);
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(targets)>, std::vector<int>>)
        p.labels = targets;
    else
        p.targets.assign(targets.data(), targets.data() + targets.size());
    auto net = std::make_unique<net_t>();
    tg::init::initialize(*net, typename W::scheme_t{}, 42);
    std::uniform_real_distribution<float> bias(-0.1f, 0.1f);
    for_each_typegrad_dense(*net, [&](std::size_t j, auto& layer) {
        std::vector<float> w, b;
        for (std::size_t o = 0; o < p.widths[j + 1]; ++o) {
            b.push_back(bias(engine));
            for (std::size_t i = 0; i < p.widths[j]; ++i) w.push_back(layer.weight(o, i));
        }
        p.weights.push_back(std::move(w));
        p.biases.push_back(std::move(b));
    });
    return p;
}

// ---------------------------------------------------------------------------------------------
// The implementations of a workload, each built from its problem: step() is one training step
// and returns the loss before the update.

template <class W>
class typegrad_trainer {
    using net_t = typename W::net_t;
    using optimiser_t = std::conditional_t<W::optimiser == compare::optimiser::sgd, tg::optim::sgd<net_t>,
                                           tg::optim::adam<net_t>>;
    using targets_t = std::conditional_t<W::loss == compare::loss::softmax_cross_entropy, std::vector<int>,
                                         tg::matrix<float, net_t::out_features>>;

public:
    explicit typegrad_trainer(problem const& p)
        : net_(std::make_unique<net_t>()), grads_(tg::nn::gradients_like(*net_)), x_(p.rows) {
        for_each_typegrad_dense(*net_, [&](std::size_t j, auto& layer) {
            std::size_t const in = p.widths[j];
            for (std::size_t o = 0; o < p.widths[j + 1]; ++o) {
                layer.bias(o) = p.biases[j][o];
                for (std::size_t i = 0; i < in; ++i) layer.weight(o, i) = p.weights[j][o * in + i];
            }
        });
        std::copy(p.x.begin(), p.x.end(), x_.data());
        if constexpr (W::loss == compare::loss::softmax_cross_entropy) {
            targets_ = p.labels;
        } else {
            targets_ = targets_t(p.rows);
            std::copy(p.targets.begin(), p.targets.end(), targets_.data());
        }
        optimiser_ = std::make_unique<optimiser_t>(*net_, typename optimiser_t::options{.lr = W::lr});
    }

    float step() {
        float const loss = tg::nn::backprop(*net_, typename W::loss_t{}, x_, targets_, grads_);
        optimiser_->step(*net_, grads_);
        return loss;
    }

    /// The output for the problem's input (inference): a view into the network's workspace.
    auto forward() const { return tg::nn::forward_view(*net_, x_); }

private:
    std::unique_ptr<net_t> net_;
    decltype(tg::nn::gradients_like(std::declval<net_t const&>())) grads_;
    tg::matrix<float, net_t::in_features> x_;
    targets_t targets_;
    std::unique_ptr<optimiser_t> optimiser_;
};

template <class W>
class plain_trainer {
    using net_t = typename W::plain_t;
    using optimiser_t = std::conditional_t<W::optimiser == compare::optimiser::sgd, plain::sgd, plain::adam>;

public:
    explicit plain_trainer(problem const& p)
        : net_(load(p)), optimiser_(*net_, W::lr), x_(p.x.data()), targets_(p.targets.data()), labels_(p.labels.data()) {}

    float step() {
        float loss;
        if constexpr (W::loss == compare::loss::softmax_cross_entropy)
            loss = net_->step(x_, labels_);
        else
            loss = net_->step(x_, targets_);
        optimiser_.step(*net_);
        return loss;
    }

    float const* forward() { return net_->forward(x_); }

private:
    static std::unique_ptr<net_t> load(problem const& p) {
        auto net = std::make_unique<net_t>();
        auto layers = net->layers();
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            (
                [&](auto& mine, std::vector<float> const& w, std::vector<float> const& b) {
                    using L = std::remove_cvref_t<decltype(mine)>;
                    for (std::size_t o = 0; o < L::out; ++o) {
                        mine.b[o] = b[o];
                        for (std::size_t i = 0; i < L::in; ++i) mine.w[L::at(o, i)] = w[o * L::in + i];
                    }
                }(std::get<J>(layers), p.weights[J], p.biases[J]),
                ...);
        }(std::make_index_sequence<std::tuple_size_v<decltype(layers)>>{});
        return net;
    }

    std::unique_ptr<net_t> net_;
    optimiser_t optimiser_;
    float const* x_;
    float const* targets_;
    int const* labels_;
};

#ifdef TYPEGRAD_COMPARE_EIGEN
template <class W, bool Fixed>
struct eigen_trainer_for {
    template <std::size_t... J>
    static auto make(std::index_sequence<J...>) {
        using activation = std::conditional_t<
            W::hidden == compare::activation::sigmoid, compare::eigen::sigmoid,
            std::conditional_t<W::hidden == compare::activation::relu, compare::eigen::relu, compare::eigen::tanh>>;
        using loss = std::conditional_t<
            W::loss == compare::loss::bce_with_logits, compare::eigen::bce_with_logits,
            std::conditional_t<W::loss == compare::loss::mse, compare::eigen::mse, compare::eigen::softmax_cross_entropy>>;
        using optimiser =
            std::conditional_t<W::optimiser == compare::optimiser::sgd, compare::eigen::sgd, compare::eigen::adam>;
        using net_t = typename W::net_t;
        return std::type_identity<compare::eigen::mlp<Fixed, int(W::rows), activation, loss, optimiser,
                                                      int(net_t::in_features),
                                                      int(net_t::template layer_type<2 * J>::out_features)...>>{};
    }
    using type = typename decltype(make(std::make_index_sequence<dense_count<typename W::net_t>>{}))::type;
};
template <class W, bool Fixed>
using eigen_trainer = typename eigen_trainer_for<W, Fixed>::type;
#endif

// ---------------------------------------------------------------------------------------------
// The problems live here for the whole run (the benchmarks and the Eigen maps point into them).
std::deque<problem> problems;

template <class Trainer>
void train_bench(benchmark::State& state, problem const* p, int torch_threads, std::size_t typegrad_threads) {
#ifdef TYPEGRAD_COMPARE_TORCH
    if (torch_threads > 0) compare::set_torch_threads(torch_threads);
#else
    static_cast<void>(torch_threads);
#endif
    tg::set_num_threads(typegrad_threads);
    auto trainer = std::make_unique<Trainer>(*p);
    benchmark::DoNotOptimize(trainer->step());  // warm: first passes size workspaces
    for (auto _ : state) {
        benchmark::DoNotOptimize(trainer->step());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p->rows));
    tg::set_num_threads(1);
}

/// An implementation's losses over check_steps + 1 steps: the last is that of the weights after
/// check_steps updates.
struct trajectory {
    std::string name;
    std::vector<float> losses;
};

template <class Trainer>
trajectory run_steps(std::string name, problem const& p) {
    Trainer trainer(p);
    trajectory t{std::move(name), {}};
    for (int s = 0; s <= check_steps; ++s) t.losses.push_back(trainer.step());
    return t;
}

// Floats summed in different orders (GEMM blocking, SIMD lanes, libtorch's kernels) differ by a
// few units in the last place per product, and over the steps those differences feed back through
// the weights. Losses still agree to 5e-5 relative at every step; below 1e-3 a loss is the square
// or log of a difference of nearly equal floats, so there the bound is 5e-8 absolute. Mistakes
// stand far out: a bias step 1 % too large in one implementation moved its losses by 8e-4 to
// 7e-3 on the SGD workloads.
constexpr float loss_tolerance = 5e-5f;
constexpr float loss_floor = 1e-3f;

bool agree(problem const& p, std::vector<trajectory> const& all) {
    trajectory const& base = all.front();  // the plain loop
    bool ok = true;
    std::printf("%s: loss at step 1, after %d steps, and the largest difference to plain_loop at any step\n",
                p.name.c_str(), check_steps);
    for (trajectory const& t : all) {
        float worst = 0;  // in units of the tolerance's scale
        bool finite = true;
        for (std::size_t s = 0; s < t.losses.size(); ++s) {
            finite = finite && std::isfinite(t.losses[s]);
            float const scale = std::max(std::abs(base.losses[s]), loss_floor);
            worst = std::max(worst, std::abs(t.losses[s] - base.losses[s]) / scale);
        }
        bool const good = finite && worst <= loss_tolerance && t.losses.back() < t.losses.front();
        std::printf("  %-12s %11.7g  %11.7g  %.1e%s\n", t.name.c_str(), t.losses.front(), t.losses.back(), worst,
                    good ? "" : "  <- DISAGREES or did not learn");
        ok = ok && good;
    }
    return ok;
}

std::vector<typegrad_bench::comparison> comparisons;

/// Registers one implementation's benchmark and the ratio of typegrad to it.
template <class Trainer>
void register_impl(problem const& p, std::string const& impl, int torch_threads = 0, std::size_t typegrad_threads = 1) {
    std::string const name = p.name + "/" + impl;
    benchmark::RegisterBenchmark(name.c_str(), train_bench<Trainer>, &p, torch_threads, typegrad_threads);
    if (impl != "typegrad") comparisons.push_back({p.name + "/typegrad", name});
}

template <class W>
bool add_training(bool benchmarks) {
    problem const& p = problems.emplace_back(make_problem<W>());
    std::vector<trajectory> all;
    all.push_back(run_steps<plain_trainer<W>>("plain_loop", p));
    all.push_back(run_steps<typegrad_trainer<W>>("typegrad", p));
#ifdef TYPEGRAD_COMPARE_EIGEN
    all.push_back(run_steps<eigen_trainer<W, false>>("eigen", p));
    if constexpr (W::eigen_fixed) all.push_back(run_steps<eigen_trainer<W, true>>("eigen_fixed", p));
#endif
#ifdef TYPEGRAD_COMPARE_TORCH
    compare::set_torch_threads(1);
    all.push_back(run_steps<compare::torch_trainer>("libtorch", p));
#endif
    if (!agree(p, all)) return false;
    if (!benchmarks) return true;
    register_impl<typegrad_trainer<W>>(p, "typegrad");
    if (p.name == "784-256-128-10_batch64") register_impl<typegrad_trainer<W>>(p, "typegrad_2t", 0, 2);
    register_impl<plain_trainer<W>>(p, "plain_loop");
#ifdef TYPEGRAD_COMPARE_EIGEN
    register_impl<eigen_trainer<W, false>>(p, "eigen");
    if constexpr (W::eigen_fixed) register_impl<eigen_trainer<W, true>>(p, "eigen_fixed");
#endif
#ifdef TYPEGRAD_COMPARE_TORCH
    register_impl<compare::torch_trainer>(p, "libtorch_1t", 1);
    register_impl<compare::torch_trainer>(p, "libtorch_2t", 2);
#endif
    return true;
}

// ---------------------------------------------------------------------------------------------
// Inference: one forward of one row, the output read back.

template <class Trainer>
void infer_bench(benchmark::State& state, problem const* p) {
    auto trainer = std::make_unique<Trainer>(*p);
    benchmark::DoNotOptimize(trainer->forward());  // warm: the first pass sizes the workspace
    for (auto _ : state) {
        auto const& out = trainer->forward();
        benchmark::DoNotOptimize(&out);
        benchmark::ClobberMemory();
    }
}

template <class W>
bool add_inference(bool benchmarks) {
    constexpr std::size_t out = W::net_t::out_features;
    problem const& p = problems.emplace_back(make_problem<W>());
    typegrad_trainer<W> typegrad(p);
    plain_trainer<W> plain_loop(p);
    std::vector<std::pair<std::string, std::vector<float>>> outputs;
    auto const t = typegrad.forward();
    outputs.push_back({"typegrad", {t.data(), t.data() + out}});
    float const* pl = plain_loop.forward();
    outputs.push_back({"plain_loop", {pl, pl + out}});
#ifdef TYPEGRAD_COMPARE_EIGEN
    eigen_trainer<W, true> eigen_fixed(p);
    auto const& e = eigen_fixed.forward(eigen_fixed.input());
    outputs.push_back({"eigen_fixed", {e.data(), e.data() + out}});
#endif
    // tanh is each one's own approximation (libm, xsimd, Eigen's rational one): a few ulp apart.
    bool ok = true;
    std::printf("%s: outputs\n", p.name.c_str());
    for (auto const& [name, values] : outputs) {
        float worst = 0;
        for (std::size_t o = 0; o < out; ++o) worst = std::max(worst, std::abs(values[o] - outputs.front().second[o]));
        std::printf("  %-14s %.7f %.7f ... (largest difference to typegrad %.1e)\n", name.c_str(), values[0], values[1],
                    worst);
        ok = ok && worst <= 1e-5f;
    }
    if (!ok || !benchmarks) return ok;
    std::string const name = p.name;
    benchmark::RegisterBenchmark((name + "/typegrad").c_str(), infer_bench<typegrad_trainer<W>>, &p);
    benchmark::RegisterBenchmark((name + "/plain_loop").c_str(), infer_bench<plain_trainer<W>>, &p);
    comparisons.push_back({name + "/typegrad", name + "/plain_loop"});
#ifdef TYPEGRAD_COMPARE_EIGEN
    struct eigen_fixed_forward : eigen_trainer<W, true> {
        using base = eigen_trainer<W, true>;
        using base::base;
        auto const& forward() { return base::forward(this->input()); }
    };
    benchmark::RegisterBenchmark((name + "/eigen_fixed").c_str(), infer_bench<eigen_fixed_forward>, &p);
    comparisons.push_back({name + "/typegrad", name + "/eigen_fixed"});
#endif
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    _mm_setcsr(_mm_getcsr() | 0x8040);  // flush-to-zero and denormals-are-zero (see the top)
    bool check_only = false;
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        if (std::strcmp(argv[i], "--check") == 0)
            check_only = true;
        else
            args.push_back(argv[i]);
    }
#ifdef TYPEGRAD_COMPARE_TORCH
    std::printf("peer: %s\n", compare::torch_description());
#else
    std::printf("peer: libtorch not found at configure time; not compared\n");
#endif
#ifdef TYPEGRAD_COMPARE_EIGEN
    std::printf("peer: Eigen %d.%d.%d\n", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
#else
    std::printf("peer: Eigen not found at configure time; not compared\n");
#endif
    bool const benchmarks = !check_only;
    bool const ok = add_training<w_2_3_1>(benchmarks) & add_training<w_10_20_1<1>>(benchmarks) &
                    add_training<w_10_20_1<32>>(benchmarks) & add_training<w_784_10_10>(benchmarks) &
                    add_training<w_784_256_128_10>(benchmarks) & add_inference<w_8_16_16_8>(benchmarks);
    if (!ok) {
        std::fprintf(stderr, "compare: the implementations disagree; not timing a comparison that is not fair\n");
        return EXIT_FAILURE;
    }
    if (check_only) {
        std::printf("compare: every implementation agrees\n");
        return EXIT_SUCCESS;
    }
    return typegrad_bench::run(static_cast<int>(args.size()), args.data(), comparisons);
}
