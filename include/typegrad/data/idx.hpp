#pragma once
// IDX files of unsigned bytes: the format of MNIST and Fashion-MNIST.
//
//   images: magic 0x00000803, then count, rows, cols (big-endian u32), then count*rows*cols bytes
//   labels: magic 0x00000801, then count (big-endian u32), then count bytes
//
// Files may be gzip-compressed (detected by the magic bytes 1f 8b, not by the name). The readers
// return by value: a failed read throws a typegrad::error and there is nothing half-filled to
// leave behind. The message names the reader, the file, where ("byte N", or "byte N of the
// decompressed data" for gzip) and what was expected against what was found, for:
//   a missing or unreadable file, a corrupt or truncated gzip stream, a magic number other than
//   the one asked for, a header cut short, an image with zero rows or columns, data shorter than
//   the header promises, and trailing data after it.
// Trailing data is an error (not ignored): the format has no room for it, so extra bytes mean a
// wrong header or two files glued together, and ignoring them would hide that. The same holds
// after the end of a gzip stream (anything but another gzip member is an error).
//
// A promised size is checked against the size of a plain file before any allocation, and a gzip
// stream's data is only allocated as it arrives, so a corrupt count (0xFFFFFFFF images) costs no
// memory.
//
// Each reader takes a path, or bytes already in memory and a name to use in messages.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <typegrad/data/detail/input.hpp>
#include <typegrad/data/detail/text.hpp>
#include <typegrad/error.hpp>

namespace typegrad::data {

/// `count` images of `rows` x `cols` unsigned bytes, image after image, each row-major.
struct idx_images {
    std::size_t count = 0;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<std::uint8_t> pixels;  // count * rows * cols bytes

    std::size_t pixels_per_image() const noexcept { return rows * cols; }
    /// The pixels of image `i` (unchecked).
    std::span<std::uint8_t const> image(std::size_t i) const noexcept {
        return std::span<std::uint8_t const>(pixels).subspan(i * rows * cols, rows * cols);
    }
};

inline constexpr std::uint32_t idx_images_magic = 0x00000803;  // unsigned bytes, 3 dimensions
inline constexpr std::uint32_t idx_labels_magic = 0x00000801;  // unsigned bytes, 1 dimension

namespace detail {

inline std::string describe_idx_magic(std::uint32_t magic) {
    if (magic == idx_images_magic) return " (an IDX image file)";
    if (magic == idx_labels_magic) return " (an IDX label file)";
    if ((magic >> 16) == 0) return " (an IDX file of another element type or dimension)";
    return " (not an IDX file)";
}

/// Reads the magic number and `dims` sizes; `what` says what the caller wanted ("images").
inline std::vector<std::uint64_t> read_idx_header(input& in, std::uint32_t magic, std::size_t dims,
                                                  char const* what) {
    std::size_t const header_bytes = 4 * (1 + dims);
    std::uint8_t header[16] = {};
    std::size_t const got = in.read(header, header_bytes);
    auto const word = [&](std::size_t i) {
        return std::uint32_t{header[4 * i]} << 24 | std::uint32_t{header[4 * i + 1]} << 16 |
               std::uint32_t{header[4 * i + 2]} << 8 | std::uint32_t{header[4 * i + 3]};
    };
    // A wrong magic number is the better message even when the header is also short.
    if (std::uint32_t const found = word(0); got >= 4 && found != magic)
        in.fail("wrong magic number at " + in.at(0) + ": expected " + hex32(magic) + " (IDX " + what +
                ": unsigned bytes, " + std::to_string(dims) + (dims == 1 ? " dimension" : " dimensions") +
                "), found " + hex32(found) + describe_idx_magic(found));
    if (got < header_bytes)
        in.fail("truncated header: expected " + std::to_string(header_bytes) + " bytes (magic number and " +
                std::to_string(dims) + (dims == 1 ? " size" : " sizes") + "), found " + std::to_string(got) +
                " (the data ends at " + in.at(got) + ")");
    std::vector<std::uint64_t> sizes(dims);
    for (std::size_t i = 0; i < dims; ++i) sizes[i] = word(1 + i);
    return sizes;
}

/// Reads exactly `n` bytes of payload that the header promised (`promise` says what they are),
/// then requires the end of the data.
inline std::vector<std::uint8_t> read_idx_payload(input& in, std::uint64_t n, std::string const& promise) {
    std::uint64_t const start = in.offset();
    auto const truncated = [&](std::uint64_t found) {
        in.fail("truncated data: the header promises " + promise + " = " + std::to_string(n) + " bytes from " +
                in.at(start) + ", found " + std::to_string(found) + " (the data ends at " + in.at(start + found) +
                ")");
    };
    if (auto const left = in.remaining(); left && *left < n) truncated(*left);  // before allocating
    if constexpr (sizeof(std::size_t) < sizeof(std::uint64_t))  // a 32-bit target
        if (n > std::numeric_limits<std::size_t>::max())
            in.fail("the header promises " + promise + " = " + std::to_string(n) + " bytes, more than fit in memory");
    std::vector<std::uint8_t> bytes = in.read_bytes(n);
    if (bytes.size() < n) truncated(bytes.size());
    if (std::uint64_t const extra = in.skip_rest(); extra > 0)
        in.fail("trailing data: " + std::to_string(extra) + (extra == 1 ? " byte" : " bytes") + " after the " +
                std::to_string(n) + " bytes the header promises, from " + in.at(start + n) +
                "; expected the end of the file");
    return bytes;
}

inline idx_images read_idx_images(input& in) {
    auto const sizes = read_idx_header(in, idx_images_magic, 3, "images");
    std::uint64_t const count = sizes[0], rows = sizes[1], cols = sizes[2];
    if (rows == 0 || cols == 0)
        in.fail("invalid header: images of " + std::to_string(rows) + "x" + std::to_string(cols) + " pixels (at " +
                in.at(8) + "); expected at least one row and one column");
    std::uint64_t const per_image = rows * cols;  // < 2^64: both are below 2^32
    std::string const promise = std::to_string(count) + " images of " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " pixels";
    if (count > std::numeric_limits<std::uint64_t>::max() / per_image)
        in.fail("truncated data: the header promises " + promise + ", more than 2^64 bytes");
    idx_images images;
    images.pixels = read_idx_payload(in, count * per_image, promise);
    images.count = static_cast<std::size_t>(count);
    images.rows = static_cast<std::size_t>(rows);
    images.cols = static_cast<std::size_t>(cols);
    return images;
}

inline std::vector<std::uint8_t> read_idx_labels(input& in) {
    auto const sizes = read_idx_header(in, idx_labels_magic, 1, "labels");
    return read_idx_payload(in, sizes[0], std::to_string(sizes[0]) + " labels of one byte");
}

}  // namespace detail

/// The images of an IDX file (magic 0x00000803), plain or gzip.
inline idx_images read_idx_images(std::filesystem::path const& path) {
    detail::input in("typegrad::data::read_idx_images", path);
    return detail::read_idx_images(in);
}

/// The images of an IDX file held in memory; `name` stands for it in messages.
inline idx_images read_idx_images(std::span<std::uint8_t const> bytes, std::string name = "<memory>") {
    detail::input in("typegrad::data::read_idx_images", bytes, std::move(name));
    return detail::read_idx_images(in);
}

/// The labels of an IDX file (magic 0x00000801), plain or gzip, one byte each.
inline std::vector<std::uint8_t> read_idx_labels(std::filesystem::path const& path) {
    detail::input in("typegrad::data::read_idx_labels", path);
    return detail::read_idx_labels(in);
}

/// The labels of an IDX file held in memory; `name` stands for it in messages.
inline std::vector<std::uint8_t> read_idx_labels(std::span<std::uint8_t const> bytes, std::string name = "<memory>") {
    detail::input in("typegrad::data::read_idx_labels", bytes, std::move(name));
    return detail::read_idx_labels(in);
}

}  // namespace typegrad::data
