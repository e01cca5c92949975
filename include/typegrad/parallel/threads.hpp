#pragma once
// How many threads typegrad's kernels may use: tg::set_num_threads(n), tg::num_threads().
// One process-wide pool serves every network, as one BLAS or libtorch thread setting does. The
// default is 1 (the calling thread only), so nothing starts a thread unless asked to.

#include <cstddef>

#include <typegrad/error.hpp>
#include <typegrad/parallel/thread_pool.hpp>

namespace typegrad {

namespace parallel {

/// The pool the kernels split their work over.
inline thread_pool& default_pool() {
    static thread_pool pool(1);
    return pool;
}

/// part(begin, end) over ranges that split [0, count) among default_pool()'s threads, one range
/// each, every boundary a multiple of `unit`; part(0, count) on the calling thread alone when
/// `worth_splitting` is false or there is one thread. A kernel whose every element is computed
/// the same way wherever its range starts (a boundary on a multiple of its tile or vector length)
/// gives the same bits however it is split.
template <class F>
void split(std::size_t count, std::size_t unit, bool worth_splitting, F&& part) {
    // The pool is not touched for small work: a one-row step of a tiny network calls this for
    // every parameter, and default_pool()'s guard would be a measurable part of it.
    if (!worth_splitting) return part(std::size_t{0}, count);
    auto& pool = default_pool();
    std::size_t const units = (count + unit - 1) / unit;
    std::size_t const parts = units < pool.size() ? units : pool.size();
    if (parts <= 1) return part(std::size_t{0}, count);
    pool.run(parts, [&](std::size_t p) {
        std::size_t const end = units * (p + 1) / parts * unit;
        part(units * p / parts * unit, end < count ? end : count);
    });
}

/// Elementwise work over `count` elements (an optimiser's update, zeroing a gradient): split when
/// there are at least 2^15 elements, on multiples of 64 elements. 64 is a multiple of every batch
/// width, so each element is computed by the same instructions as on one thread, and only the
/// array's own end meets the narrower batches of a tail.
template <class F>
void split_elements(std::size_t count, F&& part) {
    split(count, 64, count >= (std::size_t{1} << 15), part);
}

}  // namespace parallel

/// Lets the kernels use `n` threads, the calling one included (n >= 1). Starts or stops threads,
/// so call it between training steps, not during one.
inline void set_num_threads(std::size_t n) {
    if (n == 0) throw error("typegrad::set_num_threads: the number of threads must be at least 1, got 0");
    parallel::default_pool().resize(n);
}

/// The number of threads the kernels use.
inline std::size_t num_threads() { return parallel::default_pool().size(); }

}  // namespace typegrad
