#pragma once
// Adagrad (Duchi, Hazan and Singer, 2011) with PyTorch's update rule (no lr decay):
//   g += weight_decay * theta;  G += g^2;  theta -= lr g / (sqrt(G) + eps)

#include <typegrad/expr/detail/math.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/optim/update.hpp>

namespace typegrad::optim {

template <class Net>
class adagrad {
public:
    using value_type = typename Net::value_type;
    using gradients_type = decltype(nn::gradients_like(std::declval<Net const&>()));
    struct options {
        value_type lr = value_type(0.01);
        value_type eps = value_type(1e-10);
        value_type weight_decay = 0;
    };

    adagrad(Net const& net, options o) : options_(o), sum_of_squares_(nn::gradients_like(net)) {}

    void step(Net& net, gradients_type const& grads) {
        options const o = options_;
        detail::update(
            [o](auto& theta, auto grad, auto& sum) {
                using V = std::remove_cvref_t<decltype(theta)>;
                grad = grad + V(o.weight_decay) * theta;
                sum = sum + grad * grad;
                theta = theta - V(o.lr) * grad / (typegrad::detail::math::sqrt(sum) + V(o.eps));
            },
            net, grads, sum_of_squares_);
    }

    value_type lr() const noexcept { return options_.lr; }
    void set_lr(value_type lr) noexcept { options_.lr = lr; }

private:
    options options_;
    gradients_type sum_of_squares_;
};
template <class Net>
adagrad(Net const&, typename adagrad<Net>::options) -> adagrad<Net>;

}  // namespace typegrad::optim
