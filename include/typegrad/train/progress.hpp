#pragma once
// A progress bar for training on stderr: redrawn in place on a terminal, and on anything else
// (a log file, CI) one line per finished epoch, so logs stay readable.

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace typegrad::train {

class progress_bar {
public:
    /// `interactive`: redraw in place; by default, whether stderr is a terminal.
    explicit progress_bar(std::FILE* out = stderr, int interactive = -1)
        : out_(out), interactive_(interactive < 0 ? ::isatty(::fileno(out)) != 0 : interactive != 0) {}

    void start_epoch(std::size_t epoch, std::size_t epochs, std::size_t batches) {
        epoch_ = epoch;
        epochs_ = epochs;
        batches_ = batches;
        start_ = clock::now();
        last_draw_ = start_;
    }

    /// After each batch; draws at most ten times a second.
    void batch_done(std::size_t batch, double running_loss) {
        if (!interactive_) return;
        auto const now = clock::now();
        if (batch + 1 < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        constexpr std::size_t width = 30;
        std::size_t const filled = batches_ == 0 ? width : (batch + 1) * width / batches_;
        std::string bar(filled, '=');
        bar.resize(width, ' ');
        std::fprintf(out_, "\repoch %zu/%zu [%s] %zu/%zu loss %.4f", epoch_ + 1, epochs_, bar.c_str(), batch + 1,
                     batches_, running_loss);
        std::fflush(out_);
    }

    /// The epoch's summary line (which also ends the redrawn bar).
    void end_epoch(std::string const& summary) {
        std::fprintf(out_, interactive_ ? "\r\033[Kepoch %zu/%zu %s\n" : "epoch %zu/%zu %s\n", epoch_ + 1, epochs_,
                     summary.c_str());
        std::fflush(out_);
    }

    double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

private:
    using clock = std::chrono::steady_clock;
    std::FILE* out_;
    bool interactive_;
    std::size_t epoch_ = 0, epochs_ = 0, batches_ = 0;
    clock::time_point start_{}, last_draw_{};
};

}  // namespace typegrad::train
