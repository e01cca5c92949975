// The losses of tg::loss: each value against its formula computed here in double, each gradient
// against central differences and against a small case worked by hand; the type-level rewrites
// (their derived gradients and fused_loss_t); finiteness at extreme inputs; labels out of range;
// one-hot targets against class indices.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <typegrad/error.hpp>
#include <typegrad/expr/derivative.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/operators.hpp>
#include <typegrad/nn/activation.hpp>
#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/loss/binary_cross_entropy.hpp>
#include <typegrad/nn/loss/mse.hpp>
#include <typegrad/nn/loss/softmax_cross_entropy.hpp>
#include <typegrad/nn/softmax.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace tg = typegrad;

namespace {

template <class T, std::size_t C>
tg::matrix<T, C> filled(std::size_t rows, double phase, double amplitude, double offset = 0) {
    tg::matrix<T, C> m(rows);
    for (std::size_t i = 0; i < m.size(); ++i)
        m.data()[i] = static_cast<T>(offset + amplitude * std::sin(1.3 * static_cast<double>(i) + phase));
    return m;
}

// The loss's value, and its gradient into `d` when `d` has rows.
template <class Loss, class T, std::size_t C, class Targets>
T value(Loss const& loss, tg::matrix<T, C> const& prediction, Targets const& targets, tg::matrix<T, C>* d = nullptr) {
    return loss.evaluate(tg::const_matrix_view<T, C>(prediction.view()), targets,
                         d ? d->view() : tg::matrix_view<T, C>{});
}

// Central differences of the loss in every prediction entry, compared with the analytic gradient.
template <class Loss, std::size_t C, class Targets>
void check_against_differences(Loss const& loss, tg::matrix<double, C> prediction, Targets const& targets) {
    tg::matrix<double, C> analytic(prediction.rows());
    value(loss, prediction, targets, &analytic);
    for (std::size_t i = 0; i < prediction.size(); ++i) {
        double const saved = prediction.data()[i];
        double const h = 1e-6 * std::max(1.0, std::abs(saved));
        prediction.data()[i] = saved + h;
        double const up = value(loss, prediction, targets);
        prediction.data()[i] = saved - h;
        double const down = value(loss, prediction, targets);
        prediction.data()[i] = saved;
        double const numeric = (up - down) / (2 * h);
        INFO("entry " << i);
        CHECK(analytic.data()[i] == Approx(numeric).epsilon(1e-6).margin(1e-9));
    }
}

double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

// log sum exp of a row, shifted by its maximum.
template <std::size_t C>
double logsumexp(double const* z) {
    double m = z[0];
    for (std::size_t c = 1; c < C; ++c) m = std::max(m, z[c]);
    double s = 0;
    for (std::size_t c = 0; c < C; ++c) s += std::exp(z[c] - m);
    return m + std::log(s);
}

template <class T>
constexpr double tolerance() {
    return std::is_same_v<T, float> ? 2e-6 : 1e-13;
}

}  // namespace

// 37 rows of 3 columns: 111 elements, so the SIMD loops end in a tail of every width.
TEST_CASE("mse: the mean of (p - t)^2 over every element", "[nn][loss]") {
    using TestType = double;  // (float: the extreme cases below, and every network in float)
    auto const p = filled<TestType, 3>(37, 0.1, 2.0);
    auto const t = filled<TestType, 3>(37, 0.7, 1.5);
    double expected = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        double const e = static_cast<double>(p.data()[i]) - static_cast<double>(t.data()[i]);
        expected += e * e;
    }
    expected /= static_cast<double>(p.size());
    tg::matrix<TestType, 3> d(37);
    CHECK(static_cast<double>(value(tg::loss::mse{}, p, t, &d)) == Approx(expected).epsilon(tolerance<TestType>()));
    CHECK(static_cast<double>(value(tg::loss::mse{}, p, t)) == Approx(expected).epsilon(tolerance<TestType>()));
    for (std::size_t i = 0; i < p.size(); ++i) {
        double const g = 2 * (static_cast<double>(p.data()[i]) - static_cast<double>(t.data()[i])) / 111.0;
        CHECK(static_cast<double>(d.data()[i]) == Approx(g).epsilon(tolerance<TestType>()).margin(1e-7));
    }
}

TEST_CASE("binary_cross_entropy: -(t log p + (1 - t) log(1 - p)), averaged", "[nn][loss]") {
    using TestType = double;  // (float: the extreme cases below, and every network in float)
    auto const p = filled<TestType, 3>(37, 0.3, 0.45, 0.5);  // in [0.05, 0.95]
    auto const t = filled<TestType, 3>(37, 1.9, 0.5, 0.5);   // soft targets in [0, 1]
    double expected = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
        double const pi = static_cast<double>(p.data()[i]), ti = static_cast<double>(t.data()[i]);
        expected -= ti * std::log(pi) + (1 - ti) * std::log(1 - pi);
    }
    expected /= 111.0;
    tg::matrix<TestType, 3> d(37);
    CHECK(static_cast<double>(value(tg::loss::binary_cross_entropy{}, p, t, &d)) ==
          Approx(expected).epsilon(tolerance<TestType>()));
    for (std::size_t i = 0; i < p.size(); ++i) {
        double const pi = static_cast<double>(p.data()[i]), ti = static_cast<double>(t.data()[i]);
        double const g = (-ti / pi + (1 - ti) / (1 - pi)) / 111.0;
        CHECK(static_cast<double>(d.data()[i]) == Approx(g).epsilon(4 * tolerance<TestType>()).margin(1e-7));
    }
}

TEST_CASE("bce_with_logits: softplus(z) - z t, averaged, gradient sigmoid(z) - t", "[nn][loss]") {
    using TestType = double;  // (float: the extreme cases below, and every network in float)
    auto const z = filled<TestType, 3>(37, 0.5, 6.0);
    auto const t = filled<TestType, 3>(37, 2.2, 0.5, 0.5);
    double expected = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
        double const zi = static_cast<double>(z.data()[i]), ti = static_cast<double>(t.data()[i]);
        expected += softplus(zi) - zi * ti;
    }
    expected /= 111.0;
    tg::matrix<TestType, 3> d(37);
    CHECK(static_cast<double>(value(tg::loss::bce_with_logits{}, z, t, &d)) ==
          Approx(expected).epsilon(tolerance<TestType>()));
    for (std::size_t i = 0; i < z.size(); ++i) {
        double const g = (sigmoid(static_cast<double>(z.data()[i])) - static_cast<double>(t.data()[i])) / 111.0;
        CHECK(static_cast<double>(d.data()[i]) == Approx(g).epsilon(4 * tolerance<TestType>()).margin(1e-8));
    }
}

TEST_CASE("softmax_cross_entropy: log-sum-exp(z) - z[label], averaged over rows", "[nn][loss]") {
    using TestType = double;  // (float: the extreme cases below, and every network in float)
    constexpr std::size_t classes = 3;
    auto const z = filled<TestType, classes>(37, 0.9, 4.0);
    std::vector<int> labels(37);
    for (std::size_t r = 0; r < labels.size(); ++r) labels[r] = static_cast<int>((r * 5 + 1) % classes);
    double expected = 0;
    std::vector<double> row(classes);
    tg::matrix<TestType, classes> d(37);
    CHECK(std::isfinite(value(tg::loss::softmax_cross_entropy{}, z, labels, &d)));
    for (std::size_t r = 0; r < 37; ++r) {
        for (std::size_t c = 0; c < classes; ++c) row[c] = static_cast<double>(z(r, c));
        double const lse = logsumexp<classes>(row.data());
        expected += lse - row[static_cast<std::size_t>(labels[r])];
        for (std::size_t c = 0; c < classes; ++c) {
            double const g = (std::exp(row[c] - lse) - (static_cast<int>(c) == labels[r] ? 1.0 : 0.0)) / 37.0;
            CHECK(static_cast<double>(d(r, c)) == Approx(g).epsilon(4 * tolerance<TestType>()).margin(1e-7));
        }
    }
    expected /= 37.0;
    CHECK(static_cast<double>(value(tg::loss::softmax_cross_entropy{}, z, labels)) ==
          Approx(expected).epsilon(tolerance<TestType>()));
}

TEST_CASE("cross_entropy: -log p[label], averaged over rows", "[nn][loss]") {
    using TestType = double;  // (float: the extreme cases below, and every network in float)
    constexpr std::size_t classes = 3;
    auto const p = filled<TestType, classes>(37, 0.2, 0.45, 0.5);  // not normalised: the loss does not care
    std::vector<int> labels(37);
    for (std::size_t r = 0; r < labels.size(); ++r) labels[r] = static_cast<int>((r * 7 + 2) % classes);
    double expected = 0;
    tg::matrix<TestType, classes> d(37);
    d.fill(TestType(42));  // every entry is written, the ones off the label with 0
    CHECK(std::isfinite(value(tg::loss::cross_entropy{}, p, labels, &d)));
    for (std::size_t r = 0; r < 37; ++r) {
        auto const label = static_cast<std::size_t>(labels[r]);
        double const pl = static_cast<double>(p(r, label));
        expected -= std::log(pl);
        for (std::size_t c = 0; c < classes; ++c)
            CHECK(static_cast<double>(d(r, c)) ==
                  Approx(c == label ? -1 / (pl * 37.0) : 0.0).epsilon(4 * tolerance<TestType>()).margin(1e-12));
    }
    expected /= 37.0;
    CHECK(static_cast<double>(value(tg::loss::cross_entropy{}, p, labels)) ==
          Approx(expected).epsilon(tolerance<TestType>()));
}

TEST_CASE("every loss's gradient equals central differences", "[nn][loss]") {
    auto const t = filled<double, 3>(37, 1.1, 0.5, 0.5);
    check_against_differences(tg::loss::mse{}, filled<double, 3>(37, 0.2, 2.0), filled<double, 3>(37, 0.4, 1.0));
    check_against_differences(tg::loss::binary_cross_entropy{}, filled<double, 3>(37, 0.3, 0.45, 0.5), t);
    check_against_differences(tg::loss::bce_with_logits{}, filled<double, 3>(37, 0.6, 5.0), t);
    std::vector<int> labels(37);
    for (std::size_t r = 0; r < labels.size(); ++r) labels[r] = static_cast<int>(r % 3);
    check_against_differences(tg::loss::softmax_cross_entropy{}, filled<double, 3>(37, 0.8, 3.0), labels);
    check_against_differences(tg::loss::cross_entropy{}, filled<double, 3>(37, 0.9, 0.45, 0.5), labels);
    // Soft targets (rows that do not sum to 1) for the class losses.
    check_against_differences(tg::loss::softmax_cross_entropy{}, filled<double, 3>(37, 0.8, 3.0), t);
    check_against_differences(tg::loss::cross_entropy{}, filled<double, 3>(37, 0.9, 0.45, 0.5), t);
}

TEST_CASE("each loss on a small case worked by hand", "[nn][loss]") {
    tg::matrix<double, 3> p(1), t(1), d(1);
    SECTION("mse") {
        // p = (1, 2, 3), t = (0, 4, 3): (1 + 4 + 0) / 3; d = 2 (p - t) / 3 = (2/3, -4/3, 0).
        p(0, 0) = 1, p(0, 1) = 2, p(0, 2) = 3, t(0, 0) = 0, t(0, 1) = 4, t(0, 2) = 3;
        CHECK(value(tg::loss::mse{}, p, t, &d) == Approx(5.0 / 3).epsilon(1e-15));
        CHECK(d(0, 0) == Approx(2.0 / 3).epsilon(1e-15));
        CHECK(d(0, 1) == Approx(-4.0 / 3).epsilon(1e-15));
        CHECK(d(0, 2) == 0.0);
    }
    SECTION("binary_cross_entropy") {
        // p = (1/4, 1/2, 4/5), t = (1, 0, 1): (log 4 + log 2 + log 5/4) / 3 = log(10) / 3;
        // d = (-t / p + (1 - t) / (1 - p)) / 3 = (-4, 2, -5/4) / 3.
        p(0, 0) = 0.25, p(0, 1) = 0.5, p(0, 2) = 0.8, t(0, 0) = 1, t(0, 1) = 0, t(0, 2) = 1;
        CHECK(value(tg::loss::binary_cross_entropy{}, p, t, &d) == Approx(std::log(10.0) / 3).epsilon(1e-14));
        CHECK(d(0, 0) == Approx(-4.0 / 3).epsilon(1e-14));
        CHECK(d(0, 1) == Approx(2.0 / 3).epsilon(1e-14));
        CHECK(d(0, 2) == Approx(-5.0 / 12).epsilon(1e-14));
    }
    SECTION("bce_with_logits") {
        // z = (0, log 3, -log 3), t = (1, 0, 1): sigmoid = (1/2, 3/4, 1/4), softplus = (log 2,
        // log 4, log 4/3); loss = (log 2 + log 4 + (log 4/3 + log 3)) / 3 = 5 log 2 / 3;
        // d = (sigmoid - t) / 3 = (-1/2, 3/4, -3/4) / 3.
        p(0, 0) = 0, p(0, 1) = std::log(3.0), p(0, 2) = -std::log(3.0), t(0, 0) = 1, t(0, 1) = 0, t(0, 2) = 1;
        CHECK(value(tg::loss::bce_with_logits{}, p, t, &d) == Approx(5 * std::log(2.0) / 3).epsilon(1e-14));
        CHECK(d(0, 0) == Approx(-1.0 / 6).epsilon(1e-14));
        CHECK(d(0, 1) == Approx(0.25).epsilon(1e-14));
        CHECK(d(0, 2) == Approx(-0.25).epsilon(1e-14));
    }
    SECTION("softmax_cross_entropy") {
        // z = (0, log 3, 0), label 1: softmax = (1/5, 3/5, 1/5), loss = -log(3/5);
        // d = softmax - y = (1/5, -2/5, 1/5).
        p(0, 0) = 0, p(0, 1) = std::log(3.0), p(0, 2) = 0;
        std::vector<int> const label{1};
        CHECK(value(tg::loss::softmax_cross_entropy{}, p, label, &d) == Approx(std::log(5.0 / 3.0)).epsilon(1e-14));
        CHECK(d(0, 0) == Approx(0.2).epsilon(1e-14));
        CHECK(d(0, 1) == Approx(-0.4).epsilon(1e-14));
        CHECK(d(0, 2) == Approx(0.2).epsilon(1e-14));
    }
    SECTION("cross_entropy") {
        // p = (1/4, 3/4, 0), label 0: loss = -log(1/4) = log 4; d = (-1 / (1/4), 0, 0).
        p(0, 0) = 0.25, p(0, 1) = 0.75, p(0, 2) = 0;
        std::vector<int> const label{0};
        CHECK(value(tg::loss::cross_entropy{}, p, label, &d) == Approx(std::log(4.0)).epsilon(1e-15));
        CHECK(d(0, 0) == Approx(-4.0).epsilon(1e-15));
        CHECK(d(0, 1) == 0.0);
        CHECK(d(0, 2) == 0.0);
    }
}

TEST_CASE("the stable forms are rewrites on types", "[nn][loss]") {
    constexpr tg::var<0> p;
    constexpr tg::var<1> t;
    // The derivative of bce_with_logits in the prediction, as expr/ derives it, is sigmoid(p) - t.
    using logits_expr = tg::loss::bce_with_logits::expression_type;
    STATIC_REQUIRE(std::is_same_v<decltype(tg::d(logits_expr{}, p)), decltype(tg::sigmoid(p) - t)>);
    // A network ending in sigmoid (softmax) trained with binary (categorical) cross-entropy is
    // trained with the fused loss on the last layer's input.
    STATIC_REQUIRE(std::is_same_v<tg::nn::fused_loss_t<tg::nn::sigmoid, tg::loss::binary_cross_entropy>,
                                  tg::loss::bce_with_logits>);
    STATIC_REQUIRE(std::is_same_v<tg::nn::fused_loss_t<tg::nn::softmax, tg::loss::cross_entropy>,
                                  tg::loss::softmax_cross_entropy>);
    STATIC_REQUIRE(std::is_void_v<tg::nn::fused_loss_t<tg::nn::tanh, tg::loss::binary_cross_entropy>>);
    STATIC_REQUIRE(std::is_void_v<tg::nn::fused_loss_t<tg::nn::softmax, tg::loss::mse>>);
}

TEMPLATE_TEST_CASE("logits of magnitude 1000 give finite losses and gradients", "[nn][loss]", float, double) {
    using T = TestType;
    SECTION("softmax_cross_entropy") {
        tg::matrix<T, 3> z(2), d(2);
        z(0, 0) = 1000, z(0, 1) = -1000, z(0, 2) = 0;
        z(1, 0) = -1000, z(1, 1) = 1000, z(1, 2) = 1000;
        std::vector<int> const labels{1, 0};
        // Row 0: log-sum-exp = 1000, loss 1000 - (-1000) = 2000. Row 1: log-sum-exp = 1000 + log 2,
        // loss 2000 + log 2. Gradients: softmax - y, halved (two rows).
        T const loss = value(tg::loss::softmax_cross_entropy{}, z, labels, &d);
        CHECK(static_cast<double>(loss) == Approx((2000 + 2000 + std::log(2.0)) / 2).epsilon(tolerance<T>()));
        double const expected[2][3] = {{0.5, -0.5, 0}, {-0.5, 0.25, 0.25}};
        // exp(z - lse) is computed with lse rounded to T near 1000: an error of up to 1000 eps.
        double const margin = 1000 * static_cast<double>(std::numeric_limits<T>::epsilon());
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t c = 0; c < 3; ++c) {
                REQUIRE(std::isfinite(d(r, c)));
                CHECK(static_cast<double>(d(r, c)) == Approx(expected[r][c]).margin(margin));
            }
    }
    SECTION("bce_with_logits") {
        tg::matrix<T, 3> z(1), t(1), d(1);
        z(0, 0) = 1000, z(0, 1) = -1000, z(0, 2) = 0, t(0, 0) = 0, t(0, 1) = 1, t(0, 2) = T(0.5);
        // softplus(1000) - 0 = 1000, softplus(-1000) + 1000 = 1000, softplus(0) - 0 = log 2;
        // d = (1 - 0, 0 - 1, 1/2 - 1/2) / 3.
        T const loss = value(tg::loss::bce_with_logits{}, z, t, &d);
        CHECK(static_cast<double>(loss) == Approx((2000 + std::log(2.0)) / 3).epsilon(tolerance<T>()));
        CHECK(static_cast<double>(d(0, 0)) == Approx(1.0 / 3).epsilon(tolerance<T>()));
        CHECK(static_cast<double>(d(0, 1)) == Approx(-1.0 / 3).epsilon(tolerance<T>()));
        CHECK(static_cast<double>(d(0, 2)) == Approx(0.0).margin(tolerance<T>()));
    }
}

TEMPLATE_TEST_CASE("binary_cross_entropy of probabilities 0 and 1 is finite", "[nn][loss]", float, double) {
    using T = TestType;
    tg::matrix<T, 3> p(2), t(2), d(2);
    T const ps[6] = {0, 1, 0, 1, 0, 1}, ts[6] = {0, 1, 1, 0, T(0.5), T(0.5)};
    std::copy_n(ps, 6, p.data());
    std::copy_n(ts, 6, t.data());
    T const loss = value(tg::loss::binary_cross_entropy{}, p, t, &d);
    REQUIRE(std::isfinite(loss));
    for (std::size_t i = 0; i < 6; ++i) CHECK(std::isfinite(d.data()[i]));
    // p is kept in [lo, hi] = [1e-7, 1 - 1e-7] (as T): right answers cost (almost) nothing, wrong
    // ones -log(lo) or -log(1 - hi), not infinity.
    double const lo = static_cast<double>(static_cast<T>(1e-7));
    double const hi = static_cast<double>(static_cast<T>(1 - 1e-7));
    double expected = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        double const pc = ps[i] == 0 ? lo : hi, ti = static_cast<double>(ts[i]);
        expected -= (ti * std::log(pc) + (1 - ti) * std::log(1 - pc)) / 6;
    }
    CHECK(static_cast<double>(loss) == Approx(expected).epsilon(std::is_same_v<T, float> ? 1e-5 : 1e-9));
}

TEST_CASE("a label out of range is a tg::error naming the label and the row", "[nn][loss]") {
    tg::matrix<double, 3> z(3), d(3);
    auto const message_of = [&](auto const& loss, std::vector<int> const& labels) {
        try {
            value(loss, z, labels, &d);
        } catch (tg::error const& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    for (auto const& message : {message_of(tg::loss::softmax_cross_entropy{}, {0, 2, -1}),
                                message_of(tg::loss::cross_entropy{}, {0, 2, -1})}) {
        INFO(message);
        CHECK(message.find("label -1 at row 2") != std::string::npos);
        CHECK(message.find("3 classes") != std::string::npos);
    }
    for (auto const& message : {message_of(tg::loss::softmax_cross_entropy{}, {1, 3, 0}),
                                message_of(tg::loss::cross_entropy{}, {1, 3, 0})}) {
        INFO(message);
        CHECK(message.find("label 3 at row 1") != std::string::npos);
    }
    // As many labels as rows.
    CHECK_THROWS_AS(value(tg::loss::softmax_cross_entropy{}, z, std::vector<int>{0, 1}, &d), tg::error);
    CHECK_NOTHROW(value(tg::loss::softmax_cross_entropy{}, z, std::vector<int>{0, 1, 2}, &d));
}

TEST_CASE("one-hot targets give what class indices give", "[nn][loss]") {
    constexpr std::size_t classes = 3;
    auto const logits = filled<double, classes>(37, 0.4, 3.0);
    auto const probabilities = filled<double, classes>(37, 0.4, 0.45, 0.5);
    std::vector<int> labels(37);
    tg::matrix<double, classes> one_hot(37);
    for (std::size_t r = 0; r < 37; ++r) {
        labels[r] = static_cast<int>((r * 7 + 2) % classes);
        one_hot(r, static_cast<std::size_t>(labels[r])) = 1;
    }
    tg::matrix<double, classes> d_labels(37), d_one_hot(37);
    auto const compare = [&](auto const& loss, tg::matrix<double, classes> const& input) {
        double const a = value(loss, input, labels, &d_labels);
        double const b = value(loss, input, one_hot, &d_one_hot);
        CHECK(a == Approx(b).epsilon(1e-14));
        for (std::size_t i = 0; i < d_labels.size(); ++i)
            CHECK(d_labels.data()[i] == Approx(d_one_hot.data()[i]).epsilon(1e-14).margin(1e-17));
    };
    compare(tg::loss::softmax_cross_entropy{}, logits);
    compare(tg::loss::cross_entropy{}, probabilities);
}
