#pragma once
// atomic_file: a file written under a unique temporary name in the target's directory and renamed
// over the target only once every byte is written, flushed and synced. Until commit() succeeds
// the target is untouched; a failure anywhere, or destruction without commit(), removes the
// temporary. Errors are tg::error naming the operation (`who`) and the target.
//
// On POSIX the data and then the directory entry are fsync'ed, so a crash leaves either the old
// file or the new one. Elsewhere the data is flushed to the operating system only.

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <typegrad/error.hpp>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#define TYPEGRAD_IO_POSIX 1
#else
#define TYPEGRAD_IO_POSIX 0
#endif

namespace typegrad::io::detail {

/// "'path'", as messages name files.
inline std::string quoted(std::filesystem::path const& p) { return "'" + p.string() + "'"; }

class atomic_file {
public:
    atomic_file(std::filesystem::path target, std::string_view who) : target_(std::move(target)), who_(who) {
        namespace fs = std::filesystem;
        if (target_.filename().empty() || target_.filename() == "." || target_.filename() == "..")
            throw error(prefix() + "the path does not name a file");
        std::error_code ec;
        if (fs::is_directory(target_, ec)) throw error(prefix() + "the path is a directory");
        fs::path const dir = target_.parent_path();
        if (!dir.empty() && !fs::is_directory(dir, ec))
            throw error(prefix() + quoted(dir) + (fs::exists(dir, ec) ? " is not a directory" : " does not exist"));

        // A unique name: exclusive creation ("x") fails rather than reuse an existing file.
        std::random_device device;
        std::uint64_t const seed = (std::uint64_t(device()) << 32) ^ device();
        std::mt19937_64 engine(seed ^ reinterpret_cast<std::uintptr_t>(this));
        int last_errno = 0;
        for (int attempt = 0; attempt < 100; ++attempt) {
            char suffix[17];
            std::snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(engine()));
            fs::path candidate = dir / ("." + target_.filename().string() + ".tmp-" + suffix);
            errno = 0;
            file_ = std::fopen(candidate.string().c_str(), "wbx");
            if (file_) {
                temporary_ = std::move(candidate);
                return;
            }
            last_errno = errno;
            if (last_errno != EEXIST) break;
        }
        throw error(prefix() + "cannot create a temporary file in " + quoted(dir.empty() ? fs::path(".") : dir) +
                    ": " + describe(last_errno));
    }

    atomic_file(atomic_file const&) = delete;
    atomic_file& operator=(atomic_file const&) = delete;

    ~atomic_file() { discard(); }

    std::filesystem::path const& temporary() const noexcept { return temporary_; }

    void write(void const* data, std::size_t bytes) {
        if (bytes == 0) return;
        errno = 0;
        if (std::fwrite(data, 1, bytes, file_) != bytes) fail("cannot write " + quoted(temporary_), errno);
    }

    /// Flushes, syncs and closes the temporary, then renames it over the target.
    void commit() {
        errno = 0;
        if (std::fflush(file_) != 0) fail("cannot write " + quoted(temporary_), errno);
#if TYPEGRAD_IO_POSIX
        if (::fsync(::fileno(file_)) != 0) fail("cannot sync " + quoted(temporary_), errno);
#endif
        std::FILE* f = std::exchange(file_, nullptr);
        errno = 0;
        if (std::fclose(f) != 0) fail("cannot close " + quoted(temporary_), errno);

        std::error_code ec;
        std::filesystem::rename(temporary_, target_, ec);
        if (ec) fail("cannot rename " + quoted(temporary_) + " over it", ec.value());
        temporary_.clear();
#if TYPEGRAD_IO_POSIX
        // Make the rename itself durable (best effort: the new file is already in place).
        std::filesystem::path const dir = target_.parent_path().empty() ? "." : target_.parent_path();
        if (int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); fd >= 0) {
            (void)::fsync(fd);
            (void)::close(fd);
        }
#endif
    }

private:
    std::string prefix() const { return std::string(who_) + ": " + quoted(target_) + ": "; }

    static std::string describe(int err) {
        return err != 0 ? std::generic_category().message(err) : std::string("unknown error");
    }

    /// Closes and removes the temporary, if any; never throws.
    void discard() noexcept {
        if (file_) {
            std::fclose(file_);
            file_ = nullptr;
        }
        if (!temporary_.empty()) {
            std::error_code ec;
            std::filesystem::remove(temporary_, ec);
            temporary_.clear();
        }
    }

    [[noreturn]] void fail(std::string const& what, int err) {
        discard();
        throw error(prefix() + what + ": " + describe(err) + " (the target is unchanged)");
    }

    std::filesystem::path target_;
    std::string_view who_;
    std::filesystem::path temporary_;
    std::FILE* file_ = nullptr;
};

}  // namespace typegrad::io::detail

#undef TYPEGRAD_IO_POSIX
