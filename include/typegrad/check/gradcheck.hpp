#pragma once
// tg::check::gradcheck(net, loss, x, targets): the network's analytic gradients (backprop) against
// central finite differences, in double, over every parameter and every input element. It reports
// the worst entry, by name. All-zero gradients are a failure: a check that any code would pass
// checks nothing. The check runs on a double copy of the network (parameters, buffers, seed and
// step), in training mode; every loss it differences is evaluated under the dropout masks of the
// one training step it takes, and `net` itself is not changed.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>

#include <typegrad/nn/backprop.hpp>
#include <typegrad/nn/gradients.hpp>
#include <typegrad/nn/sequential.hpp>
#include <typegrad/tensor/matrix.hpp>

namespace typegrad::check {

struct gradcheck_options {
    double step = 1e-6;             ///< h relative to max(1, |value|)
    double relative_tolerance = 1e-6;
    double absolute_tolerance = 1e-8;
};

struct gradcheck_result {
    bool passed = false;
    std::size_t entries = 0;        ///< parameters and inputs compared
    std::string worst_entry;        ///< e.g. "layer 2 weight[3, 1]" or "input[0, 5]"
    double analytic = 0;
    double numeric = 0;
    double error = 0;               ///< |analytic - numeric| / (absolute + relative * max(|a|, |n|)); <= 1 passes
    double largest_gradient = 0;    ///< the largest |gradient| seen
    bool all_zero = true;           ///< no gradient above the absolute tolerance: nothing was checked
    std::string message() const {
        std::ostringstream out;
        out << (passed ? "gradcheck passed" : "gradcheck FAILED") << " over " << entries << " entries";
        if (all_zero) out << ": every gradient is zero, so the check proves nothing";
        out << "; worst " << worst_entry << ": analytic " << analytic << ", numeric " << numeric
            << " (error " << error << " of tolerance)";
        return out.str();
    }
};

namespace detail {

template <class Net>
struct as_double;
template <class T, class... L>
struct as_double<nn::basic_sequential<T, L...>> {
    using type = nn::basic_sequential<double, L...>;
};

}  // namespace detail

/// Checks backprop(net, loss, x, targets) against central differences, in double. `targets` are
/// as the loss takes them; a float matrix of targets is converted.
template <class Net, class Loss, matrix_like X, class Targets>
gradcheck_result gradcheck(Net const& net, Loss const& loss, X const& x, Targets const& targets,
                           gradcheck_options const& options = {}) {
    using net64 = typename detail::as_double<Net>::type;
    constexpr std::size_t in = Net::in_features;
    net64 model;
    model.assign(net);
    auto const xv = x.view();
    matrix<double, in> input(xv.rows());
    for (std::size_t i = 0; i < xv.size(); ++i) input.data()[i] = static_cast<double>(xv.data()[i]);
    auto const double_targets = [&] {
        if constexpr (matrix_like<Targets>) {
            auto const tv = targets.view();
            matrix<double, decltype(tv)::cols> converted(tv.rows());
            for (std::size_t i = 0; i < tv.size(); ++i) converted.data()[i] = static_cast<double>(tv.data()[i]);
            return converted;
        } else {
            return targets;
        }
    }();

    auto grads = nn::gradients_like(model);
    matrix<double, in> d_input(input.rows());
    nn::detail::backprop_into<true>(model, loss, const_matrix_view<double, in>(input.view()), double_targets, grads,
                                    d_input.view());

    gradcheck_result result;
    double worst = -1;
    auto const loss_at = [&] {
        // The training graphs at the step backprop_into just took: dropout's masks stay fixed, so
        // the differences see the function whose gradient the backward computed.
        return nn::detail::loss_value<nn::mode::training>(model, loss, const_matrix_view<double, in>(input.view()),
                                                           double_targets);
    };
    // Central difference of the loss in one value, which is restored afterwards.
    auto const compare = [&](double& value, double analytic, auto const& describe) {
        double const saved = value;
        double const h = options.step * std::max(1.0, std::abs(saved));
        value = saved + h;
        double const up = loss_at();
        value = saved - h;
        double const down = loss_at();
        value = saved;
        double const numeric = (up - down) / (2 * h);
        double const scale =
            options.absolute_tolerance + options.relative_tolerance * std::max(std::abs(analytic), std::abs(numeric));
        double const error = std::abs(analytic - numeric) / scale;
        ++result.entries;
        result.largest_gradient = std::max({result.largest_gradient, std::abs(analytic), std::abs(numeric)});
        if (error > worst) {
            worst = error;
            result.worst_entry = describe();
            result.analytic = analytic;
            result.numeric = numeric;
            result.error = error;
        }
    };

    model.for_each_parameter_pair(grads, [&](std::size_t layer, std::string_view name, auto& m, auto const& g) {
        for (std::size_t r = 0; r < m.rows(); ++r)
            for (std::size_t c = 0; c < m.cols; ++c)
                compare(m(r, c), g(r, c), [&] {
                    return "layer " + std::to_string(layer) + " " + std::string(name) + "[" + std::to_string(r) + ", " +
                           std::to_string(c) + "]";
                });
    });
    for (std::size_t r = 0; r < input.rows(); ++r)
        for (std::size_t c = 0; c < in; ++c)
            compare(input(r, c), d_input(r, c),
                    [&] { return "input[" + std::to_string(r) + ", " + std::to_string(c) + "]"; });

    // Gradients within the absolute tolerance of zero are zero to this check: rounding in the
    // differences of a constant loss (numeric values near 1e-11) must not make it pass.
    result.all_zero = !(result.largest_gradient > options.absolute_tolerance);
    result.passed = result.entries > 0 && !result.all_zero && worst <= 1;
    return result;
}

}  // namespace typegrad::check
