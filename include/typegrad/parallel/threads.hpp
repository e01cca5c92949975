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
