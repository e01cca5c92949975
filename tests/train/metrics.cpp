// Metrics on hand-made cases, with every count and ratio worked out in the comments.

#include <catch2/catch.hpp>

#include <vector>

#include <typegrad/tensor/matrix.hpp>
#include <typegrad/train/metrics.hpp>

namespace tg = typegrad;

TEST_CASE("confusion matrix, precision, recall and F1 by hand", "[train][metrics]") {
    // truth:     0 0 0 1 1 2 2 2 2
    // predicted: 0 1 0 1 2 2 2 0 2
    std::vector<int> const truth{0, 0, 0, 1, 1, 2, 2, 2, 2};
    std::vector<int> const predicted{0, 1, 0, 1, 2, 2, 2, 0, 2};
    tg::metrics::confusion_matrix m(3);
    m.add(truth, predicted);
    // rows true, columns predicted:
    //   0: [2 1 0]   1: [0 1 1]   2: [1 0 3]
    CHECK(m(0, 0) == 2);
    CHECK(m(0, 1) == 1);
    CHECK(m(1, 2) == 1);
    CHECK(m(2, 0) == 1);
    CHECK(m(2, 2) == 3);
    CHECK(m.total() == 9);
    CHECK(m.correct() == 6);
    CHECK(m.accuracy() == Approx(6.0 / 9.0));
    // precision: class 0: 2 of 3 predicted 0; class 1: 1 of 2; class 2: 3 of 4
    CHECK(m.precision(0) == Approx(2.0 / 3.0));
    CHECK(m.precision(1) == Approx(0.5));
    CHECK(m.precision(2) == Approx(0.75));
    // recall: class 0: 2 of 3; class 1: 1 of 2; class 2: 3 of 4
    CHECK(m.recall(0) == Approx(2.0 / 3.0));
    CHECK(m.recall(1) == Approx(0.5));
    CHECK(m.recall(2) == Approx(0.75));
    CHECK(m.f1(2) == Approx(0.75));
    CHECK(m.macro_precision() == Approx((2.0 / 3.0 + 0.5 + 0.75) / 3));
    CHECK(m.macro_f1() == Approx((2.0 / 3.0 + 0.5 + 0.75) / 3));
}

TEST_CASE("precision and recall of a class never predicted or never present are zero", "[train][metrics]") {
    tg::metrics::confusion_matrix m(3);
    m.add(std::vector<int>{0, 0, 1}, std::vector<int>{0, 1, 1});  // class 2 neither occurs nor is predicted
    CHECK(m.precision(2) == 0.0);
    CHECK(m.recall(2) == 0.0);
    CHECK(m.f1(2) == 0.0);
    CHECK(m.precision(1) == Approx(0.5));
    CHECK(m.recall(1) == 1.0);
    CHECK(m.f1(1) == Approx(2 * 0.5 * 1.0 / 1.5));
}

TEST_CASE("metrics reject classes out of range and mismatched lengths", "[train][metrics]") {
    tg::metrics::confusion_matrix m(3);
    CHECK_THROWS_WITH(m.add(std::vector<int>{0, 3}, std::vector<int>{0, 1}),
                      Catch::Contains("true class 3 at index 1 is out of range for 3 classes"));
    CHECK_THROWS_WITH(m.add(std::vector<int>{0, 1}, std::vector<int>{-1, 1}),
                      Catch::Contains("predicted class -1 at index 0"));
    CHECK_THROWS_WITH(m.add(std::vector<int>{0}, std::vector<int>{0, 1}), Catch::Contains("1 true classes but 2 predictions"));
    CHECK(m.total() == 0);  // nothing was counted by the failed calls
    CHECK_THROWS_AS(tg::metrics::accuracy(std::vector<int>{1}, std::vector<int>{}), tg::error);
}

TEST_CASE("argmax of each row, first on ties", "[train][metrics]") {
    tg::matrix<float, 3> scores(3);
    scores(0, 0) = 1, scores(0, 1) = 5, scores(0, 2) = 2;
    scores(1, 0) = 7, scores(1, 1) = 7, scores(1, 2) = 7;
    scores(2, 0) = -3, scores(2, 1) = -2, scores(2, 2) = -1;
    std::vector<int> out;
    tg::metrics::argmax_rows(scores, out);
    CHECK(out == std::vector<int>{1, 0, 2});
    CHECK(tg::metrics::accuracy(std::vector<int>{1, 1, 2}, out) == Approx(2.0 / 3.0));
}
