// The backpropagation tutorial's PyTorch case: a 10-20-1 network, ReLU in the hidden layer and
// a linear output, trained with mean squared error and plain SGD, printing the loss per epoch.
//
//   regression [--epochs N] [--seed N]
//
// The data are synthetic and seeded: 1024 rows of 10 inputs in [-1, 1), and a target that is a
// fixed nonlinear function of them plus a little noise (a sum of |x_i| and x_i x_{i+1} terms, so
// that a linear model cannot fit it but 20 ReLUs mostly can). Each epoch steps through them in
// batches of 32 (views of the rows, no copies), with backprop and the optimiser written out as
// the tutorial's loop is. Exits nonzero unless the final loss is below a quarter of the initial
// one.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/optim/sgd.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace tg = typegrad;

namespace {

using net_t = tg::nn::sequential<tg::nn::dense<10, 20>, tg::nn::relu, tg::nn::dense<20, 1>>;

struct data {
    tg::matrix<float, 10> x;
    tg::matrix<float, 1> y;
};

data make_data(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<float> input(-1.0f, 1.0f);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    data d{tg::matrix<float, 10>(rows), tg::matrix<float, 1>(rows)};
    for (std::size_t r = 0; r < rows; ++r) {
        float target = 0;
        for (std::size_t i = 0; i < 10; ++i) d.x(r, i) = input(engine);
        for (std::size_t i = 0; i < 10; ++i) target += (i % 2 == 0 ? 0.5f : -0.3f) * std::abs(d.x(r, i));
        for (std::size_t i = 0; i + 1 < 10; i += 3) target += 0.4f * d.x(r, i) * d.x(r, i + 1);
        d.y(r, 0) = target + noise(engine);
    }
    return d;
}

/// The mean squared error over every row, from the network's outputs.
double mse_over(net_t const& net, data const& d) {
    auto const out = tg::nn::forward(net, d.x);
    double total = 0;
    for (std::size_t r = 0; r < d.x.rows(); ++r) {
        double const e = double(out(r, 0)) - double(d.y(r, 0));
        total += e * e;
    }
    return total / double(d.x.rows());
}

[[noreturn]] void usage(std::string const& problem) {
    std::fprintf(stderr, "regression: %s\nusage: regression [--epochs N] [--seed N]\n", problem.c_str());
    std::exit(2);
}

std::size_t number(std::string_view flag, std::string_view text) {
    std::size_t value{};
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size())
        usage(std::string(flag) + " needs a number, got '" + std::string(text) + "'");
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t epochs = 30, seed = 5;
    for (int i = 1; i < argc; ++i) {
        std::string_view const flag = argv[i];
        if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
        if (flag == "--epochs") epochs = number(flag, argv[++i]);
        else if (flag == "--seed") seed = number(flag, argv[++i]);
        else usage("unknown option " + std::string(flag));
    }

    constexpr std::size_t rows = 1024, batch = 32;
    auto const d = make_data(rows, seed);
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, seed);
    tg::optim::sgd opt{net, {.lr = 0.05f}};
    auto grads = tg::nn::gradients_like(net);

    double const initial = mse_over(net, d);
    std::printf("10-20-1 ReLU, MSE, SGD lr 0.05, batch %zu, %zu rows; loss before training %.5f\n", batch, rows,
                initial);
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
        double total = 0;
        for (std::size_t first = 0; first < rows; first += batch) {
            total += tg::nn::backprop(net, tg::loss::mse{}, d.x.subrows(first, batch), d.y.subrows(first, batch), grads);
            opt.step(net, grads);
        }
        std::printf("Epoch [%zu/%zu], Loss: %.5f\n", epoch + 1, epochs, total / double(rows / batch));
    }
    double const final_loss = mse_over(net, d);
    std::printf("loss after %zu epochs %.5f (%.1f%% of the initial)\n", epochs, final_loss, 100.0 * final_loss / initial);
    if (!(final_loss < 0.25 * initial)) {
        std::fprintf(stderr, "regression: the loss went from %.5f to %.5f, not below a quarter of it\n", initial,
                     final_loss);
        return 1;
    }
    return 0;
}
