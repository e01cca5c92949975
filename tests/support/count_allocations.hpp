// Counts every heap allocation of the test program that includes this header, so that a test can
// assert that a call made none. It replaces the global operator new and delete, which a program
// may do once: include it from exactly one translation unit (each Catch2 test here is one).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace typegrad_test {

namespace detail {
inline std::atomic<long> allocation_count{0};

inline void* counted_alloc(std::size_t size, std::size_t alignment) {
    allocation_count.fetch_add(1, std::memory_order_relaxed);
    // aligned_alloc wants a multiple of the alignment, and a zero-byte new must still be unique.
    std::size_t const rounded = (size + alignment - 1) / alignment * alignment;
    if (void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)) return p;
    throw std::bad_alloc();
}
}  // namespace detail

// Allocations so far, by any thread.
inline long allocations() noexcept { return detail::allocation_count.load(std::memory_order_relaxed); }

}  // namespace typegrad_test

// Replacement functions may not be inline ([replacement.functions]), hence one TU per program.
void* operator new(std::size_t size) { return typegrad_test::detail::counted_alloc(size, alignof(std::max_align_t)); }
void* operator new[](std::size_t size) { return typegrad_test::detail::counted_alloc(size, alignof(std::max_align_t)); }
void* operator new(std::size_t size, std::align_val_t a) {
    return typegrad_test::detail::counted_alloc(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a) {
    return typegrad_test::detail::counted_alloc(size, static_cast<std::size_t>(a));
}
// aligned_alloc pairs with free, which is right; GCC only sees new and free meet once they are
// inlined into one function, and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

// Under AddressSanitizer, memory the C++ runtime allocated through the sanitizer's operator new
// before these took over may come back through this delete; that pairing is the test's doing, not
// the library's, so ASan is told not to report it (for this program only).
extern "C" char const* __asan_default_options() { return "alloc_dealloc_mismatch=0"; }
