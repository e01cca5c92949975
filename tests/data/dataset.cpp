// tg::data::dataset: construction checks, batches in file order (with the partial last batch),
// subset, split by count and fraction (in order and seeded), datasets with regression targets.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include <typegrad/data/dataset.hpp>
#include <typegrad/error.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>

namespace tg = typegrad;
using Catch::Contains;

namespace {

// n rows of 2 features: row r holds (r, 100 + r), label r % 3.
tg::data::dataset<float, 2> numbered(std::size_t n) {
    tg::matrix<float, 2> x(n);
    std::vector<int> labels(n);
    for (std::size_t r = 0; r < n; ++r) {
        x(r, 0) = static_cast<float>(r);
        x(r, 1) = 100.0f + static_cast<float>(r);
        labels[r] = static_cast<int>(r % 3);
    }
    return {std::move(x), std::move(labels)};
}

// The row numbers a dataset built by numbered() holds, in its order.
std::vector<std::size_t> rows_of(tg::data::dataset<float, 2> const& ds) {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < ds.size(); ++r) {
        auto const original = static_cast<std::size_t>(ds.features()(r, 0));
        CHECK(ds.features()(r, 1) == 100.0f + static_cast<float>(original));
        CHECK(ds.labels()[r] == static_cast<int>(original % 3));
        rows.push_back(original);
    }
    return rows;
}

std::vector<std::size_t> iota(std::size_t first, std::size_t last) {
    std::vector<std::size_t> v(last - first);
    std::iota(v.begin(), v.end(), first);
    return v;
}

}  // namespace

TEST_CASE("a dataset holds features and labels and targets", "[data][dataset]") {
    auto const ds = numbered(5);
    CHECK(ds.size() == 5);
    CHECK_FALSE(ds.empty());
    CHECK(ds.has_labels());
    CHECK(ds.features().rows() == 5);
    CHECK(ds.labels().size() == 5);
    // The batches' labels are what the losses take.
    STATIC_REQUIRE(tg::loss::class_labels<decltype(ds.all().labels)>);
    STATIC_REQUIRE(tg::matrix_like<decltype(ds.all().features)>);

    tg::data::dataset<float, 2> const unlabelled(tg::matrix<float, 2>(4));
    CHECK_FALSE(unlabelled.has_labels());
    CHECK(unlabelled.all().labels.empty());

    tg::matrix<double, 1> y(3);
    y(2, 0) = 7.5;
    tg::data::dataset<double, 2, 1> const regression(tg::matrix<double, 2>(3), y);
    CHECK(regression.targets()(2, 0) == 7.5);
    CHECK(regression.all().targets.rows() == 3);
    tg::data::dataset<double, 2, 1> const both(tg::matrix<double, 2>(3), {0, 1, 1}, y);
    CHECK(both.has_labels());

    tg::data::dataset<float, 2> const none;
    CHECK(none.empty());
    CHECK(none.batches(4).empty());
}

TEST_CASE("dataset constructors check rows and labels", "[data][dataset][errors]") {
    CHECK_THROWS_WITH((tg::data::dataset<float, 2>(tg::matrix<float, 2>(3), {0, 1})),
                      Contains("typegrad::data::dataset: 2 labels for 3 rows of features"));
    CHECK_THROWS_WITH((tg::data::dataset<float, 2>(tg::matrix<float, 2>(3), {0, -4, 1})),
                      Contains("label -4 at row 1 is negative"));
    CHECK_THROWS_WITH((tg::data::dataset<float, 2, 1>(tg::matrix<float, 2>(3), tg::matrix<float, 1>(2))),
                      Contains("2 rows of targets for 3 rows of features"));
}

TEST_CASE("dataset::batches cuts the rows in order with the last batch partial", "[data][dataset]") {
    auto const ds = numbered(10);
    auto const batches = ds.batches(4);
    REQUIRE(batches.size() == 3);
    CHECK(batches[0].rows() == 4);
    CHECK(batches[2].rows() == 2);
    std::size_t next = 0;
    for (auto const& b : batches) {
        CHECK(b.features.data() == ds.features().data() + 2 * next);  // views, no copies
        for (std::size_t r = 0; r < b.rows(); ++r, ++next) {
            CHECK(b.features(r, 0) == static_cast<float>(next));
            CHECK(b.labels[r] == static_cast<int>(next % 3));
        }
    }
    CHECK(next == 10);
    CHECK_THROWS_AS(ds.batches(0), tg::error);
}

TEST_CASE("dataset::subset copies the given rows in the given order", "[data][dataset]") {
    auto const ds = numbered(6);
    std::vector<std::size_t> const rows{5, 0, 0, 3};
    CHECK(rows_of(ds.subset(rows)) == rows);
    CHECK(ds.subset({}).empty());
    std::vector<std::size_t> const beyond{1, 6};
    CHECK_THROWS_WITH(ds.subset(beyond), Contains("index 1 is row 6, beyond the 6 rows"));
}

TEST_CASE("dataset::split holds out the last rows or seeded random rows", "[data][dataset]") {
    auto const ds = numbered(10);

    auto const by_count = ds.split(3);
    CHECK(rows_of(by_count.train) == iota(0, 7));
    CHECK(rows_of(by_count.validation) == iota(7, 10));

    auto const by_fraction = ds.split(0.25);  // 2.5 rows rounds to 3
    CHECK(by_fraction.validation.size() == 3);
    CHECK(ds.split(0.0).validation.empty());
    CHECK(ds.split(1.0).train.empty());
    CHECK(ds.split(std::size_t{10}).validation.size() == 10);

    auto const seeded = ds.split(4, 42);
    auto const again = ds.split(4, 42);
    auto const train = rows_of(seeded.train), validation = rows_of(seeded.validation);
    CHECK(train.size() == 6);
    CHECK(validation.size() == 4);
    CHECK(std::is_sorted(train.begin(), train.end()));  // both parts keep the file order
    CHECK(std::is_sorted(validation.begin(), validation.end()));
    std::vector<std::size_t> all = train;
    all.insert(all.end(), validation.begin(), validation.end());
    std::sort(all.begin(), all.end());
    CHECK(all == iota(0, 10));  // a partition
    CHECK(rows_of(again.validation) == validation);
    CHECK(validation != iota(6, 10));
    bool some_seed_differs = false;
    for (std::uint64_t seed = 0; seed < 5; ++seed)
        some_seed_differs = some_seed_differs || rows_of(ds.split(4, seed).validation) != validation;
    CHECK(some_seed_differs);
}

TEST_CASE("dataset::split rejects impossible sizes", "[data][dataset][errors]") {
    auto const ds = numbered(10);
    CHECK_THROWS_WITH(ds.split(11), Contains("typegrad::data::dataset::split: 11 validation rows out of a dataset of 10"));
    CHECK_THROWS_WITH(ds.split(-1), Contains("-1 validation rows"));
    CHECK_THROWS_WITH(ds.split(1.5), Contains("the validation fraction must be in [0, 1], got 1.5"));
    CHECK_THROWS_AS(ds.split(-0.1f), tg::error);
    CHECK_THROWS_AS(ds.split(std::numeric_limits<double>::quiet_NaN()), tg::error);
}

TEST_CASE("split and subset carry targets along", "[data][dataset]") {
    tg::matrix<double, 1> x(4), y(4);
    for (std::size_t r = 0; r < 4; ++r) {
        x(r, 0) = static_cast<double>(r);
        y(r, 0) = 10.0 * static_cast<double>(r);
    }
    tg::data::dataset<double, 1, 1> const ds(x, y);
    auto const parts = ds.split(1);
    CHECK(parts.validation.targets()(0, 0) == 30.0);
    CHECK(parts.train.targets().rows() == 3);
    CHECK_FALSE(parts.train.has_labels());
}
