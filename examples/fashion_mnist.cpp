// The main job: a 784-256-128-10 ReLU network trained on Fashion-MNIST with softmax
// cross-entropy and Adam, from the Debian package dataset-fashion-mnist.
//
//   fashion_mnist [--epochs N] [--batch-size N] [--lr X] [--seed N] [--threads N]
//                 [--data-dir DIR] [--limit N] [--out DIR]
//
// Adam's rate anneals along a cosine over the epochs. Prints per-epoch training loss, test accuracy and throughput, then the confusion matrix and
// per-class precision, recall and F1; saves a checkpoint (safetensors, PyTorch names), the
// metrics as CSV and the learning curves as SVG into --out. The same seed gives the same weights,
// bit for bit.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <typegrad/data/mnist.hpp>
#include <typegrad/io/safetensors.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/optim/adam.hpp>
#include <typegrad/optim/schedule.hpp>
#include <typegrad/train/evaluate.hpp>
#include <typegrad/train/fit.hpp>
#include <typegrad/train/metrics.hpp>

namespace tg = typegrad;

namespace {

using net_t = tg::nn::sequential<tg::nn::dense<784, 256>, tg::nn::relu, tg::nn::dense<256, 128>, tg::nn::relu,
                                 tg::nn::dense<128, 10>>;

constexpr char const* class_names[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

struct settings {
    std::size_t epochs = 10;
    std::size_t batch_size = 64;
    float lr = 1e-3f;
    std::uint64_t seed = 42;
    std::size_t threads = 1;
    std::filesystem::path data_dir = "/usr/share/datasets/fashion-mnist";
    std::size_t limit = 0;  // 0: every training image
    std::filesystem::path out = "fashion_mnist_out";
};

[[noreturn]] void usage(std::string const& problem) {
    std::fprintf(stderr,
                 "fashion_mnist: %s\nusage: fashion_mnist [--epochs N] [--batch-size N] [--lr X] [--seed N] "
                 "[--threads N] [--data-dir DIR] [--limit N] [--out DIR]\n",
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
        if (flag == "--help" || flag == "-h") usage("trains 784-256-128-10 on Fashion-MNIST");
        if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
        std::string_view const value = argv[++i];
        if (flag == "--epochs") s.epochs = number<std::size_t>(flag, value);
        else if (flag == "--batch-size") s.batch_size = number<std::size_t>(flag, value);
        else if (flag == "--lr") s.lr = number<float>(flag, value);
        else if (flag == "--seed") s.seed = number<std::uint64_t>(flag, value);
        else if (flag == "--threads") s.threads = number<std::size_t>(flag, value);
        else if (flag == "--data-dir") s.data_dir = value;
        else if (flag == "--limit") s.limit = number<std::size_t>(flag, value);
        else if (flag == "--out") s.out = value;
        else usage("unknown option " + std::string(flag));
    }
    if (s.batch_size == 0) usage("--batch-size must be at least 1");
    if (s.threads == 0) usage("--threads must be at least 1");
    return s;
}

// The learning curves as a small SVG: training loss and test accuracy per epoch.
void write_svg(std::filesystem::path const& path, std::vector<tg::epoch_report> const& history) {
    constexpr double width = 640, height = 360, margin = 50;
    double max_loss = 0;
    for (auto const& r : history) max_loss = std::max(max_loss, r.train_loss);
    auto const x = [&](std::size_t e) {
        return margin + (width - 2 * margin) * (history.size() < 2 ? 0.5 : double(e) / double(history.size() - 1));
    };
    auto const y = [&](double v, double top) { return height - margin - (height - 2 * margin) * (v / top); };
    std::ofstream svg(path);
    svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height << "'>\n"
        << "<rect width='100%' height='100%' fill='white'/>\n"
        << "<text x='" << margin << "' y='25' font-family='sans-serif' font-size='14'>Fashion-MNIST, 784-256-128-10: "
        << "training loss (blue, 0 to " << max_loss << ") and test accuracy (orange, 0 to 1) per epoch</text>\n"
        << "<line x1='" << margin << "' y1='" << height - margin << "' x2='" << width - margin << "' y2='"
        << height - margin << "' stroke='black'/>\n";
    auto polyline = [&](auto value, double top, char const* colour) {
        svg << "<polyline fill='none' stroke='" << colour << "' stroke-width='2' points='";
        for (std::size_t e = 0; e < history.size(); ++e) svg << x(e) << ',' << y(value(history[e]), top) << ' ';
        svg << "'/>\n";
    };
    polyline([](auto const& r) { return r.train_loss; }, max_loss, "steelblue");
    polyline([](auto const& r) { return r.validation_accuracy.value_or(0); }, 1.0, "darkorange");
    svg << "</svg>\n";
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
    std::printf("Fashion-MNIST: %zu training and %zu test images; 784-256-128-10 ReLU, softmax cross-entropy, "
                "Adam lr %g, batch %zu, seed %llu, %zu thread%s\n",
                train.size(), test.size(), double(s.lr), s.batch_size, static_cast<unsigned long long>(s.seed),
                s.threads, s.threads == 1 ? "" : "s");

    // The GEMMs split over this many threads; the result is the same to the bit for any number.
    tg::set_num_threads(s.threads);
    net_t net;
    tg::init::initialize(net, tg::init::he_uniform{}, s.seed);
    tg::optim::adam opt{net, {.lr = s.lr}};
    auto const loss = tg::loss::softmax_cross_entropy{};

    // The rate anneals along a cosine to zero over the run, set after each epoch by fit's hook.
    tg::optim::cosine_annealing const schedule{.base = s.lr, .period = s.epochs, .minimum = 0};
    auto const history = tg::fit(net, loss, opt, train, test,
                                 {.epochs = s.epochs,
                                  .batch_size = s.batch_size,
                                  .seed = s.seed,
                                  .progress = true,
                                  .on_epoch = [&](tg::epoch_report const& r) {
                                      opt.set_lr(static_cast<float>(schedule(r.epoch + 1)));
                                      return true;
                                  }});

    double training_seconds = 0;
    std::printf("\nepoch  train_loss  test_accuracy  samples/s\n");
    for (auto const& r : history) {
        training_seconds += r.seconds;
        std::printf("%5zu  %10.4f  %13.4f  %9.0f\n", r.epoch + 1, r.train_loss, r.validation_accuracy.value_or(0),
                    r.samples_per_second);
    }

    auto const result = tg::evaluate(net, loss, test);
    tg::metrics::confusion_matrix confusion(10);
    confusion.add(test.labels(), result.predictions);
    std::printf("\nconfusion matrix (rows: true class, columns: predicted)\n%12s", "");
    for (std::size_t c = 0; c < 10; ++c) std::printf("%6zu", c);
    std::printf("\n");
    for (std::size_t t = 0; t < 10; ++t) {
        std::printf("%2zu %-9.9s", t, class_names[t]);
        for (std::size_t p = 0; p < 10; ++p) std::printf("%6zu", confusion(t, p));
        std::printf("\n");
    }
    std::printf("\n%-12s %9s %9s %9s\n", "class", "precision", "recall", "f1");
    for (std::size_t c = 0; c < 10; ++c)
        std::printf("%-12s %9.4f %9.4f %9.4f\n", class_names[c], confusion.precision(c), confusion.recall(c), confusion.f1(c));
    std::printf("%-12s %9.4f %9.4f %9.4f\n", "macro", confusion.macro_precision(), confusion.macro_recall(),
                confusion.macro_f1());

    std::filesystem::create_directories(s.out);
    tg::io::save(net, s.out / "model.safetensors");
    {
        std::ofstream csv(s.out / "metrics.csv");
        csv << "epoch,train_loss,test_loss,test_accuracy,seconds,samples_per_second\n";
        for (auto const& r : history)
            csv << r.epoch + 1 << ',' << r.train_loss << ',' << r.validation_loss.value_or(0) << ','
                << r.validation_accuracy.value_or(0) << ',' << r.seconds << ',' << r.samples_per_second << '\n';
    }
    write_svg(s.out / "curves.svg", history);
    std::printf("\ntest accuracy %.4f after %zu epochs, %.1f s of training; wrote %s/{model.safetensors, metrics.csv, "
                "curves.svg}\n",
                confusion.accuracy(), history.size(), training_seconds, s.out.c_str());
    return 0;
} catch (tg::error const& e) {
    std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
    return 1;
}
