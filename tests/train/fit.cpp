// The training loop: it learns a separable problem, reports each epoch, is reproducible from its
// seed, and stops when the callback says so.

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <vector>

#include <typegrad/data/dataset.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/init.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/optim/adam.hpp>
#include <typegrad/train/fit.hpp>
#include <typegrad/train/progress.hpp>

namespace tg = typegrad;

namespace {

using net_t = tg::nn::sequential<tg::nn::dense<2, 16>, tg::nn::tanh, tg::nn::dense<16, 3>>;

// Three Gaussian blobs, one per class.
tg::data::dataset<float, 2> blobs(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::normal_distribution<float> noise(0.0f, 0.3f);
    float const centres[3][2] = {{-1.5f, 0.0f}, {1.5f, 0.0f}, {0.0f, 2.0f}};
    tg::matrix<float, 2> x(n);
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) {
        int const c = static_cast<int>(i % 3);
        x(i, 0) = centres[c][0] + noise(engine);
        x(i, 1) = centres[c][1] + noise(engine);
        labels[i] = c;
    }
    return {std::move(x), std::move(labels)};
}

tg::fit_options quiet(std::size_t epochs) {
    return {.epochs = epochs, .batch_size = 16, .seed = 9, .progress = false, .on_epoch = {}};
}

}  // namespace

TEST_CASE("fit learns three blobs and reports every epoch", "[train][fit]") {
    auto const train = blobs(300, 1);
    auto const test = blobs(150, 2);
    net_t net;
    tg::init::initialize(net, tg::init::xavier_uniform{}, 3);
    tg::optim::adam opt{net, {.lr = 0.01f}};
    auto const history = tg::fit(net, tg::loss::softmax_cross_entropy{}, opt, train, test, quiet(15));
    REQUIRE(history.size() == 15);
    CHECK(history.front().train_loss > history.back().train_loss);
    CHECK(history.back().validation_accuracy.value() > 0.97);
    for (auto const& r : history) {
        CHECK(r.samples_per_second > 0);
        CHECK(r.validation_loss.has_value());
    }
    auto const e = tg::evaluate(net, tg::loss::softmax_cross_entropy{}, test);
    CHECK(e.accuracy == history.back().validation_accuracy.value());
    CHECK(e.predictions.size() == 150);
}

TEST_CASE("the same seed trains the same weights, bit for bit", "[train][fit]") {
    auto const train = blobs(90, 4);
    auto run = [&] {
        net_t net;
        tg::init::initialize(net, tg::init::he_normal{}, 5);
        tg::optim::adam opt{net, {.lr = 0.01f}};
        tg::fit(net, tg::loss::softmax_cross_entropy{}, opt, train, quiet(3));
        return net;
    };
    auto const a = run();
    auto const b = run();
    bool identical = true;
    zip_parameters(
        [&](auto const& x, auto const& y) {
            for (std::size_t i = 0; i < x.size(); ++i) identical = identical && x.data()[i] == y.data()[i];
        },
        a, b);
    CHECK(identical);
}

TEST_CASE("the callback sees each epoch and can stop training", "[train][fit]") {
    auto const train = blobs(60, 6);
    net_t net;
    tg::optim::adam opt{net, {.lr = 0.01f}};
    std::vector<std::size_t> seen;
    auto options = quiet(10);
    options.on_epoch = [&](tg::epoch_report const& r) {
        seen.push_back(r.epoch);
        return r.epoch < 2;  // stop after the third epoch
    };
    auto const history = tg::fit(net, tg::loss::softmax_cross_entropy{}, opt, train, options);
    CHECK(history.size() == 3);
    CHECK(seen == std::vector<std::size_t>{0, 1, 2});
}

TEST_CASE("the progress bar writes one line per epoch when not on a terminal", "[train][progress]") {
    std::FILE* out = std::tmpfile();
    REQUIRE(out != nullptr);
    tg::train::progress_bar bar(out, /*interactive=*/0);
    bar.start_epoch(0, 2, 10);
    for (std::size_t b = 0; b < 10; ++b) bar.batch_done(b, 0.5);
    bar.end_epoch("loss 0.5");
    std::rewind(out);
    char line[128] = {};
    REQUIRE(std::fgets(line, sizeof line, out) != nullptr);
    CHECK(std::string(line) == "epoch 1/2 loss 0.5\n");
    CHECK(std::fgets(line, sizeof line, out) == nullptr);  // nothing else: no redraws in a log
    std::fclose(out);
}
