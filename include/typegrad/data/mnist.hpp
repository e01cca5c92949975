#pragma once
// load_mnist<T = float, Pixels = 784>(images, labels, classes = 10): an MNIST-style pair of IDX
// files (MNIST, Fashion-MNIST, EMNIST, KMNIST; plain or gzip) as a dataset<T, Pixels> whose
// features are the pixels scaled to [0, 1] (value / 255) and whose labels are the class indices.
//
//   auto train = tg::data::load_mnist("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz",
//                                     "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz");
//
// The width is the caller's, at compile time: a file whose images have rows * cols != Pixels is a
// tg::error naming the file and both sizes. Also errors: everything read_idx_images and
// read_idx_labels reject (idx.hpp), image and label counts that differ (both files named), a
// label >= classes (file, byte offset, label and the number of classes), classes outside
// [1, 256]. The result is returned by value, so a failed load leaves nothing behind.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <typegrad/data/dataset.hpp>
#include <typegrad/data/idx.hpp>
#include <typegrad/error.hpp>
#include <typegrad/simd/batch.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::data {

namespace detail {

inline std::string mnist_api(std::size_t bytes_per_value, std::size_t pixels) {
    return "typegrad::data::load_mnist<" + std::string(bytes_per_value == 4 ? "float" : "double") + ", " +
           std::to_string(pixels) + ">";
}

inline void check_mnist_classes(std::string const& api, std::size_t classes) {
    if (classes < 1 || classes > 256)
        throw error(api + ": " + std::to_string(classes) + " classes; expected 1 to 256 (labels are single bytes)");
}

/// Checks a read pair of IDX files against each other and the width, and scales the pixels.
/// `images_name` and `labels_name` stand for the files in messages.
template <scalar T, std::size_t Pixels>
dataset<T, Pixels> mnist_dataset(idx_images const& images, std::span<std::uint8_t const> labels, std::size_t classes,
                                 std::string const& images_name, std::string const& labels_name) {
    std::string const api = mnist_api(sizeof(T), Pixels);
    check_mnist_classes(api, classes);
    if (images.rows * images.cols != Pixels)
        throw error(api + ": " + images_name + ": images of " + std::to_string(images.rows) + "x" +
                    std::to_string(images.cols) + " = " + std::to_string(images.rows * images.cols) +
                    " pixels, expected " + std::to_string(Pixels) + " pixels per image");
    if (images.count != labels.size())
        throw error(api + ": " + std::to_string(images.count) + " images in " + images_name + " but " +
                    std::to_string(labels.size()) + " labels in " + labels_name + "; expected one label per image");
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= classes)
            throw error(api + ": " + labels_name + ": label " + std::to_string(labels[i]) + " of image " +
                        std::to_string(i) + " (at byte " + std::to_string(8 + i) +
                        " of the IDX data) is out of range: expected 0 to " + std::to_string(classes - 1) +
                        " for " + std::to_string(classes) + " classes");
    matrix<T, Pixels> features(images.count);
    T* out = features.data();
    std::uint8_t const* in = images.pixels.data();
    for (std::size_t i = 0, n = images.count * Pixels; i < n; ++i) out[i] = static_cast<T>(in[i]) / T(255);
    return dataset<T, Pixels>(std::move(features), std::vector<int>(labels.begin(), labels.end()));
}

}  // namespace detail

/// The images and labels of an MNIST-style pair of IDX files, pixels scaled to [0, 1].
template <scalar T = float, std::size_t Pixels = 784>
dataset<T, Pixels> load_mnist(std::filesystem::path const& images, std::filesystem::path const& labels,
                              std::size_t classes = 10) {
    detail::check_mnist_classes(detail::mnist_api(sizeof(T), Pixels), classes);  // before reading anything
    idx_images const pixels = read_idx_images(images);
    std::vector<std::uint8_t> const classes_of = read_idx_labels(labels);
    return detail::mnist_dataset<T, Pixels>(pixels, classes_of, classes, images.string(), labels.string());
}

}  // namespace typegrad::data
