// tg::data::batch and batch_range: slicing, counts with a partial last batch, the iterator as a
// random-access range, and targets (a view, or the empty no_targets).

#include <catch2/catch.hpp>

#include <array>
#include <iterator>
#include <numeric>
#include <ranges>
#include <vector>

#include <typegrad/data/batch.hpp>
#include <typegrad/error.hpp>

namespace tg = typegrad;

namespace {

// 10 rows of 3 features (row r holds 3r, 3r+1, 3r+2), labels r, one target -r.
struct rows10 {
    std::array<float, 30> x{};
    std::array<int, 10> labels{};
    std::array<float, 10> y{};
    rows10() {
        std::iota(x.begin(), x.end(), 0.0f);
        std::iota(labels.begin(), labels.end(), 0);
        for (std::size_t r = 0; r < 10; ++r) y[r] = -static_cast<float>(r);
    }
    tg::data::batch<float, 3, 1> all() const {
        return {tg::matrix_view<float const, 3>(x.data(), 10), labels, tg::matrix_view<float const, 1>(y.data(), 10)};
    }
};

}  // namespace

TEST_CASE("batch_range is a sized random-access range of batches", "[data][batch]") {
    using range = tg::data::batch_range<float, 3, 1>;
    STATIC_REQUIRE(std::ranges::random_access_range<range>);
    STATIC_REQUIRE(std::ranges::sized_range<range>);
    STATIC_REQUIRE(std::random_access_iterator<range::iterator>);
    STATIC_REQUIRE(std::is_same_v<std::ranges::range_value_t<range>, tg::data::batch<float, 3, 1>>);
    // Without targets the member is an empty tag that takes no room.
    STATIC_REQUIRE(std::is_same_v<decltype(tg::data::batch<float, 3>::targets), tg::data::no_targets>);
    STATIC_REQUIRE(sizeof(tg::data::batch<float, 3>) ==
                   sizeof(tg::matrix_view<float const, 3>) + sizeof(std::span<int const>));
}

TEST_CASE("batch_range keeps the last partial batch", "[data][batch]") {
    rows10 const data;
    struct expected_case {
        std::size_t batch_size, batches, last_rows;
    };
    for (auto const [batch_size, batches, last_rows] :
         {expected_case{3, 4, 1}, expected_case{5, 2, 5}, expected_case{1, 10, 1}, expected_case{10, 1, 10},
          expected_case{64, 1, 10}}) {
        CAPTURE(batch_size);
        tg::data::batch_range<float, 3, 1> const range(data.all(), batch_size);
        REQUIRE(range.size() == batches);
        CHECK(range.batch_size() == batch_size);
        CHECK(range[batches - 1].rows() == last_rows);
        CHECK(static_cast<std::size_t>(std::ranges::distance(range)) == batches);
        std::size_t rows = 0, expected_first = 0;
        bool contiguous = true;
        for (auto const& b : range) {
            contiguous = contiguous && b.features(0, 0) == static_cast<float>(3 * expected_first) &&
                         b.labels.size() == b.rows() && b.labels[0] == static_cast<int>(expected_first) &&
                         b.targets.rows() == b.rows() && b.targets(0, 0) == -static_cast<float>(expected_first);
            expected_first += b.rows();
            rows += b.rows();
        }
        CHECK(contiguous);
        CHECK(rows == 10);
    }
}

TEST_CASE("batch_range indexing and iterator arithmetic agree", "[data][batch]") {
    rows10 const data;
    tg::data::batch_range<float, 3, 1> const range(data.all(), 4);
    auto it = range.begin();
    CHECK((*(it + 2)).features.data() == range[2].features.data());
    CHECK(it[1].features.data() == range[1].features.data());
    CHECK(range.end() - range.begin() == 3);
    CHECK((*(range.end() - 1)).rows() == 2);
    CHECK(range.at(2).labels.size() == 2);
    CHECK_THROWS_WITH(range.at(3), Catch::Contains("batch 3 of 3 batches"));
    // An iterator does not refer to the range object it came from.
    auto const kept = tg::data::batch_range<float, 3, 1>(data.all(), 4).begin();
    CHECK((*(kept + 1)).features(0, 0) == 12.0f);
}

TEST_CASE("batch_range of no rows has no batches and a batch size of 0 is an error", "[data][batch]") {
    tg::data::batch_range<float, 3> const none(tg::data::batch<float, 3>{}, 8);
    CHECK(none.empty());
    CHECK(none.begin() == none.end());
    CHECK_THROWS_WITH((tg::data::batch_range<float, 3>(tg::data::batch<float, 3>{}, 0)),
                      Catch::Contains("the batch size must be at least 1, got 0"));
}

TEST_CASE("batch slices without labels keep empty labels", "[data][batch]") {
    std::array<double, 8> x{};
    tg::data::batch<double, 2> const all{tg::matrix_view<double const, 2>(x.data(), 4), {}, {}};
    auto const part = all.slice(1, 2);
    CHECK(part.rows() == 2);
    CHECK(part.labels.empty());
    CHECK(part.features.data() == x.data() + 2);
}
