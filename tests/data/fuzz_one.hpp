#pragma once
// One fuzz input through every tg::data reader, shared by the corpus replay (tests/data/fuzz.cpp,
// run by CTest under g++, also with ASan+UBSan) and the libFuzzer target (tests/data/libfuzzer/,
// clang only). Includes only data/ headers, which is what lets clang 14 build the libFuzzer target.
//
// Each reader must either succeed or throw tg::error. Anything else escapes fuzz_one: another
// exception type (so Catch fails the test and libFuzzer reports an uncaught exception), a crash,
// or a sanitizer report. After a successful read, the result's invariants are checked and it is
// run through the dataset machinery (batches, a shuffled epoch, a split); a broken invariant
// throws std::logic_error.

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <typegrad/data/csv.hpp>
#include <typegrad/data/dataset.hpp>
#include <typegrad/data/idx.hpp>
#include <typegrad/data/loader.hpp>
#include <typegrad/data/mnist.hpp>
#include <typegrad/error.hpp>

namespace typegrad_test {

struct fuzz_outcome {
    int succeeded = 0;  // readers that accepted the input
    int rejected = 0;   // readers that threw tg::error
};

inline void fuzz_invariant(bool holds, char const* what) {
    if (!holds) throw std::logic_error(std::string("tg::data fuzz invariant broken: ") + what);
}

template <class Dataset>
void fuzz_exercise(Dataset const& ds) {
    std::size_t rows = 0;
    for (auto const& b : ds.batches(3)) {
        fuzz_invariant(b.labels.empty() || b.labels.size() == b.rows(), "labels per batch row");
        rows += b.rows();
    }
    fuzz_invariant(rows == ds.size(), "batches cover the rows");
    typegrad::data::loader train(ds, 2, 1);
    rows = 0;
    for (auto const& b : train.epoch()) rows += b.rows();
    fuzz_invariant(rows == ds.size(), "an epoch covers the rows");
    auto const parts = ds.split(0.5, 3);
    fuzz_invariant(parts.train.size() + parts.validation.size() == ds.size(), "split partitions the rows");
}

/// Runs every reader over `data`; returns how many accepted and how many rejected it.
inline fuzz_outcome fuzz_one(std::span<std::uint8_t const> data) {
    namespace tgd = typegrad::data;
    fuzz_outcome outcome;
    auto const attempt = [&](auto&& read) {
        try {
            read();
            ++outcome.succeeded;
        } catch (typegrad::error const& e) {
            fuzz_invariant(std::string(e.what()).find("fuzz-input") != std::string::npos ||
                               std::string(e.what()).find("load_mnist") != std::string::npos,
                           "an error message names its input");
            ++outcome.rejected;
        }
    };

    attempt([&] {
        auto const images = tgd::read_idx_images(data, "fuzz-input");
        fuzz_invariant(images.pixels.size() == images.count * images.rows * images.cols, "pixels match the header");
        fuzz_invariant(images.pixels.size() <= 1100 * data.size(), "no more pixels than the input can hold (deflate: under 1032:1)");
        if (images.count <= 4096) {
            std::vector<std::uint8_t> const labels(images.count, 1);
            auto const ds = tgd::detail::mnist_dataset<float, 20>(images, labels, 10, "fuzz-input", "fuzz-input");
            fuzz_exercise(ds);
        }
    });
    attempt([&] {
        auto const labels = tgd::read_idx_labels(data, "fuzz-input");
        fuzz_invariant(labels.size() <= 1100 * data.size(), "no more labels than the input can hold");
    });
    attempt([&] { fuzz_exercise(tgd::read_csv<float, 2>(data, "fuzz-input")); });
    attempt([&] {
        fuzz_exercise(tgd::read_csv<double, 2, 1>(data, "fuzz-input", {.header = true, .label_column = 0, .classes = 3}));
    });
    attempt([&] { fuzz_exercise(tgd::read_csv<float, 1>(data, "fuzz-input", {.delimiter = ';', .label_column = 1})); });
    return outcome;
}

}  // namespace typegrad_test
