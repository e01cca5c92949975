// tg::data::read_idx_images / read_idx_labels: round trips through plain and gzip files, and one
// test per kind of malformed input, checking that the message names the file, the place and
// what was expected against what was found.

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <typegrad/data/idx.hpp>
#include <typegrad/error.hpp>

#include "files.hpp"

namespace tg = typegrad;
using namespace typegrad_test;
using Catch::Contains;

namespace {

void check_test_images(tg::data::idx_images const& images, std::size_t count, std::size_t rows, std::size_t cols) {
    REQUIRE(images.count == count);
    REQUIRE(images.rows == rows);
    REQUIRE(images.cols == cols);
    REQUIRE(images.pixels.size() == count * rows * cols);
    CHECK(images.pixels_per_image() == rows * cols);
    bool all_match = true;
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < cols; ++c)
                all_match = all_match && images.image(i)[r * cols + c] == test_pixel(i, r, c);
    CHECK(all_match);
}

}  // namespace

TEST_CASE("read_idx_images reads plain and gzip files", "[data][idx]") {
    temp_dir dir;
    auto const file = idx_images_file(3, 4, 5);
    write_file(dir / "images.idx", file);
    write_gzip_file(dir / "images.idx.gz", file);
    write_gzip_file(dir / "images.bin", file);  // gzip is detected by content, not by name

    check_test_images(tg::data::read_idx_images(dir / "images.idx"), 3, 4, 5);
    check_test_images(tg::data::read_idx_images(dir / "images.idx.gz"), 3, 4, 5);
    check_test_images(tg::data::read_idx_images(dir / "images.bin"), 3, 4, 5);
    check_test_images(tg::data::read_idx_images(file), 3, 4, 5);
    check_test_images(tg::data::read_idx_images(gzip(file)), 3, 4, 5);
}

TEST_CASE("read_idx_images reads larger files and zero images", "[data][idx]") {
    // More than the reader's 64 KiB buffer, so plain and gzip reads cross buffer refills.
    auto const file = idx_images_file(200, 28, 28);
    check_test_images(tg::data::read_idx_images(file), 200, 28, 28);
    check_test_images(tg::data::read_idx_images(gzip(file, 0)), 200, 28, 28);  // stored blocks
    check_test_images(tg::data::read_idx_images(gzip(file, 9)), 200, 28, 28);
    check_test_images(tg::data::read_idx_images(idx_images_file(0, 28, 28)), 0, 28, 28);
}

TEST_CASE("concatenated gzip members read as one stream", "[data][idx]") {
    auto const file = idx_images_file(3, 4, 5);
    bytes const head(file.begin(), file.begin() + 30);
    bytes const tail(file.begin() + 30, file.end());
    check_test_images(tg::data::read_idx_images(concat(gzip(head), gzip(tail))), 3, 4, 5);
    // An empty member in between is still a member.
    check_test_images(tg::data::read_idx_images(concat(concat(gzip(head), gzip(bytes{})), gzip(tail))), 3, 4, 5);
}

TEST_CASE("read_idx_labels reads plain and gzip files", "[data][idx]") {
    temp_dir dir;
    auto const file = idx_labels_file({7, 0, 9, 3, 3});
    write_file(dir / "labels.idx", file);
    write_gzip_file(dir / "labels.idx.gz", file);
    std::vector<std::uint8_t> const expected{7, 0, 9, 3, 3};
    CHECK(tg::data::read_idx_labels(dir / "labels.idx") == expected);
    CHECK(tg::data::read_idx_labels(dir / "labels.idx.gz") == expected);
    CHECK(tg::data::read_idx_labels(file) == expected);
    CHECK(tg::data::read_idx_labels(idx_labels_file({})).empty());
}

TEST_CASE("a missing or unreadable file is an error naming it", "[data][idx][errors]") {
    temp_dir dir;
    auto const missing = (dir / "no-such-file.idx").string();
    CHECK_THROWS_AS(tg::data::read_idx_images(missing), tg::error);
    CHECK_THROWS_WITH(tg::data::read_idx_images(missing),
                      Contains("typegrad::data::read_idx_images: " + missing) &&
                          Contains("cannot open for reading: No such file or directory"));
    CHECK_THROWS_WITH(tg::data::read_idx_labels(missing),
                      Contains("typegrad::data::read_idx_labels: " + missing) && Contains("cannot open"));
    CHECK_THROWS_WITH(tg::data::read_idx_images(dir.path()),
                      Contains(dir.path().string()) && Contains("is a directory, not a file"));
}

TEST_CASE("a wrong magic number is an error saying what was found", "[data][idx][errors]") {
    temp_dir dir;
    write_file(dir / "labels.idx", idx_labels_file({1, 2, 3, 4, 5, 6, 7, 8, 9}));
    write_file(dir / "images.idx", idx_images_file(1, 2, 2));
    write_file(dir / "text.csv", "1,2,3\n4,5,6\n7,8,9\n");
    CHECK_THROWS_WITH(tg::data::read_idx_images(dir / "labels.idx"),
                      Contains((dir / "labels.idx").string()) &&
                          Contains("wrong magic number at byte 0: expected 0x00000803 (IDX images: unsigned bytes, "
                                   "3 dimensions), found 0x00000801 (an IDX label file)"));
    CHECK_THROWS_WITH(tg::data::read_idx_labels(dir / "images.idx"),
                      Contains("expected 0x00000801 (IDX labels: unsigned bytes, 1 dimension), found 0x00000803 "
                               "(an IDX image file)"));
    CHECK_THROWS_WITH(tg::data::read_idx_images(dir / "text.csv"),
                      Contains("found 0x312c322c (not an IDX file)"));
    bytes floats = idx_images_file(1, 1, 1);
    floats[2] = 0x0D;  // element type float
    CHECK_THROWS_WITH(tg::data::read_idx_images(floats),
                      Contains("<memory>: wrong magic number") && Contains("found 0x00000d03 (an IDX file of another"));
    // In a gzip file the offset is that of the decompressed data.
    CHECK_THROWS_WITH(tg::data::read_idx_images(gzip(idx_labels_file({1, 2, 3, 4, 5, 6, 7, 8})), "labels.gz"),
                      Contains("labels.gz: wrong magic number at byte 0 of the decompressed data"));
}

TEST_CASE("a truncated header is an error saying how much there was", "[data][idx][errors]") {
    auto const file = idx_images_file(2, 3, 3);
    CHECK_THROWS_WITH(tg::data::read_idx_images(first(file, 9), "short.idx"),
                      Contains("short.idx: truncated header: expected 16 bytes (magic number and 3 sizes), found 9 "
                               "(the data ends at byte 9)"));
    CHECK_THROWS_WITH(tg::data::read_idx_images(bytes{}, "empty.idx"),
                      Contains("empty.idx: truncated header: expected 16 bytes") && Contains("found 0"));
    CHECK_THROWS_WITH(tg::data::read_idx_labels(first(idx_labels_file({1}), 6), "l.idx"),
                      Contains("truncated header: expected 8 bytes (magic number and 1 size), found 6"));
    CHECK_THROWS_WITH(tg::data::read_idx_images(gzip(first(file, 12)), "short.gz"),
                      Contains("found 12 (the data ends at byte 12 of the decompressed data)"));
}

TEST_CASE("truncated data is an error saying what the header promised", "[data][idx][errors]") {
    temp_dir dir;
    auto file = idx_images_file(3, 4, 5);
    file.pop_back();
    write_file(dir / "cut.idx", file);
    write_gzip_file(dir / "cut.idx.gz", file);
    CHECK_THROWS_WITH(tg::data::read_idx_images(dir / "cut.idx"),
                      Contains((dir / "cut.idx").string() + ": truncated data: the header promises 3 images of 4x5 "
                                                            "pixels = 60 bytes from byte 16, found 59 (the data ends "
                                                            "at byte 75)"));
    CHECK_THROWS_WITH(tg::data::read_idx_images(dir / "cut.idx.gz"),
                      Contains("found 59 (the data ends at byte 75 of the decompressed data)"));
    auto labels = idx_labels_file({1, 2, 3});
    labels.pop_back();
    CHECK_THROWS_WITH(tg::data::read_idx_labels(labels),
                      Contains("truncated data: the header promises 3 labels of one byte = 3 bytes from byte 8, found 2"));
}

TEST_CASE("a huge count in a header fails before allocating", "[data][idx][errors]") {
    // 0xFFFFFFFF images of 0xFFFFFFFF x 0xFFFFFFFF pixels: more than 2^64 bytes.
    bytes file = idx_images_file(1, 2, 2);
    for (std::size_t i = 4; i < 16; ++i) file[i] = 0xFF;
    CHECK_THROWS_WITH(tg::data::read_idx_images(file),
                      Contains("the header promises 4294967295 images of 4294967295x4294967295 pixels, more than "
                               "2^64 bytes"));
    // 0xFFFFFFFF images of 28x28: 3.4 TB promised, 4 bytes present. Compared with the file size first.
    bytes big = idx_images_file(1, 2, 2);
    for (std::size_t i = 4; i < 8; ++i) big[i] = 0xFF;
    CHECK_THROWS_WITH(tg::data::read_idx_images(big),
                      Contains("promises 4294967295 images of 2x2 pixels = 17179869180 bytes from byte 16, found 4"));
    // In a gzip stream the size is unknown up front: the data is allocated only as it arrives.
    CHECK_THROWS_WITH(tg::data::read_idx_images(gzip(big)),
                      Contains("= 17179869180 bytes from byte 16 of the decompressed data, found 4"));
    bytes labels = idx_labels_file({1, 2});
    for (std::size_t i = 4; i < 8; ++i) labels[i] = 0xFF;
    CHECK_THROWS_WITH(tg::data::read_idx_labels(gzip(labels)), Contains("4294967295 labels of one byte"));
}

TEST_CASE("images without rows or columns are an error", "[data][idx][errors]") {
    CHECK_THROWS_WITH(tg::data::read_idx_images(idx_images_file(5, 0, 28)),
                      Contains("invalid header: images of 0x28 pixels (at byte 8); expected at least one row and one "
                               "column"));
    CHECK_THROWS_AS(tg::data::read_idx_images(idx_images_file(5, 28, 0)), tg::error);
}

TEST_CASE("trailing data is an error", "[data][idx][errors]") {
    auto const file = concat(idx_images_file(3, 4, 5), bytes{0, 0});
    CHECK_THROWS_WITH(tg::data::read_idx_images(file, "long.idx"),
                      Contains("long.idx: trailing data: 2 bytes after the 60 bytes the header promises, from byte 76; "
                               "expected the end of the file"));
    CHECK_THROWS_WITH(tg::data::read_idx_images(gzip(file)), Contains("from byte 76 of the decompressed data"));
    CHECK_THROWS_WITH(tg::data::read_idx_labels(concat(idx_labels_file({1}), bytes{9})),
                      Contains("trailing data: 1 byte after the 1 bytes"));
}

TEST_CASE("a corrupt gzip stream is an error naming the compressed offset", "[data][idx][errors]") {
    auto const file = idx_images_file(3, 4, 5);
    auto const packed = gzip(file);

    SECTION("a damaged deflate stream") {
        bytes damaged = packed;
        damaged[10] ^= 0xFF;  // the first byte after the 10-byte gzip header: the block header
        CHECK_THROWS_WITH(tg::data::read_idx_images(damaged, "bad.gz"),
                          Contains("bad.gz: corrupt gzip stream at compressed byte"));
    }
    SECTION("a wrong CRC-32 in the trailer") {
        bytes damaged = packed;
        damaged[damaged.size() - 8] ^= 0x01;
        CHECK_THROWS_WITH(tg::data::read_idx_images(damaged), Contains("corrupt gzip stream") && Contains("incorrect data check"));
    }
    SECTION("a wrong length in the trailer") {
        bytes damaged = packed;
        damaged[damaged.size() - 4] ^= 0x01;
        CHECK_THROWS_WITH(tg::data::read_idx_images(damaged), Contains("incorrect length check"));
    }
    SECTION("a bad header: unknown compression method") {
        bytes damaged = packed;
        damaged[2] = 7;
        CHECK_THROWS_WITH(tg::data::read_idx_images(damaged),
                          Contains("corrupt gzip stream at compressed byte") && Contains("unknown compression method"));
    }
    SECTION("a stream cut short, at every length") {
        for (std::size_t n = 2; n < packed.size(); ++n) {
            CAPTURE(n);
            CHECK_THROWS_WITH(tg::data::read_idx_images(first(packed, n), "cut.gz"),
                              Contains("cut.gz: truncated gzip stream: the compressed data ends at byte " +
                                       std::to_string(n) + ", inside a gzip member"));
        }
    }
    SECTION("garbage after the stream") {
        CHECK_THROWS_WITH(tg::data::read_idx_images(concat(packed, bytes{0, 0, 0}), "padded.gz"),
                          Contains("padded.gz: trailing garbage after the gzip stream, at compressed byte " +
                                   std::to_string(packed.size()) + ": expected the end of the file or another gzip "
                                                                   "member (1f 8b)"));
        CHECK_THROWS_WITH(tg::data::read_idx_images(concat(packed, bytes{0x1f})), Contains("trailing garbage"));
        CHECK_THROWS_WITH(tg::data::read_idx_images(concat(packed, bytes{0x1f, 0x8b})),
                          Contains("truncated gzip stream"));
    }
}

TEST_CASE("a gzip stream is checked to its end", "[data][idx][errors]") {
    // The reader inflates past the promised images to the end of the stream (which also checks the
    // trailer's CRC-32 and length), so extra decompressed data is trailing data.
    auto packed = gzip(concat(idx_images_file(1, 2, 2), bytes(100000, 0)));
    CHECK_THROWS_WITH(tg::data::read_idx_images(packed), Contains("trailing data: 100000 bytes after the 4 bytes"));
}
