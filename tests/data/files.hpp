#pragma once
// Helpers for the tg::data tests: a temporary directory that cleans up after itself, files of
// bytes, gzip (in memory through deflate, on disk through zlib's gzopen/gzwrite), and small IDX
// files built byte by byte.

#include <zlib.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace typegrad_test {

using bytes = std::vector<std::uint8_t>;

/// A fresh directory under the system's temporary directory, removed with its contents at the end
/// of the scope. Unique across processes (CTest runs tests in parallel) and within one.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<unsigned> counter{0};
        std::random_device entropy;
        auto const base = std::filesystem::temp_directory_path();
        for (int attempt = 0; attempt < 100; ++attempt) {
            std::string const name = "typegrad-data-" + std::to_string(entropy()) + "-" + std::to_string(counter++);
            std::error_code ec;
            if (std::filesystem::create_directory(base / name, ec)) {
                path_ = base / name;
                return;
            }
        }
        throw std::runtime_error("cannot create a temporary directory under " + base.string());
    }
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    std::filesystem::path const& path() const noexcept { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline void write_file(std::filesystem::path const& path, std::span<std::uint8_t const> data) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<char const*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline void write_file(std::filesystem::path const& path, std::string_view text) {
    write_file(path, std::span(reinterpret_cast<std::uint8_t const*>(text.data()), text.size()));
}

inline bytes to_bytes(std::string_view text) { return bytes(text.begin(), text.end()); }

/// `data` as one gzip member, compressed in memory.
inline bytes gzip(std::span<std::uint8_t const> data, int level = Z_DEFAULT_COMPRESSION) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
    bytes out(deflateBound(&z, static_cast<uLong>(data.size())) + 64);
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    int const rc = deflate(&z, Z_FINISH);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
    return out;
}

inline bytes gzip(std::string_view text) { return gzip(to_bytes(text)); }

/// Writes `data` to `path` gzip-compressed through zlib's file interface.
inline void write_gzip_file(std::filesystem::path const& path, std::span<std::uint8_t const> data) {
    gzFile f = gzopen(path.string().c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("gzopen failed for " + path.string());
    int const written = data.empty() ? 0 : gzwrite(f, data.data(), static_cast<unsigned>(data.size()));
    int const closed = gzclose(f);
    if (written != static_cast<int>(data.size()) || closed != Z_OK)
        throw std::runtime_error("gzwrite failed for " + path.string());
}

inline void write_gzip_file(std::filesystem::path const& path, std::string_view text) {
    write_gzip_file(path, to_bytes(text));
}

inline void put_be32(bytes& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

/// The pixel the test images hold at (image i, row r, column c).
inline std::uint8_t test_pixel(std::size_t i, std::size_t r, std::size_t c) {
    return static_cast<std::uint8_t>((i * 37 + r * 11 + c * 3) % 256);
}

/// An IDX image file of `count` images of rows x cols pixels, test_pixel() each.
inline bytes idx_images_file(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
    bytes out;
    put_be32(out, 0x00000803);
    put_be32(out, count);
    put_be32(out, rows);
    put_be32(out, cols);
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t c = 0; c < cols; ++c) out.push_back(test_pixel(i, r, c));
    return out;
}

/// An IDX label file holding `labels`.
inline bytes idx_labels_file(std::span<std::uint8_t const> labels) {
    bytes out;
    put_be32(out, 0x00000801);
    put_be32(out, static_cast<std::uint32_t>(labels.size()));
    out.insert(out.end(), labels.begin(), labels.end());
    return out;
}

inline bytes idx_labels_file(std::initializer_list<std::uint8_t> labels) {
    return idx_labels_file(std::span<std::uint8_t const>(labels.begin(), labels.size()));
}

/// The first `n` bytes of `b`.
inline bytes first(std::span<std::uint8_t const> b, std::size_t n) { return bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }

inline bytes concat(bytes a, std::span<std::uint8_t const> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace typegrad_test
