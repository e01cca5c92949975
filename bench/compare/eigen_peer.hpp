#pragma once
// The Eigen peer: a multilayer perceptron written as an Eigen user writes one. Activations are
// features x rows, column-major (a sample per column: Z = W X + b), so that the row-major input
// rows x features of the problem maps without a copy; every buffer is allocated once, products
// are assigned with noalias(), activations, losses and optimisers are array expressions (Eigen
// vectorises exp, tanh and sqrt itself).
//
//   eigen_mlp<Fixed, Rows, Activation, Loss, Optimiser, Widths...>
//     Fixed = true: fixed-size matrices (Eigen::Matrix<float, N, K>): sizes known to the compiler,
//                   no heap, unrolled small products. For the tiny nets.
//     Fixed = false: Eigen::MatrixXf, Eigen's blocked GEMM for the products. For the others.

#include <cmath>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "problem.hpp"

namespace typegrad_bench::compare::eigen {

template <bool Fixed, int R, int C>
using mat = std::conditional_t<Fixed, Eigen::Matrix<float, R, C>, Eigen::MatrixXf>;
template <bool Fixed, int R>
using vec = std::conditional_t<Fixed, Eigen::Matrix<float, R, 1>, Eigen::VectorXf>;

template <bool Fixed, int R, int C>
mat<Fixed, R, C> zeros() {
    if constexpr (Fixed)
        return mat<Fixed, R, C>::Zero();
    else
        return mat<Fixed, R, C>::Zero(R, C);
}

// Hidden activations: h from z, and dz *= f'(z) given z and h.
struct sigmoid {
    template <class Z, class H>
    static void value(Z const& z, H& h) {
        h = (1.0f + (-z.array()).exp()).inverse().matrix();
    }
    template <class Z, class H, class D>
    static void backward(Z const&, H const& h, D& dz) {
        dz.array() *= h.array() * (1.0f - h.array());
    }
};
struct relu {
    template <class Z, class H>
    static void value(Z const& z, H& h) {
        h = z.cwiseMax(0.0f);
    }
    template <class Z, class H, class D>
    static void backward(Z const& z, H const&, D& dz) {
        dz.array() *= (z.array() > 0.0f).template cast<float>();
    }
};
struct tanh {
    template <class Z, class H>
    static void value(Z const& z, H& h) {
        h = z.array().tanh().matrix();
    }
    template <class Z, class H, class D>
    static void backward(Z const&, H const& h, D& dz) {
        dz.array() *= 1.0f - h.array().square();
    }
};

// Losses on the last layer's z (Out x Rows), writing dLoss/dz into dz; `scratch` is z-sized.

/// softplus(z) - z t, mean over elements; gradient (sigmoid(z) - t) / count.
struct bce_with_logits {
    template <class Z, class T, class D>
    static float evaluate(Z const& z, T const& t, D& dz, D& scratch) {
        auto const count = static_cast<float>(z.size());
        scratch = (-z.array().abs()).exp().matrix();  // e = exp(-|z|) serves softplus and sigmoid
        auto const e = scratch.array();
        float const loss = (z.array().max(0.0f) + e.log1p() - z.array() * t.array()).sum() / count;
        dz = (((z.array() >= 0.0f).select(1.0f, e) / (1.0f + e) - t.array()) / count).matrix();
        return loss;
    }
};

/// (z - t)^2, mean over elements; gradient 2 (z - t) / count.
struct mse {
    template <class Z, class T, class D>
    static float evaluate(Z const& z, T const& t, D& dz, D&) {
        auto const count = static_cast<float>(z.size());
        dz = z - t;
        float const loss = dz.squaredNorm() / count;
        dz *= 2.0f / count;
        return loss;
    }
};

/// log-sum-exp(z) - z[label] per column (shifted by its maximum), mean over columns; gradient
/// (softmax(z) - onehot(label)) / rows.
struct softmax_cross_entropy {
    template <class Z, class Labels, class D>
    static float evaluate(Z const& z, Labels const& labels, D& dz, D&) {
        auto const rows = static_cast<float>(z.cols());
        float loss = 0;
        for (Eigen::Index c = 0; c < z.cols(); ++c) {
            float const m = z.col(c).maxCoeff();
            dz.col(c) = (z.col(c).array() - m).exp().matrix();
            float const sum = dz.col(c).sum();
            auto const label = static_cast<Eigen::Index>(labels[static_cast<std::size_t>(c)]);
            loss += m + std::log(sum) - z(label, c);
            dz.col(c) *= 1.0f / (sum * rows);
            dz(label, c) -= 1.0f / rows;
        }
        return loss / rows;
    }
};

/// A dense layer K -> N over M columns, with its optimiser state.
template <bool Fixed, int K, int N, int M>
struct dense {
    mat<Fixed, N, K> w = zeros<Fixed, N, K>(), dw = zeros<Fixed, N, K>(), mw = zeros<Fixed, N, K>(),
                     vw = zeros<Fixed, N, K>();
    vec<Fixed, N> b = zeros<Fixed, N, 1>(), db = zeros<Fixed, N, 1>(), mb = zeros<Fixed, N, 1>(),
                  vb = zeros<Fixed, N, 1>();
    mat<Fixed, N, M> z = zeros<Fixed, N, M>(), h = zeros<Fixed, N, M>(), dz = zeros<Fixed, N, M>();

    template <class X>
    void forward(X const& x) {
        z.noalias() = w * x;
        z.colwise() += b;
    }
    /// dW and db from dz and the layer's input x.
    template <class X>
    void weight_gradient(X const& x) {
        dw.noalias() = dz * x.transpose();
        db = dz.rowwise().sum();
    }
};

struct sgd {
    float lr;
    template <class Layer>
    void update(Layer& l) const {
        l.w -= lr * l.dw;
        l.b -= lr * l.db;
    }
};

/// PyTorch's Adam (as typegrad's optim/adam.hpp): the bias corrections once per step.
struct adam {
    float lr;
    float step_size = 0, inverse_root_correction = 1;
    std::size_t steps = 0;
    static constexpr float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;

    void next_step() {
        ++steps;
        double const t = static_cast<double>(steps);
        step_size = static_cast<float>(lr / (1 - std::pow(double(beta1), t)));
        inverse_root_correction = static_cast<float>(1 / std::sqrt(1 - std::pow(double(beta2), t)));
    }
    template <class P, class G, class S>
    void update(P& theta, G const& g, S& m, S& v) const {
        m = beta1 * m + (1 - beta1) * g;
        v = (beta2 * v.array() + (1 - beta2) * g.array().square()).matrix();
        theta.array() -= step_size * m.array() / (v.array().sqrt() * inverse_root_correction + eps);
    }
    template <class Layer>
    void update(Layer& l) const {
        update(l.w, l.dw, l.mw, l.vw);
        update(l.b, l.db, l.mb, l.vb);
    }
};

template <bool Fixed, int Rows, class Activation, class Loss, class Optimiser, int... Widths>
class mlp {
    static constexpr int widths[] = {Widths...};
    static constexpr std::size_t depth = sizeof...(Widths) - 1;

    template <std::size_t... J>
    static auto make_layers(std::index_sequence<J...>) -> std::tuple<dense<Fixed, widths[J], widths[J + 1], Rows>...>;
    using layers_t = decltype(make_layers(std::make_index_sequence<depth>{}));
    using input_t = Eigen::Map<mat<Fixed, widths[0], Rows> const>;
    using output_t = mat<Fixed, widths[depth], Rows>;

public:
    static constexpr int in = widths[0];
    static constexpr int out = widths[depth];

    /// The problem's weights, input and targets (mapped, not copied: p must outlive the net).
    explicit mlp(problem const& p) : x_(p.x.data(), in, Rows), optimiser_{p.lr} {
        for_each_layer([&](auto j, auto& l) {
            l.w = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> const>(
                p.weights[j].data(), l.w.rows(), l.w.cols());
            l.b = Eigen::Map<Eigen::VectorXf const>(p.biases[j].data(), l.b.rows());
        });
        if (p.loss == loss::softmax_cross_entropy)
            labels_ = p.labels.data();
        else if (p.targets.size() == std::size_t(out) * Rows)
            targets_ = Eigen::Map<Eigen::MatrixXf const>(p.targets.data(), out, Rows);
    }

    /// The output (Out x Rows, a column per row of the input) for input columns x.
    template <class X>
    output_t const& forward(X const& x) {
        for_each_layer([&](auto j, auto& l) {
            if constexpr (j == 0)
                l.forward(x);
            else
                l.forward(std::get<j - 1>(layers_).h);
            if constexpr (j + 1 < depth) Activation::value(l.z, l.h);
        });
        return std::get<depth - 1>(layers_).z;
    }

    float step() {
        forward(x_);
        auto& last = std::get<depth - 1>(layers_);
        float loss;
        if constexpr (std::is_same_v<Loss, softmax_cross_entropy>)
            loss = Loss::evaluate(last.z, labels_, last.dz, scratch_);
        else
            loss = Loss::evaluate(last.z, targets_, last.dz, scratch_);
        backward(std::make_index_sequence<depth>{});
        if constexpr (std::is_same_v<Optimiser, adam>) optimiser_.next_step();
        for_each_layer([&](auto, auto& l) { optimiser_.update(l); });
        return loss;
    }

    input_t const& input() const { return x_; }

private:
    template <class F>
    void for_each_layer(F&& f) {
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            (f(std::integral_constant<std::size_t, J>{}, std::get<J>(layers_)), ...);
        }(std::make_index_sequence<depth>{});
    }

    /// From the last layer down: dW, db, then dz of the layer below (none below the first).
    template <std::size_t... J>
    void backward(std::index_sequence<J...>) {
        (backward_layer<depth - 1 - J>(), ...);
    }
    template <std::size_t J>
    void backward_layer() {
        auto& l = std::get<J>(layers_);
        if constexpr (J == 0) {
            l.weight_gradient(x_);
        } else {
            auto& below = std::get<J - 1>(layers_);
            l.weight_gradient(below.h);
            below.dz.noalias() = l.w.transpose() * l.dz;
            Activation::backward(below.z, below.h, below.dz);
        }
    }

    layers_t layers_;
    input_t x_;
    output_t targets_ = zeros<Fixed, out, Rows>(), scratch_ = zeros<Fixed, out, Rows>();
    int const* labels_ = nullptr;
    Optimiser optimiser_;
};

}  // namespace typegrad_bench::compare::eigen
