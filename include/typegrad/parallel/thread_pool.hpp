#pragma once
// A fork-join pool for the kernels: run(count, body) calls body(i) for every i in [0, count) on the
// pool's threads and the calling thread, and returns when all calls are done.
//
// Hand-written rather than OpenMP on purpose: OpenMP would make every program that includes
// typegrad compile and link with -fopenmp (the library is otherwise headers only), and a training
// step needs what a general pool does not promise: no allocation per call (a job is a function
// pointer and a context pointer, never a std::function), and a hand-over fast enough for a dozen
// joins per step. Workers spin for a short while after each job, so the next GEMM of the same step
// finds them awake, then block on a condition variable, so an idle pool costs no CPU.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace typegrad::parallel {

namespace detail {

inline void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

// Set on a pool's worker threads and on a thread inside run(): a kernel called from a job runs
// serially instead of waiting for workers that are busy with the job calling it.
inline thread_local bool inside_job = false;

// Spins until pred() holds or `budget` has passed; true if pred() held.
template <class Pred>
bool spin_until(Pred pred, std::chrono::microseconds budget) noexcept {
    auto const deadline = std::chrono::steady_clock::now() + budget;
    for (;;) {
        for (int i = 0; i < 64; ++i) {
            if (pred()) return true;
            relax();
        }
        if (std::chrono::steady_clock::now() >= deadline) return pred();
    }
}

}  // namespace detail

class thread_pool {
public:
    /// A pool of `threads` participants, counting the thread that calls run(): 1 means no worker
    /// threads at all, and run() is a plain loop.
    explicit thread_pool(std::size_t threads = 1) { start(threads); }
    thread_pool(thread_pool const&) = delete;
    thread_pool& operator=(thread_pool const&) = delete;
    ~thread_pool() { stop(); }

    /// Participants in a run(), the calling thread included.
    std::size_t size() const noexcept { return workers_.size() + 1; }

    /// Changes the number of participants. Allocates (it starts threads): call it between steps,
    /// never while a run() is in progress.
    void resize(std::size_t threads) {
        if (threads == size()) return;
        stop();
        start(threads);
    }

    /// Calls body(i) for every i in [0, count), each exactly once, spread over the pool's threads
    /// and the caller; returns when every call has returned. Calls with different i must not
    /// write the same memory. The first exception thrown by a call is rethrown here, after all
    /// calls have finished. From inside a job, from a second thread while the pool is busy, or
    /// with one participant, the calls run in order on the calling thread.
    template <class F>
    void run(std::size_t count, F&& body) {
        if (count == 0) return;
        std::unique_lock<std::mutex> busy(run_mutex_, std::try_to_lock);
        if (count == 1 || workers_.empty() || detail::inside_job || !busy.owns_lock()) {
            for (std::size_t i = 0; i < count; ++i) body(i);
            return;
        }
        using body_t = std::remove_reference_t<F>;
        job_.invoke = [](void* context, std::size_t i) { (*static_cast<body_t*>(context))(i); };
        job_.context = const_cast<void*>(static_cast<void const*>(std::addressof(body)));
        job_.count = count;
        job_.next.store(0, std::memory_order_relaxed);
        job_.failure = nullptr;
        pending_.store(workers_.size(), std::memory_order_relaxed);
        publish();

        detail::inside_job = true;
        work();
        detail::inside_job = false;

        auto const finished = [this] { return pending_.load(std::memory_order_acquire) == 0; };
        if (!detail::spin_until(finished, spin_budget)) {
            std::unique_lock<std::mutex> lock(wake_mutex_);
            done_.wait(lock, finished);
        }
        if (job_.failure) std::rethrow_exception(std::exchange(job_.failure, nullptr));
    }

private:
    // How long an idle worker keeps spinning before it blocks, and how long run() spins before
    // it blocks on the workers: a few GEMMs' worth, so consecutive kernels of one step hand over
    // without a system call.
    static constexpr std::chrono::microseconds spin_budget{200};

    struct job {
        void (*invoke)(void*, std::size_t) = nullptr;
        void* context = nullptr;
        std::size_t count = 0;
        std::atomic<std::size_t> next{0};
        std::exception_ptr failure;
        std::mutex failure_mutex;
    };

    // Takes indices of the current job until none are left.
    void work() noexcept {
        for (std::size_t i; (i = job_.next.fetch_add(1, std::memory_order_relaxed)) < job_.count;) {
            try {
                job_.invoke(job_.context, i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(job_.failure_mutex);
                if (!job_.failure) job_.failure = std::current_exception();
            }
        }
    }

    // `seen` is the generation when the thread was created: a job published before the thread
    // first runs is still its to do.
    void worker_loop(std::uint64_t seen) noexcept {
        detail::inside_job = true;
        for (;;) {
            auto const changed = [&] { return generation_.load(std::memory_order_acquire) != seen; };
            if (!detail::spin_until(changed, spin_budget)) {
                std::unique_lock<std::mutex> lock(wake_mutex_);
                wake_.wait(lock, changed);
            }
            seen = generation_.load(std::memory_order_acquire);
            if (stopping_.load(std::memory_order_acquire)) return;
            work();
            if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                // Under the mutex, so a caller between its check and its wait cannot miss it.
                { std::lock_guard<std::mutex> lock(wake_mutex_); }
                done_.notify_one();
            }
        }
    }

    // Starts a job (or the stop) for the workers. Under the mutex, so a worker between its check
    // and its wait cannot miss it. (Blocking goes through a condition variable rather than
    // std::atomic::wait, whose GCC 12 implementation can lose a notification for 8-byte atomics.)
    void publish() {
        {
            std::lock_guard<std::mutex> lock(wake_mutex_);
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
    }

    void start(std::size_t threads) {
        stopping_.store(false, std::memory_order_relaxed);
        workers_.reserve(threads > 1 ? threads - 1 : 0);
        std::uint64_t const now = generation_.load(std::memory_order_relaxed);
        for (std::size_t t = 1; t < threads; ++t) workers_.emplace_back([this, now] { worker_loop(now); });
    }

    void stop() noexcept {
        if (workers_.empty()) return;
        stopping_.store(true, std::memory_order_release);
        publish();
        for (auto& w : workers_) w.join();
        workers_.clear();
    }

    std::vector<std::thread> workers_;
    std::mutex run_mutex_;
    job job_;
    std::mutex wake_mutex_;
    std::condition_variable wake_;  // workers: a new job
    std::condition_variable done_;  // the caller: every worker finished the job
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<std::size_t> pending_{0};
    std::atomic<bool> stopping_{false};
};

}  // namespace typegrad::parallel
