#pragma once
// Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019), with PyTorch's update rule:
//   g += weight_decay * theta                       (adam: L2 decay through the gradient)
//   theta -= lr * weight_decay * theta              (adamw: decoupled decay, before the step)
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   theta -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

#include <cmath>
#include <cstddef>

#include <typegrad/expr/detail/math.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/optim/update.hpp>

namespace typegrad::optim {

namespace detail {

template <class Net, bool Decoupled>
class adam_rule {
public:
    using value_type = typename Net::value_type;
    using gradients_type = decltype(nn::gradients_like(std::declval<Net const&>()));
    struct options {
        value_type lr = value_type(1e-3);
        value_type beta1 = value_type(0.9);
        value_type beta2 = value_type(0.999);
        value_type eps = value_type(1e-8);
        value_type weight_decay = Decoupled ? value_type(0.01) : value_type(0);
    };

    /// State (first and second moments per parameter) is sized from the network here, once.
    adam_rule(Net const& net, options o)
        : options_(o), first_(nn::gradients_like(net)), second_(nn::gradients_like(net)) {}

    void step(Net& net, gradients_type const& grads) {
        using T = value_type;
        ++steps_;
        options const o = options_;
        // The bias corrections are per step, not per element: computed once, in double.
        double const t = static_cast<double>(steps_);
        T const step_size = static_cast<T>(o.lr / (1 - std::pow(double(o.beta1), t)));
        // PyTorch divides sqrt(v) by sqrt(1 - b2^t); multiplying by its inverse leaves one division
        // per element instead of two (differences within an ulp of the denominator), and the divisions
        // bound this loop: the update was 15 % of a 784-256-128-10 step with both.
        T const inverse_root_correction = static_cast<T>(1 / std::sqrt(1 - std::pow(double(o.beta2), t)));
        detail::update(
            [o, step_size, inverse_root_correction](auto& theta, auto grad, auto& m, auto& v) {
                using V = std::remove_cvref_t<decltype(theta)>;
                if constexpr (Decoupled)
                    theta = theta - V(o.lr * o.weight_decay) * theta;
                else
                    grad = grad + V(o.weight_decay) * theta;
                m = V(o.beta1) * m + V(1 - o.beta1) * grad;
                v = V(o.beta2) * v + V(1 - o.beta2) * grad * grad;
                theta = theta - V(step_size) * m /
                                    (typegrad::detail::math::sqrt(v) * V(inverse_root_correction) + V(o.eps));
            },
            net, grads, first_, second_);
    }

    value_type lr() const noexcept { return options_.lr; }
    void set_lr(value_type lr) noexcept { options_.lr = lr; }
    options const& settings() const noexcept { return options_; }
    std::size_t steps() const noexcept { return steps_; }

private:
    options options_;
    gradients_type first_;
    gradients_type second_;
    std::size_t steps_ = 0;
};

}  // namespace detail

template <class Net>
class adam : public detail::adam_rule<Net, false> {
public:
    using detail::adam_rule<Net, false>::adam_rule;
};
template <class Net>
adam(Net const&, typename adam<Net>::options) -> adam<Net>;

template <class Net>
class adamw : public detail::adam_rule<Net, true> {
public:
    using detail::adam_rule<Net, true>::adam_rule;
};
template <class Net>
adamw(Net const&, typename adamw<Net>::options) -> adamw<Net>;

}  // namespace typegrad::optim
