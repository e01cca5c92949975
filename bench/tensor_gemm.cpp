// GEMM kernels (tensor/gemm.hpp) against the machine's peak, a plain loop and OpenBLAS, in one
// binary, single thread, float.
//
//   peak/fma                 independent FMAs on the widest xsimd batch (peak.hpp): the FLOP/s
//                            that define 100 %.
//   <product>/MxNxK/<impl>   forward       Y  = X W^T      (X: M x K, W: N x K, no bias)
//                            input_grad    dX = dY W       (dY: M x N)
//                            weight_grad   dW += dY^T X    (no db)
//                            impl: typegrad, plain (a loop GCC vectorises at -O2 -march=native),
//                            openblas (cblas_sgemm, one thread; when CMake found OpenBLAS).
// Counters: FLOP/s (2 M N K per call) and pct_peak (percent of peak/fma, calibrated at start-up);
// the report ends with each median FLOP/s as a percent of peak/fma's median in the same run.
//
// The plain forward loop runs on W^T, transposed before timing: with W as N x K its inner loop
// is a dot product, which GCC does not vectorise without -ffast-math; transposed it is a row
// update it does vectorise. That favours the baseline.
//
// Targets (medians): forward 64x256x784 at >= 75 % of peak, the backward products >= 65 %; not
// slower than OpenBLAS on any listed shape (ratios typegrad / openblas <= 1).

#include <algorithm>
#include <array>
#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <typegrad/tensor/gemm.hpp>
#include <typegrad/tensor/matrix.hpp>

#ifdef TYPEGRAD_BENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif

#include "peak.hpp"
#include "ratio_reporter.hpp"

namespace tg = typegrad;

namespace {

// ---------------------------------------------------------------------------------------------
template <std::size_t M, std::size_t N, std::size_t K>
struct problem {
    tg::matrix<float, K> x{M}, w{N}, dx{M}, dw{N};
    tg::matrix<float, N> y{M}, dy{M};
    std::vector<float> wt = std::vector<float>(K * N);  // W^T for the plain forward loop

    problem() {
        std::mt19937 engine(42);
        std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
        for (auto* m : {&x, &w}) std::generate_n(m->data(), m->size(), [&] { return unit(engine); });
        std::generate_n(dy.data(), dy.size(), [&] { return unit(engine); });
        for (std::size_t j = 0; j < N; ++j)
            for (std::size_t k = 0; k < K; ++k) wt[k * N + j] = w(j, k);
    }
};

enum class product { forward, input_grad, weight_grad };
enum class impl { typegrad, plain, openblas };

// The plain loops: row updates along the contiguous dimension, which GCC vectorises.
template <std::size_t M, std::size_t N, std::size_t K>
void plain_forward(float const* __restrict__ x, float const* __restrict__ wt, float* __restrict__ y) {
    for (std::size_t i = 0; i < M; ++i) {
        float* __restrict__ yi = y + i * N;
        for (std::size_t j = 0; j < N; ++j) yi[j] = 0.0f;
        for (std::size_t k = 0; k < K; ++k) {
            float const xik = x[i * K + k];
            for (std::size_t j = 0; j < N; ++j) yi[j] += xik * wt[k * N + j];
        }
    }
}

template <std::size_t M, std::size_t N, std::size_t K>
void plain_input_grad(float const* __restrict__ dy, float const* __restrict__ w, float* __restrict__ dx) {
    for (std::size_t i = 0; i < M; ++i) {
        float* __restrict__ dxi = dx + i * K;
        for (std::size_t k = 0; k < K; ++k) dxi[k] = 0.0f;
        for (std::size_t j = 0; j < N; ++j) {
            float const dyij = dy[i * N + j];
            for (std::size_t k = 0; k < K; ++k) dxi[k] += dyij * w[j * K + k];
        }
    }
}

template <std::size_t M, std::size_t N, std::size_t K>
void plain_weight_grad(float const* __restrict__ dy, float const* __restrict__ x, float* __restrict__ dw) {
    for (std::size_t i = 0; i < M; ++i)
        for (std::size_t j = 0; j < N; ++j) {
            float const dyij = dy[i * N + j];
            float* __restrict__ dwj = dw + j * K;
            for (std::size_t k = 0; k < K; ++k) dwj[k] += dyij * x[i * K + k];
        }
}

template <std::size_t M, std::size_t N, std::size_t K, product P, impl I>
void gemm_bench(benchmark::State& state) {
    problem<M, N, K> p;
    for (auto _ : state) {
        if constexpr (P == product::forward) {
            if constexpr (I == impl::typegrad)
                tg::gemm::forward<K, N>(p.x, p.w, {}, p.y);
            else if constexpr (I == impl::plain)
                plain_forward<M, N, K>(p.x.data(), p.wt.data(), p.y.data());
#ifdef TYPEGRAD_BENCH_HAVE_OPENBLAS
            else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, p.x.data(), K, p.w.data(), K, 0.0f,
                            p.y.data(), N);
#endif
            benchmark::DoNotOptimize(p.y.data());
        } else if constexpr (P == product::input_grad) {
            if constexpr (I == impl::typegrad)
                tg::gemm::input_gradient<K, N>(p.dy, p.w, p.dx);
            else if constexpr (I == impl::plain)
                plain_input_grad<M, N, K>(p.dy.data(), p.w.data(), p.dx.data());
#ifdef TYPEGRAD_BENCH_HAVE_OPENBLAS
            else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, K, N, 1.0f, p.dy.data(), N, p.w.data(), K,
                            0.0f, p.dx.data(), K);
#endif
            benchmark::DoNotOptimize(p.dx.data());
        } else {
            if constexpr (I == impl::typegrad)
                tg::gemm::weight_gradient<K, N>(p.dy, p.x, p.dw, {});
            else if constexpr (I == impl::plain)
                plain_weight_grad<M, N, K>(p.dy.data(), p.x.data(), p.dw.data());
#ifdef TYPEGRAD_BENCH_HAVE_OPENBLAS
            else
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, N, K, M, 1.0f, p.dy.data(), N, p.x.data(), K, 1.0f,
                            p.dw.data(), K);
#endif
            benchmark::DoNotOptimize(p.dw.data());
        }
        benchmark::ClobberMemory();
    }
    double const flops = 2.0 * M * N * K;
    state.counters["FLOP/s"] = typegrad_bench::peak::rate(flops);
    state.counters["pct_peak"] = typegrad_bench::peak::percent(flops);
}

constexpr std::array<char const*, 3> product_names{"forward", "input_grad", "weight_grad"};
constexpr std::array<char const*, 3> impl_names{"typegrad", "plain", "openblas"};

std::string bench_name(product P, std::size_t m, std::size_t n, std::size_t k, impl I) {
    return std::string(product_names[std::size_t(P)]) + "/" + std::to_string(m) + "x" + std::to_string(n) + "x" +
           std::to_string(k) + "/" + impl_names[std::size_t(I)];
}

std::vector<typegrad_bench::comparison> comparisons;

template <std::size_t M, std::size_t N, std::size_t K, product P, impl I>
void register_one() {
    benchmark::RegisterBenchmark(bench_name(P, M, N, K, I).c_str(), gemm_bench<M, N, K, P, I>);
}

template <std::size_t M, std::size_t N, std::size_t K, product P>
void register_product() {
    register_one<M, N, K, P, impl::typegrad>();
    register_one<M, N, K, P, impl::plain>();
    comparisons.push_back({bench_name(P, M, N, K, impl::typegrad), bench_name(P, M, N, K, impl::plain)});
#ifdef TYPEGRAD_BENCH_HAVE_OPENBLAS
    register_one<M, N, K, P, impl::openblas>();
    comparisons.push_back({bench_name(P, M, N, K, impl::typegrad), bench_name(P, M, N, K, impl::openblas)});
#endif
}

template <std::size_t M, std::size_t N, std::size_t K>
void register_shape() {
    register_product<M, N, K, product::forward>();
    register_product<M, N, K, product::input_grad>();
    register_product<M, N, K, product::weight_grad>();
}

}  // namespace

int main(int argc, char** argv) {
#ifdef TYPEGRAD_BENCH_HAVE_OPENBLAS
    openblas_set_num_threads(1);
#endif
    typegrad_bench::peak::flops = typegrad_bench::peak::measure();
    benchmark::RegisterBenchmark(typegrad_bench::peak::name, typegrad_bench::peak::bench);
    register_shape<64, 256, 784>();
    register_shape<64, 128, 256>();
    register_shape<64, 10, 128>();
    register_shape<1, 16, 8>();
    register_shape<32, 10, 784>();
    return typegrad_bench::run(argc, argv, comparisons);
}
