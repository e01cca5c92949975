// thread_pool: every index exactly once, on more than one thread, joins before returning,
// exceptions come back to the caller, nested and concurrent runs fall back to serial.

#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <typegrad/parallel/thread_pool.hpp>
#include <typegrad/parallel/threads.hpp>

namespace tg = typegrad;

TEST_CASE("run calls the body once for every index, for any count and pool size", "[parallel][thread_pool]") {
    for (std::size_t threads : {1, 2, 3, 8}) {
        tg::parallel::thread_pool pool(threads);
        CHECK(pool.size() == threads);
        for (std::size_t count : {0, 1, 2, 7, 64, 1000}) {
            std::vector<std::atomic<int>> calls(count);
            pool.run(count, [&](std::size_t i) { calls[i].fetch_add(1); });
            INFO(threads << " threads, " << count << " indices");
            for (auto const& c : calls) REQUIRE(c.load() == 1);
        }
    }
}

TEST_CASE("run returns only after every call has finished", "[parallel][thread_pool]") {
    tg::parallel::thread_pool pool(2);
    for (int round = 0; round < 200; ++round) {
        std::vector<int> out(16, 0);  // plain ints: the join must make the writes visible
        pool.run(out.size(), [&](std::size_t i) {
            if (i % 2) std::this_thread::sleep_for(std::chrono::microseconds(20));
            out[i] = round + static_cast<int>(i);
        });
        for (std::size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == round + static_cast<int>(i));
    }
}

TEST_CASE("a pool of two really uses a second thread", "[parallel][thread_pool]") {
    tg::parallel::thread_pool pool(2);
    // Each call waits until both have started: with one thread this could never finish, so the
    // rendezvous proves the second participant (bounded by a timeout, reported as a failure).
    std::atomic<int> started{0};
    std::atomic<bool> timed_out{false};
    std::set<std::thread::id> ids;
    std::mutex ids_mutex;
    pool.run(2, [&](std::size_t) {
        {
            std::lock_guard<std::mutex> lock(ids_mutex);
            ids.insert(std::this_thread::get_id());
        }
        started.fetch_add(1);
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (started.load() < 2)
            if (std::chrono::steady_clock::now() > deadline) {
                timed_out = true;
                return;
            }
    });
    CHECK_FALSE(timed_out.load());
    CHECK(ids.size() == 2);
}

TEST_CASE("an exception in a call reaches the caller after the others finish", "[parallel][thread_pool]") {
    tg::parallel::thread_pool pool(2);
    std::atomic<int> finished{0};
    CHECK_THROWS_WITH(pool.run(10,
                               [&](std::size_t i) {
                                   if (i == 3) throw std::runtime_error("index 3 failed");
                                   finished.fetch_add(1);
                               }),
                      "index 3 failed");
    CHECK(finished.load() == 9);
    // The pool is still usable.
    std::atomic<int> again{0};
    pool.run(5, [&](std::size_t) { again.fetch_add(1); });
    CHECK(again.load() == 5);
}

TEST_CASE("a run inside a run executes serially instead of deadlocking", "[parallel][thread_pool]") {
    tg::parallel::thread_pool pool(2);
    std::atomic<int> inner{0};
    pool.run(4, [&](std::size_t) { pool.run(3, [&](std::size_t) { inner.fetch_add(1); }); });
    CHECK(inner.load() == 12);
}

TEST_CASE("runs from two threads at once both complete", "[parallel][thread_pool]") {
    tg::parallel::thread_pool pool(2);
    std::atomic<long> total{0};
    auto const hammer = [&] {
        for (int r = 0; r < 500; ++r) pool.run(8, [&](std::size_t i) { total.fetch_add(static_cast<long>(i)); });
    };
    std::thread other(hammer);
    hammer();
    other.join();
    CHECK(total.load() == 2 * 500 * 28);
}

TEST_CASE("resize changes the participants and keeps the pool working", "[parallel][thread_pool]") {
    tg::parallel::thread_pool pool(1);
    for (std::size_t threads : {3, 1, 2}) {
        pool.resize(threads);
        CHECK(pool.size() == threads);
        std::atomic<int> calls{0};
        pool.run(100, [&](std::size_t) { calls.fetch_add(1); });
        CHECK(calls.load() == 100);
    }
}

TEST_CASE("set_num_threads sets the process pool and rejects zero", "[parallel][threads]") {
    CHECK(tg::num_threads() == 1);  // nothing starts a thread unless asked
    tg::set_num_threads(2);
    CHECK(tg::num_threads() == 2);
    CHECK(tg::parallel::default_pool().size() == 2);
    CHECK_THROWS_AS(tg::set_num_threads(0), tg::error);
    CHECK_THROWS_WITH(tg::set_num_threads(0), Catch::Contains("at least 1"));
    CHECK(tg::num_threads() == 2);  // a rejected call changes nothing
    tg::set_num_threads(1);
    CHECK(tg::num_threads() == 1);
}
