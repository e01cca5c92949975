#pragma once
// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 weight decay,
// with PyTorch's update rule:
//   g += weight_decay * theta;  v = momentum * v + g;  theta -= lr * (nesterov ? g + momentum * v : v)
// (v = g when momentum is 0, and no state is kept.) weight_decay = lambda is L2 regularisation:
// sgd then descends loss + lambda / 2 |theta|^2, over every parameter (biases and batch_norm's
// scale and shift too, as in PyTorch); buffers such as running statistics are not parameters.

#include <typegrad/nn/gradients.hpp>
#include <typegrad/optim/update.hpp>

namespace typegrad::optim {

template <class Net>
class sgd {
public:
    using value_type = typename Net::value_type;
    using gradients_type = decltype(nn::gradients_like(std::declval<Net const&>()));
    struct options {
        value_type lr = value_type(0.01);
        value_type momentum = 0;
        bool nesterov = false;
        value_type weight_decay = 0;
    };

    /// State (a velocity per parameter) is sized from the network here, once.
    sgd(Net const& net, options o) : options_(o), velocity_(nn::gradients_like(net)) {}

    void step(Net& net, gradients_type const& grads) {
        using T = value_type;
        options const o = options_;
        if (o.momentum == T(0)) {
            detail::update([o](auto& theta, auto grad, auto&...) {
                using V = std::remove_cvref_t<decltype(theta)>;
                theta = theta - V(o.lr) * (grad + V(o.weight_decay) * theta);
            }, net, grads);
        } else {
            detail::update([o](auto& theta, auto grad, auto& v) {
                using V = std::remove_cvref_t<decltype(theta)>;
                V const d = grad + V(o.weight_decay) * theta;
                v = V(o.momentum) * v + d;
                theta = theta - V(o.lr) * (o.nesterov ? d + V(o.momentum) * v : v);
            }, net, grads, velocity_);
        }
    }

    value_type lr() const noexcept { return options_.lr; }
    void set_lr(value_type lr) noexcept { options_.lr = lr; }
    options const& settings() const noexcept { return options_; }

private:
    options options_;
    gradients_type velocity_;
};

template <class Net>
sgd(Net const&, typename sgd<Net>::options) -> sgd<Net>;

}  // namespace typegrad::optim
