// The backpropagation tutorials' TensorFlow case in typegrad: a 784-10-10 network, ReLU in the
// hidden layer and softmax at the output, trained with categorical cross-entropy and Adam on
// Fashion-MNIST (Debian package dataset-fashion-mnist).
//
//   fashion_mnist_784_10_10 [--epochs N] [--batch-size N] [--lr X] [--seed N] [--limit N]
//                           [--data-dir DIR] [--min-accuracy X]
//
// As in the tutorial, the last layer is a softmax and the loss is cross-entropy on its
// probabilities (tg::loss::cross_entropy, Keras' CategoricalCrossentropy with class indices for
// one-hot rows). backprop trains the pair as softmax_cross_entropy on the logits: the same loss,
// with the stable gradient softmax(z) - y. tg::nn::forward gives probabilities, printed for a
// few test images at the end. Exits nonzero if the test accuracy is below --min-accuracy
// (default 0.6; ten classes make chance 0.1).

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <typegrad/data/mnist.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/forward.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/nn/softmax.hpp>
#include <typegrad/optim/adam.hpp>
#include <typegrad/train/evaluate.hpp>
#include <typegrad/train/fit.hpp>

namespace tg = typegrad;

namespace {

using net_t = tg::nn::sequential<tg::nn::dense<784, 10>, tg::nn::relu, tg::nn::dense<10, 10>, tg::nn::softmax>;

constexpr char const* class_names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

struct settings {
    std::size_t epochs = 5;
    std::size_t batch_size = 32;
    float lr = 1e-3f;
    std::uint64_t seed = 42;
    std::size_t limit = 0;  // 0: every training image
    std::filesystem::path data_dir = "/usr/share/datasets/fashion-mnist";
    double min_accuracy = 0.6;
};

[[noreturn]] void usage(std::string const& problem) {
    std::fprintf(stderr,
                 "fashion_mnist_784_10_10: %s\nusage: fashion_mnist_784_10_10 [--epochs N] [--batch-size N] [--lr X] "
                 "[--seed N] [--limit N] [--data-dir DIR] [--min-accuracy X]\n",
                 problem.c_str());
    std::exit(2);
}

template <class T>
T number(std::string_view flag, std::string_view text) {
    T value{};
    auto const [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size())
        usage(std::string(flag) + " needs a number, got '" + std::string(text) + "'");
    return value;
}

settings parse(int argc, char** argv) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        std::string_view const flag = argv[i];
        if (flag == "--help" || flag == "-h") usage("trains 784-10-10 on Fashion-MNIST");
        if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
        std::string_view const value = argv[++i];
        if (flag == "--epochs") s.epochs = number<std::size_t>(flag, value);
        else if (flag == "--batch-size") s.batch_size = number<std::size_t>(flag, value);
        else if (flag == "--lr") s.lr = number<float>(flag, value);
        else if (flag == "--seed") s.seed = number<std::uint64_t>(flag, value);
        else if (flag == "--limit") s.limit = number<std::size_t>(flag, value);
        else if (flag == "--data-dir") s.data_dir = value;
        else if (flag == "--min-accuracy") s.min_accuracy = number<double>(flag, value);
        else usage("unknown option " + std::string(flag));
    }
    if (s.batch_size == 0) usage("--batch-size must be at least 1");
    return s;
}

}  // namespace

int main(int argc, char** argv) try {
    settings const s = parse(argc, argv);
    auto train = tg::data::load_mnist(s.data_dir / "train-images-idx3-ubyte.gz", s.data_dir / "train-labels-idx1-ubyte.gz");
    auto const test = tg::data::load_mnist(s.data_dir / "t10k-images-idx3-ubyte.gz", s.data_dir / "t10k-labels-idx1-ubyte.gz");
    if (s.limit > 0 && s.limit < train.size()) {
        std::vector<std::size_t> first(s.limit);
        for (std::size_t i = 0; i < s.limit; ++i) first[i] = i;
        train = train.subset(first);
    }
    std::printf("Fashion-MNIST: %zu training and %zu test images; 784-10-10 ReLU/softmax, cross-entropy, "
                "Adam lr %g, batch %zu\n",
                train.size(), test.size(), double(s.lr), s.batch_size);

    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, s.seed);
    tg::optim::adam opt{net, {.lr = s.lr}};
    auto const loss = tg::loss::cross_entropy{};
    auto const history = tg::fit(net, loss, opt, train, test,
                                 {.epochs = s.epochs, .batch_size = s.batch_size, .seed = s.seed, .progress = false,
                                  .on_epoch = [&](tg::epoch_report const& r) {
                                      std::printf("epoch %zu/%zu  train loss %.4f  test loss %.4f  test accuracy "
                                                  "%.4f  %.0f samples/s\n",
                                                  r.epoch + 1, s.epochs, r.train_loss, r.validation_loss.value_or(0),
                                                  r.validation_accuracy.value_or(0), r.samples_per_second);
                                      return true;
                                  }});

    // The softmax's probabilities for the first test images.
    constexpr std::size_t shown = 5;
    tg::matrix<float, 784> images(shown);
    std::copy_n(test.features().data(), shown * 784, images.data());
    auto const probabilities = tg::nn::forward(net, images);
    std::printf("\nfirst %zu test images: true class, predicted class (probability)\n", shown);
    for (std::size_t r = 0; r < shown; ++r) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < 10; ++c)
            if (probabilities(r, c) > probabilities(r, best)) best = c;
        std::printf("  %-11s  %-11s (%.3f)\n", class_names[test.labels()[r]], class_names[best],
                    double(probabilities(r, best)));
    }

    double const accuracy = history.empty() ? 0 : history.back().validation_accuracy.value_or(0);
    std::printf("\ntest accuracy %.4f after %zu epochs\n", accuracy, history.size());
    if (accuracy < s.min_accuracy) {
        std::fprintf(stderr, "fashion_mnist_784_10_10: test accuracy %.4f is below %.4f\n", accuracy, s.min_accuracy);
        return 1;
    }
    return 0;
} catch (tg::error const& e) {
    std::fprintf(stderr, "fashion_mnist_784_10_10: %s\n", e.what());
    return 1;
}
