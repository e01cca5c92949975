#pragma once
// tg::fit(net, loss, opt, train[, validation], options): the training loop. Shuffled batches each
// epoch (seeded: the same seed gives the same run), one backprop and one optimiser step per
// batch, then the epoch's mean training loss, throughput, and — given a validation set — its loss
// and accuracy. A progress bar goes to stderr; a callback sees each epoch and may stop training.
//
//   auto history = tg::fit(net, tg::loss::softmax_cross_entropy{}, opt, train, test,
//                          {.epochs = 10, .batch_size = 64, .seed = 1});

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <typegrad/data/dataset.hpp>
#include <typegrad/data/loader.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/train/evaluate.hpp>
#include <typegrad/train/progress.hpp>

namespace typegrad {

struct epoch_report {
    std::size_t epoch = 0;  ///< from 0
    double train_loss = 0;  ///< mean over the epoch's samples
    double seconds = 0;     ///< training time of the epoch (without validation)
    double samples_per_second = 0;
    std::optional<double> validation_loss;
    std::optional<double> validation_accuracy;
};

struct fit_options {
    std::size_t epochs = 10;
    std::size_t batch_size = 64;
    std::uint64_t seed = 42;
    bool progress = true;  ///< the bar and per-epoch lines on stderr
    /// Called after every epoch; returning false stops training.
    std::function<bool(epoch_report const&)> on_epoch;
};

namespace detail {

template <class Net, class Loss, class Optimizer, class Dataset>
std::vector<epoch_report> fit(Net& net, Loss const& loss, Optimizer& opt, Dataset const& train, Dataset const* validation,
                              fit_options const& options) {
    data::loader batches(train, options.batch_size, options.seed);
    auto grads = nn::gradients_like(net);
    train::progress_bar bar;
    std::vector<epoch_report> history;
    for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
        epoch_report report;
        report.epoch = epoch;
        auto const& epoch_batches = batches.epoch();
        if (options.progress) bar.start_epoch(epoch, options.epochs, epoch_batches.size());
        auto const start = std::chrono::steady_clock::now();
        double total = 0;
        std::size_t seen = 0, index = 0;
        for (auto const& b : epoch_batches) {
            double const batch_loss = nn::backprop(net, loss, b.features, training_targets(b), grads);
            opt.step(net, grads);
            total += batch_loss * static_cast<double>(b.rows());
            seen += b.rows();
            if (options.progress) bar.batch_done(index, total / static_cast<double>(seen));
            ++index;
        }
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        report.train_loss = seen == 0 ? 0 : total / static_cast<double>(seen);
        report.samples_per_second = report.seconds > 0 ? static_cast<double>(seen) / report.seconds : 0;
        std::string summary = "loss " + std::to_string(report.train_loss);
        if (validation) {
            auto const v = evaluate(net, loss, *validation);
            report.validation_loss = v.loss;
            summary += "  val_loss " + std::to_string(v.loss);
            if (validation->has_labels()) {
                report.validation_accuracy = v.accuracy;
                summary += "  val_accuracy " + std::to_string(v.accuracy);
            }
        }
        summary += "  " + std::to_string(static_cast<long long>(report.samples_per_second)) + " samples/s";
        if (options.progress) bar.end_epoch(summary);
        history.push_back(report);
        if (options.on_epoch && !options.on_epoch(report)) break;
    }
    return history;
}

}  // namespace detail

template <class Net, class Loss, class Optimizer, class Dataset>
std::vector<epoch_report> fit(Net& net, Loss const& loss, Optimizer& opt, Dataset const& train,
                              fit_options const& options = {}) {
    return detail::fit(net, loss, opt, train, static_cast<Dataset const*>(nullptr), options);
}

template <class Net, class Loss, class Optimizer, class Dataset>
std::vector<epoch_report> fit(Net& net, Loss const& loss, Optimizer& opt, Dataset const& train, Dataset const& validation,
                              fit_options const& options = {}) {
    return detail::fit(net, loss, opt, train, &validation, options);
}

}  // namespace typegrad
