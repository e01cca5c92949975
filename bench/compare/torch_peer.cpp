// The libtorch peer (see torch_peer.hpp). Written as a PyTorch user writes a training step:
// nn::Sequential, a loss from torch::nn::functional on the logits, torch::optim, zero_grad,
// backward, step. The losses on logits are the ones typegrad and the plain loops compute
// (binary_cross_entropy_with_logits for a sigmoid output trained with BCE, cross_entropy for a
// softmax output trained with categorical cross-entropy).

#include "torch_peer.hpp"

#include <dlfcn.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>
#include <torch/utils.h>
#include <torch/version.h>

namespace typegrad_bench::compare {

namespace {

torch::Tensor to_tensor(std::vector<float> const& values, std::vector<std::int64_t> shape) {
    return torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat32).clone();
}

}  // namespace

struct torch_trainer::state {
    torch::nn::Sequential net;
    std::variant<torch::optim::SGD, torch::optim::Adam> optimiser;
    torch::Tensor x, targets;
    compare::loss loss;

    static torch::nn::Sequential make_net(problem const& p) {
        torch::nn::Sequential net;
        torch::NoGradGuard no_grad;
        for (std::size_t j = 0; j + 1 < p.widths.size(); ++j) {
            auto const in = static_cast<std::int64_t>(p.widths[j]), out = static_cast<std::int64_t>(p.widths[j + 1]);
            torch::nn::Linear linear(in, out);
            linear->weight.copy_(to_tensor(p.weights[j], {out, in}));
            linear->bias.copy_(to_tensor(p.biases[j], {out}));
            net->push_back(linear);
            if (j + 2 < p.widths.size()) {
                switch (p.hidden) {
                    case activation::sigmoid: net->push_back(torch::nn::Sigmoid()); break;
                    case activation::relu: net->push_back(torch::nn::ReLU()); break;
                    case activation::tanh: net->push_back(torch::nn::Tanh()); break;
                }
            }
        }
        return net;
    }

    static std::variant<torch::optim::SGD, torch::optim::Adam> make_optimiser(problem const& p,
                                                                             torch::nn::Sequential const& net) {
        if (p.optimiser == optimiser::sgd)
            return torch::optim::SGD(net->parameters(), torch::optim::SGDOptions(p.lr));
        return torch::optim::Adam(net->parameters(), torch::optim::AdamOptions(p.lr));
    }

    explicit state(problem const& p)
        : net(make_net(p)), optimiser(make_optimiser(p, net)),
          x(to_tensor(p.x, {static_cast<std::int64_t>(p.rows), static_cast<std::int64_t>(p.widths.front())})),
          loss(p.loss) {
        if (p.loss == loss::softmax_cross_entropy) {
            targets = torch::empty({static_cast<std::int64_t>(p.rows)}, torch::kInt64);
            for (std::size_t r = 0; r < p.rows; ++r) targets[static_cast<std::int64_t>(r)] = p.labels[r];
        } else {
            targets = to_tensor(p.targets, {static_cast<std::int64_t>(p.rows), static_cast<std::int64_t>(p.widths.back())});
        }
    }
};

torch_trainer::torch_trainer(problem const& p) : state_(std::make_unique<state>(p)) {}
torch_trainer::~torch_trainer() = default;

float torch_trainer::step() {
    namespace F = torch::nn::functional;
    state& s = *state_;
    std::visit([](auto& opt) { opt.zero_grad(); }, s.optimiser);
    torch::Tensor const logits = s.net->forward(s.x);
    torch::Tensor loss;
    switch (s.loss) {
        case loss::bce_with_logits: loss = F::binary_cross_entropy_with_logits(logits, s.targets); break;
        case loss::mse: loss = F::mse_loss(logits, s.targets); break;
        case loss::softmax_cross_entropy: loss = F::cross_entropy(logits, s.targets); break;
    }
    loss.backward();
    std::visit([](auto& opt) { opt.step(); }, s.optimiser);
    return loss.item<float>();
}

namespace {
// OpenBLAS's own entry points, looked up at run time: present only when libtorch's BLAS is it.
template <class F>
F* openblas(char const* name) {
    return reinterpret_cast<F*>(dlsym(RTLD_DEFAULT, name));
}
}  // namespace

void set_torch_threads(int threads) {
    torch::set_num_threads(threads);
    if (auto* set = openblas<void(int)>("openblas_set_num_threads")) set(threads);
}

char const* torch_description() {
    static std::string const text = [] {
        std::string t = "libtorch " TORCH_VERSION " (BLAS: ";
        if (auto* config = openblas<char*()>("openblas_get_config"))
            t += config();
        else
            t += "not OpenBLAS";
        return t + ")";
    }();
    return text.c_str();
}

}  // namespace typegrad_bench::compare
