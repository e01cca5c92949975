// The expression engine against hand-written code, in one binary.
//
//   gradient10/*   all ten partials of a composed function of ten variables: tg::gradient (one
//                  forward and one reverse sweep over the type) against the derivative written
//                  out by hand, both on double, over the same 1024 points.
//   eval_lanes/*   evaluating that function at 4096 points: on xsimd batches against a scalar
//                  loop (items_per_second counts points).
//
// Targets: gradient10/typegrad at most 1.05x gradient10/hand_written (median of repetitions).

#include <array>
#include <cmath>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include <typegrad/typegrad.hpp>

#include "ratio_reporter.hpp"

namespace tg = typegrad;

namespace {

constexpr tg::var<0> x0;
constexpr tg::var<1> x1;
constexpr tg::var<2> x2;
constexpr tg::var<3> x3;
constexpr tg::var<4> x4;
constexpr tg::var<5> x5;
constexpr tg::var<6> x6;
constexpr tg::var<7> x7;
constexpr tg::var<8> x8;
constexpr tg::var<9> x9;

// A neuron, a tanh unit and a quadratic penalty: the shapes a network's loss is made of.
constexpr auto f = tg::sigmoid(x0 * x1 + x2 * x3 + x4 * x5 + x6) * tg::tanh(x7 * x8 - x9) +
                   tg::constant<0.5>{} * tg::pow<2>(x0 - x9);

using point = std::array<double, 10>;

// The gradient of f as one would write it by hand, reusing every forward value.
std::array<double, 10> hand_written_gradient(point const& p) {
    double const z = p[0] * p[1] + p[2] * p[3] + p[4] * p[5] + p[6];
    double const s = 1.0 / (1.0 + std::exp(-z));
    double const u = p[7] * p[8] - p[9];
    double const th = std::tanh(u);
    double const r = p[0] - p[9];
    double const dz = th * s * (1.0 - s);
    double const du = s * (1.0 - th * th);
    return {dz * p[1] + r, dz * p[0], dz * p[3], dz * p[2], dz * p[5], dz * p[4], dz, du * p[8], du * p[7], -du - r};
}

std::vector<point> points(std::size_t n) {
    std::mt19937_64 engine(1);
    std::uniform_real_distribution<double> coordinate(-1.0, 1.0);
    std::vector<point> ps(n);
    for (auto& p : ps)
        for (auto& v : p) v = coordinate(engine);
    return ps;
}

template <class Gradient>
void gradient_bench(benchmark::State& state, Gradient gradient) {
    auto const ps = points(1024);
    for (auto _ : state) {
        for (auto const& p : ps) {
            auto g = gradient(p);
            benchmark::DoNotOptimize(g);
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(ps.size()));
}

void gradient_typegrad(benchmark::State& state) {
    gradient_bench(state, [](point const& p) {
        return tg::gradient(f, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]);
    });
}

void gradient_hand_written(benchmark::State& state) { gradient_bench(state, hand_written_gradient); }

// Structure of arrays, as a kernel would lay the points out for SIMD.
struct columns {
    std::vector<float, xsimd::aligned_allocator<float>> v[10];
};

columns column_points(std::size_t n) {
    auto const ps = points(n);
    columns c;
    for (std::size_t k = 0; k < 10; ++k) {
        c.v[k].resize(n);
        for (std::size_t i = 0; i < n; ++i) c.v[k][i] = static_cast<float>(ps[i][k]);
    }
    return c;
}

void eval_lanes_batch(benchmark::State& state) {
    using batch = xsimd::batch<float>;
    constexpr std::size_t n = 4096;
    auto const c = column_points(n);
    std::vector<float, xsimd::aligned_allocator<float>> out(n);
    for (auto _ : state) {
        for (std::size_t i = 0; i < n; i += batch::size) {
            auto const at = [&](std::size_t k) { return batch::load_aligned(&c.v[k][i]); };
            tg::eval(f, at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(9)).store_aligned(&out[i]);
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

void eval_lanes_scalar_loop(benchmark::State& state) {
    constexpr std::size_t n = 4096;
    auto const c = column_points(n);
    std::vector<float, xsimd::aligned_allocator<float>> out(n);
    for (auto _ : state) {
        for (std::size_t i = 0; i < n; ++i) {
            auto const at = [&](std::size_t k) { return c.v[k][i]; };
            out[i] = tg::eval(f, at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(9));
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(gradient_typegrad)->Name("gradient10/typegrad");
BENCHMARK(gradient_hand_written)->Name("gradient10/hand_written");
BENCHMARK(eval_lanes_batch)->Name("eval_lanes/xsimd_batch");
BENCHMARK(eval_lanes_scalar_loop)->Name("eval_lanes/scalar_loop");

int main(int argc, char** argv) {
    return typegrad_bench::run(argc, argv,
                               {{"gradient10/typegrad", "gradient10/hand_written"},
                                {"eval_lanes/xsimd_batch", "eval_lanes/scalar_loop"}});
}
