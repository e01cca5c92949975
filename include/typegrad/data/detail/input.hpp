#pragma once
// detail::input: the bytes of a file, or of a caller's buffer, as one stream that the data
// readers consume front to back. Input that starts with the gzip magic bytes 1f 8b is inflated
// on the fly (zlib's inflate; concatenated gzip members are one stream, as RFC 1952 allows).
//
// Every failure is a tg::error whose message is "<api>: <name>: <what>", where <what> says what
// was expected, what was found and where: "byte N" of a plain input, "byte N of the decompressed
// data" of a gzip one, and the compressed offset for a corrupt or truncated gzip stream.
//
// Memory: an input holds one buffer of 64 KiB (less for small inputs in memory). read_bytes() grows its result only as bytes arrive,
// so a size promised by a (possibly corrupt) header never allocates more than the input holds.

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <typegrad/error.hpp>

namespace typegrad::data::detail {

class input {
public:
    static constexpr std::size_t buffer_size = std::size_t{64} * 1024;

    /// The file at `path`. A missing file, a directory, or a file that cannot be opened is a
    /// tg::error naming `api` and the path.
    input(char const* api, std::filesystem::path const& path)
        : api_(api), name_(path.string()), buffer_(new std::uint8_t[buffer_size]), capacity_(buffer_size) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) fail("cannot read: it is a directory, not a file");
        errno = 0;
        file_.reset(std::fopen(name_.c_str(), "rb"));
        if (!file_) fail("cannot open for reading: " + errno_text(errno));
        if (std::filesystem::is_regular_file(path, ec)) {
            auto const size = std::filesystem::file_size(path, ec);
            if (!ec) raw_size_ = size;
        }
        start();
    }

    /// The caller's bytes, called `name` in messages. The bytes must outlive the input.
    input(char const* api, std::span<std::uint8_t const> bytes, std::string name)
        : api_(api),
          name_(std::move(name)),
          buffer_(new std::uint8_t[std::clamp<std::size_t>(bytes.size(), 16, buffer_size)]),
          capacity_(std::clamp<std::size_t>(bytes.size(), 16, buffer_size)),
          memory_(bytes) {
        raw_size_ = bytes.size();
        start();
    }

    input(input const&) = delete;
    input& operator=(input const&) = delete;
    ~input() {
        if (gzip_) inflateEnd(&z_);
    }

    std::string const& name() const noexcept { return name_; }
    bool gzip() const noexcept { return gzip_; }
    /// Bytes delivered so far (of the decompressed stream, for gzip input).
    std::uint64_t offset() const noexcept { return offset_; }
    /// "byte 16", or "byte 16 of the decompressed data".
    std::string at(std::uint64_t offset) const {
        return "byte " + std::to_string(offset) + (gzip_ ? " of the decompressed data" : "");
    }
    /// Bytes left, when that is known without reading them (plain files and buffers; not gzip,
    /// not pipes).
    std::optional<std::uint64_t> remaining() const noexcept {
        if (gzip_ || !raw_size_) return std::nullopt;
        return *raw_size_ > offset_ ? *raw_size_ - offset_ : 0;
    }

    /// Reads up to `n` bytes into `out`; fewer only at the end of the data.
    std::size_t read(std::uint8_t* out, std::size_t n) {
        if (n == 0) return 0;  // `out` may be null (an empty vector's data())
        std::size_t const got = gzip_ ? read_gzip(out, n) : read_plain(out, n);
        offset_ += got;
        return got;
    }

    /// Reads `n` bytes, or all that is left when fewer are (the result's size says which).
    /// Allocates no more than the bytes that actually arrive (times two, while growing).
    std::vector<std::uint8_t> read_bytes(std::uint64_t n) {
        std::vector<std::uint8_t> out;
        if (auto const left = remaining()) {
            out.resize(static_cast<std::size_t>(std::min(n, *left)));
            out.resize(read(out.data(), out.size()));
            return out;
        }
        std::size_t chunk = 4096;  // small inputs stay cheap; big ones double from here
        while (out.size() < n) {
            std::size_t const old = out.size();
            std::size_t const step = static_cast<std::size_t>(std::min<std::uint64_t>(n - old, std::max(chunk, old)));
            out.resize(old + step);
            std::size_t const got = read(out.data() + old, step);
            if (got < step) {
                out.resize(old + got);
                break;
            }
            chunk = out.size();
        }
        return out;
    }

    /// Everything that is left.
    std::vector<std::uint8_t> read_all() { return read_bytes(std::numeric_limits<std::uint64_t>::max()); }

    /// Reads and discards the rest, returning how many bytes it held (0 at a clean end). For gzip
    /// input this also verifies the stream's trailer (CRC-32 and length).
    std::uint64_t skip_rest() {
        std::uint8_t scratch[4096];
        std::uint64_t skipped = 0;
        while (std::size_t const got = read(scratch, sizeof scratch)) skipped += got;
        return skipped;
    }

    /// Throws tg::error("<api>: <name>: <what>").
    [[noreturn]] void fail(std::string const& what) const { throw error(std::string(api_) + ": " + name_ + ": " + what); }

private:
    struct file_closer {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };

    static std::string errno_text(int e) {
        if (e == 0) return "unknown error";
        return std::error_code(e, std::generic_category()).message();
    }

    // Detects gzip from the first two bytes, which stay buffered for whichever path follows.
    void start() {
        buffered_ = raw_read(buffer_.get(), capacity_);
        if (buffered_ >= 2 && buffer_[0] == 0x1f && buffer_[1] == 0x8b) {
            z_.next_in = buffer_.get();
            z_.avail_in = static_cast<uInt>(buffered_);
            // 16 + 15: a gzip wrapper (header, CRC-32 and length checked by zlib), 32 KiB window.
            if (int const rc = inflateInit2(&z_, 16 + MAX_WBITS); rc != Z_OK)
                fail("cannot start zlib's inflate: " + std::string(zError(rc)));
            gzip_ = true;
        }
    }

    // Bytes from the file or buffer, no decompression.
    std::size_t raw_read(std::uint8_t* out, std::size_t n) {
        std::size_t got = 0;
        if (file_) {
            errno = 0;
            got = std::fread(out, 1, n, file_.get());
            if (got < n && std::ferror(file_.get()))
                fail("read error at byte " + std::to_string(raw_total_ + got) + ": " + errno_text(errno));
        } else {
            got = std::min(n, memory_.size() - memory_pos_);
            if (got > 0) std::memcpy(out, memory_.data() + memory_pos_, got);
            memory_pos_ += got;
        }
        raw_total_ += got;
        return got;
    }

    std::size_t read_plain(std::uint8_t* out, std::size_t n) {
        std::size_t got = 0;
        if (buffer_pos_ < buffered_) {
            got = std::min(n, buffered_ - buffer_pos_);
            std::memcpy(out, buffer_.get() + buffer_pos_, got);
            buffer_pos_ += got;
        }
        if (got < n) got += raw_read(out + got, n - got);
        return got;
    }

    std::uint64_t compressed_offset() const noexcept { return raw_total_ - z_.avail_in; }

    // Makes at least `k` (<= capacity_) compressed bytes available at z_.next_in, if the input
    // has them.
    bool have_input(std::size_t k) {
        if (z_.avail_in >= k) return true;
        if (z_.avail_in > 0) std::memmove(buffer_.get(), z_.next_in, z_.avail_in);
        std::size_t const kept = z_.avail_in;
        std::size_t const got = raw_read(buffer_.get() + kept, capacity_ - kept);
        z_.next_in = buffer_.get();
        z_.avail_in = static_cast<uInt>(kept + got);
        return z_.avail_in >= k;
    }

    std::size_t read_gzip(std::uint8_t* out, std::size_t n) {
        std::size_t got = 0;
        while (got < n) {
            if (member_ended_) {
                if (!have_input(1)) break;  // the end of the last member: the end of the data
                if (!have_input(2) || z_.next_in[0] != 0x1f || z_.next_in[1] != 0x8b)
                    fail("trailing garbage after the gzip stream, at compressed byte " +
                         std::to_string(compressed_offset()) + ": expected the end of the file or another "
                         "gzip member (1f 8b)");
                if (int const rc = inflateReset(&z_); rc != Z_OK) fail("cannot reset zlib's inflate: " + std::string(zError(rc)));
                member_ended_ = false;
            }
            if (z_.avail_in == 0) have_input(1);  // at the end of the input inflate may still have output
            std::size_t const want = std::min<std::size_t>(n - got, std::numeric_limits<uInt>::max());
            z_.next_out = out + got;
            z_.avail_out = static_cast<uInt>(want);
            int const rc = inflate(&z_, Z_NO_FLUSH);
            got += want - z_.avail_out;
            if (rc == Z_STREAM_END) {
                member_ended_ = true;
            } else if (rc == Z_BUF_ERROR) {
                // No progress: with room for output, only because the compressed input ran out.
                if (z_.avail_in == 0)
                    fail("truncated gzip stream: the compressed data ends at byte " + std::to_string(raw_total_) +
                         ", inside a gzip member, after " + std::to_string(offset_ + got) +
                         " bytes of decompressed data");
                fail("corrupt gzip stream at compressed byte " + std::to_string(compressed_offset()) +
                     ": zlib makes no progress");
            } else if (rc != Z_OK) {
                char const* const why = z_.msg != nullptr ? z_.msg : zError(rc);
                fail("corrupt gzip stream at compressed byte " + std::to_string(compressed_offset()) + ": " + why +
                     " (after " + std::to_string(offset_ + got) + " bytes of decompressed data)");
            }
        }
        return got;
    }

    char const* api_;
    std::string name_;
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::size_t capacity_;        // of buffer_: 64 KiB, less for a small buffer in memory
    std::size_t buffered_ = 0;    // bytes start() put into buffer_
    std::size_t buffer_pos_ = 0;  // plain input: how many of those were delivered
    std::unique_ptr<std::FILE, file_closer> file_;
    std::span<std::uint8_t const> memory_;
    std::size_t memory_pos_ = 0;
    std::optional<std::uint64_t> raw_size_;
    std::uint64_t raw_total_ = 0;  // bytes taken from the file or buffer
    std::uint64_t offset_ = 0;     // bytes delivered
    bool gzip_ = false;
    bool member_ended_ = false;
    z_stream z_{};
};

}  // namespace typegrad::data::detail
