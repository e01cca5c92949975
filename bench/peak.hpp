#pragma once
// The machine's FMA peak, which defines 100 % in the benchmarks that report pct_peak.
//
// peak_kernel runs independent FMAs on the widest xsimd float batch: each accumulator is its own
// dependency chain, and 16 chains cover a 4-cycle FMA on two pipes twice over while 16 + 2
// registers fit any AVX-512 or AVX2 register file without spilling. measure_peak() times it
// before the benchmarks (best of 20 rounds), for the pct_peak counters; the peak/fma benchmark
// times it again among the others, so that ratio_reporter can also relate every median to the
// peak's median from the same run.
//
//   int main(int argc, char** argv) {
//       typegrad_bench::peak::flops = typegrad_bench::peak::measure();
//       benchmark::RegisterBenchmark(typegrad_bench::peak::name, typegrad_bench::peak::bench);
//       ...
//   }
//   state.counters["pct_peak"] = typegrad_bench::peak::percent(flops_per_iteration);

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <utility>

#include <benchmark/benchmark.h>

#include <typegrad/simd/batch.hpp>

namespace typegrad_bench::peak {

using batch = xsimd::batch<float>;
inline constexpr std::size_t chains = 16;
inline constexpr std::size_t steps = 4096;
inline constexpr double flops_per_call = 2.0 * batch::size * chains * steps;
inline constexpr char const* name = "peak/fma";

[[gnu::noinline]] inline batch kernel(batch scale, batch shift) {
    std::array<batch, chains> acc;
    for (std::size_t c = 0; c < chains; ++c) acc[c] = batch(float(c));
    for (std::size_t s = 0; s < steps; ++s) {
        [&]<std::size_t... C>(std::index_sequence<C...>) {
            ((acc[C] = xsimd::fma(acc[C], scale, shift)), ...);
        }(std::make_index_sequence<chains>{});
    }
    batch sum(0.0f);
    for (batch const& a : acc) sum += a;
    return sum;
}

/// FLOP/s of the peak, set by the program (from measure()) before the benchmarks run.
inline double flops = 0;

/// The best FLOP/s of the kernel over 20 rounds of 50 calls, by the wall clock.
inline double measure() {
    batch scale(0.999f), shift(1e-3f);
    benchmark::DoNotOptimize(scale);
    benchmark::DoNotOptimize(shift);
    double best = 0;
    for (int round = 0; round < 20; ++round) {
        auto const start = std::chrono::steady_clock::now();
        for (int i = 0; i < 50; ++i) benchmark::DoNotOptimize(kernel(scale, shift));
        std::chrono::duration<double> const t = std::chrono::steady_clock::now() - start;
        best = std::max(best, 50 * flops_per_call / t.count());
    }
    return best;
}

/// A pct_peak counter for a benchmark doing `flops_per_iteration` FLOP per iteration.
inline benchmark::Counter percent(double flops_per_iteration) {
    return benchmark::Counter(100.0 * flops_per_iteration / flops, benchmark::Counter::kIsIterationInvariantRate);
}

/// A FLOP/s counter for a benchmark doing `flops_per_iteration` FLOP per iteration.
inline benchmark::Counter rate(double flops_per_iteration) {
    return benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
}

/// The peak/fma benchmark.
inline void bench(benchmark::State& state) {
    batch scale(0.999f), shift(1e-3f);
    benchmark::DoNotOptimize(scale);
    benchmark::DoNotOptimize(shift);
    for (auto _ : state) benchmark::DoNotOptimize(kernel(scale, shift));
    state.counters["FLOP/s"] = rate(flops_per_call);
    state.counters["pct_peak"] = percent(flops_per_call);
}

}  // namespace typegrad_bench::peak
