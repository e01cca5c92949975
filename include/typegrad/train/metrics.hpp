#pragma once
// Classification metrics: accuracy, the confusion matrix, and per-class and macro precision,
// recall and F1, for predicted and true class indices.

#include <cstddef>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

#include <typegrad/error.hpp>
#include <typegrad/tensor/view.hpp>

namespace typegrad::metrics {

/// counts(t, p): how many samples of true class t were predicted as p.
class confusion_matrix {
public:
    explicit confusion_matrix(std::size_t classes) : classes_(classes), counts_(classes * classes, 0) {}

    /// Adds the pairs (truth[i], predicted[i]). A class outside [0, classes) is a tg::error, and
    /// then nothing is added: every pair is checked before any is counted.
    template <std::ranges::sized_range Truth, std::ranges::sized_range Predicted>
    void add(Truth const& truth, Predicted const& predicted) {
        if (std::ranges::size(truth) != std::ranges::size(predicted))
            throw error("typegrad::metrics::confusion_matrix: " + std::to_string(std::ranges::size(truth)) +
                        " true classes but " + std::to_string(std::ranges::size(predicted)) + " predictions");
        for_each_pair(truth, predicted, [this](auto t, auto p, std::size_t i) {
            check("true class", t, i);
            check("predicted class", p, i);
        });
        for_each_pair(truth, predicted, [this](auto t, auto p, std::size_t) {
            ++counts_[static_cast<std::size_t>(t) * classes_ + static_cast<std::size_t>(p)];
        });
    }

    std::size_t classes() const noexcept { return classes_; }
    std::size_t operator()(std::size_t truth, std::size_t predicted) const noexcept {
        return counts_[truth * classes_ + predicted];
    }
    std::size_t total() const noexcept {
        std::size_t n = 0;
        for (auto c : counts_) n += c;
        return n;
    }
    std::size_t correct() const noexcept {
        std::size_t n = 0;
        for (std::size_t c = 0; c < classes_; ++c) n += (*this)(c, c);
        return n;
    }
    /// Samples of class c (row sum) and predictions of class c (column sum).
    std::size_t actual(std::size_t c) const noexcept {
        std::size_t n = 0;
        for (std::size_t p = 0; p < classes_; ++p) n += (*this)(c, p);
        return n;
    }
    std::size_t predicted(std::size_t c) const noexcept {
        std::size_t n = 0;
        for (std::size_t t = 0; t < classes_; ++t) n += (*this)(t, c);
        return n;
    }

    double accuracy() const noexcept { return total() == 0 ? 0.0 : double(correct()) / double(total()); }
    /// Of the predictions of class c, the share that were right (0 when c was never predicted).
    double precision(std::size_t c) const noexcept { return ratio((*this)(c, c), predicted(c)); }
    /// Of the samples of class c, the share found (0 when c never occurs).
    double recall(std::size_t c) const noexcept { return ratio((*this)(c, c), actual(c)); }
    double f1(std::size_t c) const noexcept {
        double const p = precision(c), r = recall(c);
        return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
    }
    /// Unweighted means over the classes.
    double macro_precision() const noexcept { return mean([this](std::size_t c) { return precision(c); }); }
    double macro_recall() const noexcept { return mean([this](std::size_t c) { return recall(c); }); }
    double macro_f1() const noexcept { return mean([this](std::size_t c) { return f1(c); }); }

private:
    template <class Truth, class Predicted, class F>
    static void for_each_pair(Truth const& truth, Predicted const& predicted, F&& f) {
        auto p = std::ranges::begin(predicted);
        std::size_t i = 0;
        for (auto const t : truth) f(t, *p++, i++);
    }

    template <class V>
    void check(char const* what, V value, std::size_t index) const {
        if (std::cmp_less(value, 0) || std::cmp_greater_equal(value, classes_))
            throw error(std::string("typegrad::metrics::confusion_matrix: ") + what + " " + std::to_string(value) +
                        " at index " + std::to_string(index) + " is out of range for " + std::to_string(classes_) +
                        " classes");
    }
    static double ratio(std::size_t a, std::size_t b) noexcept { return b == 0 ? 0.0 : double(a) / double(b); }
    template <class F>
    double mean(F f) const noexcept {
        double s = 0;
        for (std::size_t c = 0; c < classes_; ++c) s += f(c);
        return classes_ == 0 ? 0.0 : s / double(classes_);
    }

    std::size_t classes_;
    std::vector<std::size_t> counts_;
};

/// The index of the largest score in each row (the first on ties), appended to `out`.
template <matrix_like Scores>
void argmax_rows(Scores const& scores, std::vector<int>& out) {
    auto const v = scores.view();
    for (std::size_t r = 0; r < v.rows(); ++r) {
        std::size_t best = 0;
        for (std::size_t c = 1; c < v.cols; ++c)
            if (v(r, c) > v(r, best)) best = c;
        out.push_back(static_cast<int>(best));
    }
}

/// The share of equal pairs.
template <std::ranges::sized_range Truth, std::ranges::sized_range Predicted>
double accuracy(Truth const& truth, Predicted const& predicted) {
    if (std::ranges::size(truth) != std::ranges::size(predicted))
        throw error("typegrad::metrics::accuracy: " + std::to_string(std::ranges::size(truth)) + " true classes but " +
                    std::to_string(std::ranges::size(predicted)) + " predictions");
    std::size_t same = 0, n = 0;
    auto p = std::ranges::begin(predicted);
    for (auto const t : truth) {
        same += (static_cast<long long>(t) == static_cast<long long>(*p)) ? 1 : 0;
        ++p;
        ++n;
    }
    return n == 0 ? 0.0 : double(same) / double(n);
}

}  // namespace typegrad::metrics
