// tg::data::loader: every epoch is a permutation laid out contiguously; batch contents follow the
// epoch's order; a seed and an epoch number fix the order; epochs after the first allocate
// nothing (counted by replacing the global operator new in this program).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <typegrad/data/dataset.hpp>
#include <typegrad/data/loader.hpp>
#include <typegrad/error.hpp>

#include "../support/count_allocations.hpp"

namespace tg = typegrad;

namespace {

// n rows of 3 features: row r holds (r, -r, 0.5 r), label r % 4, target 2r.
tg::data::dataset<double, 3, 1> numbered(std::size_t n) {
    tg::matrix<double, 3> x(n);
    tg::matrix<double, 1> y(n);
    std::vector<int> labels(n);
    for (std::size_t r = 0; r < n; ++r) {
        auto const v = static_cast<double>(r);
        x(r, 0) = v;
        x(r, 1) = -v;
        x(r, 2) = 0.5 * v;
        y(r, 0) = 2 * v;
        labels[r] = static_cast<int>(r % 4);
    }
    return {std::move(x), std::move(labels), std::move(y)};
}

// The dataset rows of one epoch's batches, in order, checking that each row is whole.
std::vector<std::size_t> rows_seen(tg::data::batch_range<double, 3, 1> const& epoch) {
    std::vector<std::size_t> rows;
    for (auto const& b : epoch)
        for (std::size_t r = 0; r < b.rows(); ++r) {
            auto const original = static_cast<std::size_t>(b.features(r, 0));
            CHECK(b.features(r, 1) == -b.features(r, 0));
            CHECK(b.features(r, 2) == 0.5 * b.features(r, 0));
            CHECK(b.labels[r] == static_cast<int>(original % 4));
            CHECK(b.targets(r, 0) == 2 * b.features(r, 0));
            rows.push_back(original);
        }
    return rows;
}

}  // namespace

TEST_CASE("a loader epoch is the dataset's rows in a seeded order", "[data][loader]") {
    auto const ds = numbered(23);
    tg::data::loader train(ds, 5, 42);
    STATIC_REQUIRE(std::is_same_v<decltype(train), tg::data::loader<double, 3, 1>>);
    CHECK(train.order().empty());
    CHECK(train.batches_per_epoch() == 5);

    auto const epoch = train.epoch();
    REQUIRE(epoch.size() == 5);
    CHECK(epoch[0].rows() == 5);
    CHECK(epoch[4].rows() == 3);  // 23 = 4 * 5 + 3: the partial batch is kept

    auto const rows = rows_seen(epoch);
    std::vector<std::size_t> const order(train.order().begin(), train.order().end());
    CHECK(rows == order);  // batch contents follow the epoch's order
    CHECK(order == tg::data::random_permutation(23, 42, 0));
    std::vector<std::size_t> sorted = rows;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> identity(23);
    std::iota(identity.begin(), identity.end(), std::size_t{0});
    CHECK(sorted == identity);  // a permutation
    CHECK(rows != identity);
    // One contiguous buffer: each batch starts where the previous one ends.
    for (std::size_t i = 1; i < epoch.size(); ++i)
        CHECK(epoch[i].features.data() == epoch[i - 1].features.data() + 3 * epoch[i - 1].rows());
}

TEST_CASE("loader orders depend on seed and epoch only", "[data][loader]") {
    auto const ds = numbered(50);
    tg::data::loader a(ds, 8, 7), b(ds, 8, 7), c(ds, 8, 8);
    auto const a0 = rows_seen(a.epoch()), a1 = rows_seen(a.epoch());
    CHECK(a.next_epoch() == 2);
    CHECK(a0 != a1);                       // epochs differ
    CHECK(rows_seen(b.epoch()) == a0);     // same seed, same order
    CHECK(rows_seen(c.epoch()) != a0);     // another seed
    tg::data::loader resumed(ds, 8, 7);
    resumed.set_epoch(1);
    CHECK(rows_seen(resumed.epoch()) == a1);  // an epoch reproduces on its own
}

TEST_CASE("loader epochs after the first allocate nothing", "[data][loader]") {
    auto const ds = numbered(1000);
    tg::data::loader train(ds, 64, 1);
    long const before_first = typegrad_test::allocations();
    auto const first = train.epoch();
    long const first_epoch = typegrad_test::allocations() - before_first;
    double const* buffer = first[0].features.data();

    long const before = typegrad_test::allocations();
    double sum = 0;
    for (int e = 0; e < 3; ++e)
        for (auto const& b : train.epoch()) sum += b.features(0, 0) + b.targets(b.rows() - 1, 0) + b.labels[0];
    long const later_epochs = typegrad_test::allocations() - before;

    CHECK(first_epoch > 0);
    CHECK(later_epochs == 0);
    CHECK(train.epoch()[0].features.data() == buffer);
    CHECK(sum > 0);
}

TEST_CASE("a loader over a dataset without labels or targets", "[data][loader]") {
    tg::matrix<float, 2> x(7);
    for (std::size_t r = 0; r < 7; ++r) x(r, 0) = static_cast<float>(r);
    tg::data::dataset<float, 2> const ds(x);
    tg::data::loader train(ds, 3, 0);
    auto const epoch = train.epoch();
    REQUIRE(epoch.size() == 3);
    for (auto const& b : epoch) CHECK(b.labels.empty());
    CHECK(epoch[2].rows() == 1);
    CHECK(epoch[1].features(0, 0) == static_cast<float>(train.order()[3]));
}

TEST_CASE("a loader rejects a batch size of 0 and works on an empty dataset", "[data][loader]") {
    tg::data::dataset<float, 2> const empty;
    CHECK_THROWS_WITH(tg::data::loader(empty, 0, 1), Catch::Contains("the batch size must be at least 1, got 0"));
    tg::data::loader train(empty, 4, 1);
    CHECK(train.epoch().empty());
    // A temporary dataset would leave the loader viewing freed memory: refused at compile time.
    STATIC_REQUIRE_FALSE(std::is_constructible_v<tg::data::loader<float, 2>, tg::data::dataset<float, 2>, std::size_t,
                                                 std::uint64_t>);
}
