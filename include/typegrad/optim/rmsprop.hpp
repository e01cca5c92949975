#pragma once
// RMSprop (Hinton's lecture 6e) with PyTorch's update rule (no momentum, not centred):
//   g += weight_decay * theta;  s = alpha s + (1 - alpha) g^2;  theta -= lr g / (sqrt(s) + eps)

#include <typegrad/expr/detail/math.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/optim/update.hpp>

namespace typegrad::optim {

template <class Net>
class rmsprop {
public:
    using value_type = typename Net::value_type;
    using gradients_type = decltype(nn::gradients_like(std::declval<Net const&>()));
    struct options {
        value_type lr = value_type(0.01);
        value_type alpha = value_type(0.99);
        value_type eps = value_type(1e-8);
        value_type weight_decay = 0;
    };

    rmsprop(Net const& net, options o) : options_(o), square_average_(nn::gradients_like(net)) {}

    void step(Net& net, gradients_type const& grads) {
        options const o = options_;
        detail::update(
            [o](auto& theta, auto grad, auto& s) {
                using V = std::remove_cvref_t<decltype(theta)>;
                grad = grad + V(o.weight_decay) * theta;
                s = V(o.alpha) * s + V(1 - o.alpha) * grad * grad;
                theta = theta - V(o.lr) * grad / (typegrad::detail::math::sqrt(s) + V(o.eps));
            },
            net, grads, square_average_);
    }

    value_type lr() const noexcept { return options_.lr; }
    void set_lr(value_type lr) noexcept { options_.lr = lr; }

private:
    options options_;
    gradients_type square_average_;
};
template <class Net>
rmsprop(Net const&, typename rmsprop<Net>::options) -> rmsprop<Net>;

}  // namespace typegrad::optim
