// The backpropagation tutorial's PyTorch case: a 10-20-1 network, ReLU in the hidden layer and
// a linear output, trained with mean squared error and plain SGD, printing the loss per epoch.
//
//   regression [--epochs N] [--seed N]
//
// The data are synthetic and seeded: 1024 rows of 10 inputs in [-1, 1), and a target that is a
// fixed nonlinear function of them plus a little noise (a sum of |x_i| and x_i x_{i+1} terms, so
// that a linear model cannot fit it but 20 ReLUs mostly can). tg::fit shuffles them into batches
// of 32 each epoch. Exits nonzero unless the final loss is below a quarter of the initial one.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include <typegrad/data/dataset.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/optim/sgd.hpp>
#include <typegrad/train/evaluate.hpp>
#include <typegrad/train/fit.hpp>

namespace tg = typegrad;

namespace {

using net_t = tg::nn::sequential<tg::nn::dense<10, 20>, tg::nn::relu, tg::nn::dense<20, 1>>;

tg::data::dataset<float, 10, 1> make_data(std::size_t rows, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<float> input(-1.0f, 1.0f);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    tg::matrix<float, 10> x(rows);
    tg::matrix<float, 1> y(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        float target = 0;
        for (std::size_t i = 0; i < 10; ++i) x(r, i) = input(engine);
        for (std::size_t i = 0; i < 10; ++i) target += (i % 2 == 0 ? 0.5f : -0.3f) * std::abs(x(r, i));
        for (std::size_t i = 0; i + 1 < 10; i += 3) target += 0.4f * x(r, i) * x(r, i + 1);
        y(r, 0) = target + noise(engine);
    }
    return {std::move(x), std::move(y)};
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

    auto const data = make_data(1024, seed);
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, seed);
    tg::optim::sgd opt{net, {.lr = 0.05f}};
    auto const loss = tg::loss::mse{};

    double const initial = tg::evaluate(net, loss, data).loss;
    std::printf("10-20-1 ReLU, MSE, SGD lr 0.05, batch 32, %zu rows; loss before training %.5f\n", data.size(),
                initial);
    auto const history = tg::fit(net, loss, opt, data,
                                 {.epochs = epochs,
                                  .batch_size = 32,
                                  .seed = seed,
                                  .progress = false,
                                  .on_epoch = [&](tg::epoch_report const& r) {
                                      std::printf("Epoch [%zu/%zu], Loss: %.5f\n", r.epoch + 1, epochs, r.train_loss);
                                      return true;
                                  }});
    double const final_loss = tg::evaluate(net, loss, data).loss;
    std::printf("loss after %zu epochs %.5f (%.1f%% of the initial)\n", history.size(), final_loss,
                100.0 * final_loss / initial);
    if (!(final_loss < 0.25 * initial)) {
        std::fprintf(stderr, "regression: the loss went from %.5f to %.5f, not below a quarter of it\n", initial,
                     final_loss);
        return 1;
    }
    return 0;
}
