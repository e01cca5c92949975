#pragma once
// batch_norm<N>: each of N features (columns) normalised, then scaled and shifted by learned
// per-feature parameters, as PyTorch's BatchNorm1d(N):
//   y = bias + weight * (x - mean) / sqrt(var + Eps)
// While training (tg::nn::backprop, tg::nn::forward_train), mean and var are the batch's: each
// column's mean and biased variance over the rows. Each training pass also updates the running
// statistics, with Momentum = 0.1 as PyTorch's default:
//   running_mean = (1 - Momentum) running_mean + Momentum mean
//   running_var  = (1 - Momentum) running_var  + Momentum var * n / (n - 1)   (unbiased, n rows)
// and counts the pass in num_batches_tracked. For inference (tg::nn::forward) mean and var are
// the running statistics, so a sample's output does not depend on its batch.
//
// Both graphs are expressions (the batch statistics are column_mean nodes), so the backward,
// through the mean and the variance, is derived. weight starts at 1, bias at 0, running_mean at
// 0, running_var at 1. The running statistics are buffers: no gradients, no optimiser steps, but
// saved in checkpoints under PyTorch's names. A training batch of one row is a tg::error (its
// variance is 0), as it is in PyTorch.

#include <cstddef>
#include <type_traits>

#include <typegrad/expr/node.hpp>
#include <typegrad/nn/buffers.hpp>
#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/parameters.hpp>

namespace typegrad::nn {

template <std::size_t N, double Eps = 1e-5, double Momentum = 0.1>
struct batch_norm {
    static_assert(N > 0, "typegrad::nn::batch_norm<N>: N, the number of features, must be at least 1");
    static_assert(Eps > 0.0, "typegrad::nn::batch_norm<N, Eps>: Eps must be positive (it keeps 1 / sqrt(var + Eps) finite)");
    static_assert(Momentum >= 0.0 && Momentum <= 1.0,
                  "typegrad::nn::batch_norm<N, Eps, Momentum>: Momentum must satisfy 0 <= Momentum <= 1");
    static constexpr std::size_t in_features = N;
    static constexpr std::size_t out_features = N;
    static constexpr std::size_t min_training_rows = 2;

    using weight = graph::param<"weight", 1, N>;
    using bias = graph::param<"bias", 1, N>;
    using parameters = parameter_list<weight, bias>;
    template <class P>
    static constexpr double initial_value() noexcept {
        return std::is_same_v<P, weight> ? 1.0 : 0.0;
    }

    using running_mean = graph::buffer<"running_mean", N, 0.0>;
    using running_var = graph::buffer<"running_var", N, 1.0>;
    using num_batches_tracked = counter<"num_batches_tracked">;
    using buffers = buffer_list<running_mean, running_var, num_batches_tracked>;

    // The batch's statistics: nodes of the training graph, which update_buffers reads again.
    using batch_mean = decltype(graph::column_mean(graph::input<N>{}));
    using batch_var = decltype(graph::column_mean(graph::pow<2>(graph::input<N>{} - batch_mean{})));

    static constexpr auto training_forward(graph::input<N> x) noexcept {
        return bias{} + weight{} * (x - batch_mean{}) / graph::sqrt(batch_var{} + constant<Eps>{});
    }
    static constexpr auto forward(graph::input<N> x) noexcept {
        return bias{} + weight{} * (x - running_mean{}) / graph::sqrt(running_var{} + constant<Eps>{});
    }

    /// After a training forward over `rows` rows: the running statistics move towards the batch's.
    template <class Buffers, class Workspace>
    static void update_buffers(Buffers& b, Workspace& ws, std::size_t rows) noexcept {
        using T = typename Buffers::value_type;
        auto const& mean = ws.template value<batch_mean>();
        auto const& var = ws.template value<batch_var>();
        auto& rm = b.template get<running_mean>();
        auto& rv = b.template get<running_var>();
        T const m = static_cast<T>(Momentum);
        T const unbiased = static_cast<T>(rows) / static_cast<T>(rows - 1);
        for (std::size_t c = 0; c < N; ++c) {
            rm(0, c) = (T(1) - m) * rm(0, c) + m * mean(0, c);
            rv(0, c) = (T(1) - m) * rv(0, c) + m * var(0, c) * unbiased;
        }
        ++b.template get<num_batches_tracked>();
    }
};

}  // namespace typegrad::nn
