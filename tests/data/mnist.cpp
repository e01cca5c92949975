// tg::data::load_mnist: small IDX pairs written to a temporary directory (scaling, labels, the
// checks between the two files), and the real Fashion-MNIST files of the Debian package
// dataset-fashion-mnist, which scripts/deps.sh installs for the tests.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <typegrad/data/mnist.hpp>
#include <typegrad/error.hpp>

#include "files.hpp"

namespace tg = typegrad;
using namespace typegrad_test;
using Catch::Contains;

TEST_CASE("load_mnist scales pixels to 0..1 and keeps the labels", "[data][mnist]") {
    temp_dir dir;
    write_gzip_file(dir / "images.gz", idx_images_file(4, 4, 5));
    write_file(dir / "labels", idx_labels_file({3, 0, 9, 3}));

    auto const ds = tg::data::load_mnist<float, 20>(dir / "images.gz", dir / "labels");
    STATIC_REQUIRE(std::is_same_v<decltype(ds), tg::data::dataset<float, 20> const>);
    REQUIRE(ds.size() == 4);
    CHECK(std::vector<int>(ds.labels().begin(), ds.labels().end()) == std::vector<int>{3, 0, 9, 3});
    bool all_match = true;
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t p = 0; p < 20; ++p)
            all_match = all_match && ds.features()(i, p) == static_cast<float>(test_pixel(i, p / 5, p % 5)) / 255.0f;
    CHECK(all_match);

    auto const ds64 = tg::data::load_mnist<double, 20>(dir / "images.gz", dir / "labels", 12);
    CHECK(ds64.features()(2, 7) == static_cast<double>(test_pixel(2, 1, 2)) / 255.0);
}

TEST_CASE("load_mnist: images of another size are an error naming the file and both sizes", "[data][mnist][errors]") {
    temp_dir dir;
    write_file(dir / "images", idx_images_file(2, 4, 5));
    write_file(dir / "labels", idx_labels_file({1, 2}));
    CHECK_THROWS_WITH((tg::data::load_mnist(dir / "images", dir / "labels")),
                      Contains("typegrad::data::load_mnist<float, 784>: " + (dir / "images").string() +
                               ": images of 4x5 = 20 pixels, expected 784 pixels per image"));
}

TEST_CASE("load_mnist: counts that differ are an error naming both files", "[data][mnist][errors]") {
    temp_dir dir;
    write_file(dir / "images", idx_images_file(3, 4, 5));
    write_file(dir / "labels", idx_labels_file({1, 2}));
    CHECK_THROWS_WITH((tg::data::load_mnist<float, 20>(dir / "images", dir / "labels")),
                      Contains("3 images in " + (dir / "images").string() + " but 2 labels in " +
                               (dir / "labels").string() + "; expected one label per image"));
}

TEST_CASE("load_mnist: a label beyond the classes is an error", "[data][mnist][errors]") {
    temp_dir dir;
    write_file(dir / "images", idx_images_file(3, 4, 5));
    write_file(dir / "labels", idx_labels_file({1, 2, 10}));
    CHECK_THROWS_WITH((tg::data::load_mnist<float, 20>(dir / "images", dir / "labels")),
                      Contains((dir / "labels").string() + ": label 10 of image 2 (at byte 10 of the IDX data) is out "
                                                           "of range: expected 0 to 9 for 10 classes"));
    CHECK_NOTHROW(tg::data::load_mnist<float, 20>(dir / "images", dir / "labels", 11));
    CHECK_THROWS_WITH((tg::data::load_mnist<float, 20>(dir / "images", dir / "labels", 0)),
                      Contains("0 classes; expected 1 to 256"));
    CHECK_THROWS_WITH((tg::data::load_mnist<float, 20>(dir / "no-images", dir / "labels", 300)),
                      Contains("300 classes"));  // checked before the files are read
}

TEST_CASE("load_mnist: errors of either file name that file", "[data][mnist][errors]") {
    temp_dir dir;
    write_file(dir / "images", idx_images_file(3, 4, 5));
    write_file(dir / "labels", idx_labels_file({1, 2, 3}));
    CHECK_THROWS_WITH((tg::data::load_mnist<float, 20>(dir / "labels", dir / "labels")),
                      Contains("read_idx_images: " + (dir / "labels").string() + ": wrong magic number"));
    CHECK_THROWS_WITH((tg::data::load_mnist<float, 20>(dir / "images", dir / "missing")),
                      Contains("read_idx_labels: " + (dir / "missing").string() + ": cannot open"));
}

// The real data set. The files come from the Debian package dataset-fashion-mnist (installed by
// scripts/deps.sh test); without them this test fails rather than skips, so a run without the
// data cannot pass silently. All checks are in one test case: each case is its own process under
// CTest, and loading the 70000 images is the expensive part.
TEST_CASE("Fashion-MNIST from dataset-fashion-mnist loads with its known counts", "[data][mnist][fashion]") {
    std::filesystem::path const dir = "/usr/share/datasets/fashion-mnist";
    for (char const* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                             "t10k-labels-idx1-ubyte.gz"})
        if (!std::filesystem::exists(dir / name))
            FAIL((dir / name).string() + " is missing: install the Debian package dataset-fashion-mnist "
                                         "(scripts/deps.sh test installs it)");

    struct expected_set {
        char const* prefix;
        std::size_t count;
        std::array<int, 10> first_labels;
        long first_image_sum;
    };
    for (auto const& set : {expected_set{"train", 60000, {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, 76247},
                            expected_set{"t10k", 10000, {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, 33456}}) {
        CAPTURE(set.prefix);
        auto const ds = tg::data::load_mnist(dir / (std::string(set.prefix) + "-images-idx3-ubyte.gz"),
                                             dir / (std::string(set.prefix) + "-labels-idx1-ubyte.gz"));
        REQUIRE(ds.size() == set.count);
        REQUIRE(ds.labels().size() == set.count);
        CHECK(std::equal(set.first_labels.begin(), set.first_labels.end(), ds.labels().begin()));

        std::array<std::size_t, 10> histogram{};
        for (int const label : ds.labels()) ++histogram[static_cast<std::size_t>(label)];
        for (std::size_t c = 0; c < 10; ++c) {
            CAPTURE(c);
            CHECK(histogram[c] == set.count / 10);  // Fashion-MNIST is balanced
        }

        auto const pixels = std::span(ds.features().data(), ds.features().size());
        auto const [lowest, highest] = std::minmax_element(pixels.begin(), pixels.end());
        CHECK(*lowest == 0.0f);
        CHECK(*highest == 1.0f);
        // Every value is a byte over 255, and the first image's bytes add up to the file's.
        bool all_bytes = true;
        for (float const p : pixels) {
            long const byte = std::lround(p * 255.0f);
            all_bytes = all_bytes && static_cast<float>(byte) / 255.0f == p;
        }
        CHECK(all_bytes);
        long first_sum = 0;
        for (float const p : ds.features().row(0)) first_sum += std::lround(p * 255.0f);
        CHECK(first_sum == set.first_image_sum);
    }
}
