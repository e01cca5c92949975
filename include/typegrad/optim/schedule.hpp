#pragma once
// Learning-rate schedules: each maps an epoch (or step) count to a learning rate, from the base
// rate it was made with. Set the optimiser's rate from it at each epoch: opt.set_lr(s(epoch)).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>

namespace typegrad::optim {

/// base * gamma^(epoch / every): the rate drops by gamma every `every` epochs.
struct step_decay {
    double base;
    std::size_t every;
    double gamma = 0.1;
    double operator()(std::size_t epoch) const noexcept {
        return base * std::pow(gamma, static_cast<double>(epoch / std::max<std::size_t>(every, 1)));
    }
};

/// base * gamma^epoch.
struct exponential_decay {
    double base;
    double gamma;
    double operator()(std::size_t epoch) const noexcept { return base * std::pow(gamma, static_cast<double>(epoch)); }
};

/// Cosine annealing from base to minimum over `period` epochs, then minimum.
struct cosine_annealing {
    double base;
    std::size_t period;
    double minimum = 0;
    double operator()(std::size_t epoch) const noexcept {
        double const t = std::min(1.0, static_cast<double>(epoch) / static_cast<double>(std::max<std::size_t>(period, 1)));
        return minimum + (base - minimum) * (1 + std::cos(std::numbers::pi * t)) / 2;
    }
};

/// A linear warm-up over the first `steps` calls (from base/steps to base), then `after`.
template <class After>
struct linear_warmup {
    std::size_t steps;
    After after;
    double operator()(std::size_t step) const noexcept {
        if (step < steps) return after(0) * static_cast<double>(step + 1) / static_cast<double>(steps);
        return after(step - steps);
    }
};
template <class After>
linear_warmup(std::size_t, After) -> linear_warmup<After>;

}  // namespace typegrad::optim
