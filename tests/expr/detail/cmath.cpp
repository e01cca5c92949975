// Tests for typegrad/expr/detail/cmath.hpp, the constexpr stand-ins for <cmath>.
//
// The functions are meant for constant evaluation, but they are swept at run time against glibc
// (and against long double, which is accurate enough to stand for the exact value) because that
// is where thousands of points are cheap; one test checks that constant evaluation gives the same
// bits as the run-time calls, so the sweeps speak for the constexpr path too.

#include <typegrad/expr/detail/cmath.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace cm = typegrad::detail::cmath;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double qnan = std::numeric_limits<double>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();
constexpr float qnan_f = std::numeric_limits<float>::quiet_NaN();

constexpr bool is_nan(double x) { return x != x; }
constexpr bool is_negative_zero(double x) { return x == 0.0 && std::bit_cast<std::int64_t>(x) < 0; }

// Maps floating-point values to integers in the same order (-0.0 and +0.0 both to 0), so that the
// difference of two images counts the representable values between them.
std::int64_t ordered(double x) {
    auto bits = std::bit_cast<std::int64_t>(x);
    return bits < 0 ? std::numeric_limits<std::int64_t>::min() - bits : bits;
}

std::int64_t ordered(float x) {
    auto bits = std::bit_cast<std::int32_t>(x);
    return bits < 0 ? std::int64_t{std::numeric_limits<std::int32_t>::min()} - bits : bits;
}

// 0 when both are NaN, the maximum when only one is.
template <class T>
std::uint64_t ulp_distance(T a, T b) {
    if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<std::uint64_t>::max();
    }
    std::int64_t x = ordered(a);
    std::int64_t y = ordered(b);
    return x > y ? static_cast<std::uint64_t>(x - y) : static_cast<std::uint64_t>(y - x);
}

template <class T>
struct worst_case {
    std::uint64_t ulps = 0;
    T x = 0;
    T got = 0;
    T want = 0;
    std::size_t points = 0;
};

template <class T, class Mine, class Reference>
worst_case<T> sweep(const std::vector<T>& xs, Mine mine, Reference reference) {
    worst_case<T> worst;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        T got = mine(xs[i]);
        T want = reference(xs[i]);
        std::uint64_t d = ulp_distance(got, want);
        if (i == 0 || d > worst.ulps) worst = {d, xs[i], got, want, 0};
    }
    worst.points = xs.size();
    return worst;
}

// INFO is scoped to this function, so it is shown with (only) this CHECK: a failure names the
// function, the reference, the worst point and both values. Run with -s to see passing maxima.
template <class T>
void check_sweep(const char* what, const worst_case<T>& w, std::uint64_t limit) {
    std::ostringstream message;
    message << std::setprecision(std::numeric_limits<T>::max_digits10) << what << ": worst "
            << w.ulps << " ulp (limit " << limit << ") over " << w.points << " points, at x = "
            << w.x << " (" << std::hexfloat << w.x << std::defaultfloat << "): got " << w.got
            << ", reference " << w.want;
    INFO(message.str());
    CHECK(w.ulps <= limit);
}

// Point sets. Every generator takes the engine by reference so that a test case draws one
// reproducible stream.
using engine = std::mt19937_64;

template <class T>
void append_linspace(std::vector<T>& xs, double lo, double hi, int n) {
    for (int i = 0; i < n; ++i) xs.push_back(static_cast<T>(lo + (hi - lo) * i / (n - 1)));
}

template <class T>
void append_uniform(std::vector<T>& xs, double lo, double hi, int n, engine& rng) {
    std::uniform_real_distribution<double> u(lo, hi);
    for (int i = 0; i < n; ++i) xs.push_back(static_cast<T>(u(rng)));
}

// |x| = 2^u with u uniform in [lo_exp2, hi_exp2): every binade equally likely, down to subnormals.
template <class T>
void append_log_uniform(std::vector<T>& xs, double lo_exp2, double hi_exp2, int n, engine& rng,
                        bool both_signs) {
    std::uniform_real_distribution<double> u(lo_exp2, hi_exp2);
    std::bernoulli_distribution negative(0.5);
    for (int i = 0; i < n; ++i) {
        auto x = static_cast<T>(std::exp2(u(rng)));
        xs.push_back(both_signs && negative(rng) ? -x : x);
    }
}

// centre and `spread` representable neighbours on each side.
template <class T>
void append_neighbours(std::vector<T>& xs, T centre, int spread) {
    T up = centre;
    T down = centre;
    xs.push_back(centre);
    for (int i = 0; i < spread; ++i) {
        up = std::nextafter(up, std::numeric_limits<T>::infinity());
        down = std::nextafter(down, -std::numeric_limits<T>::infinity());
        xs.push_back(up);
        xs.push_back(down);
    }
}

// Around the nearest values of T to k * step, k = k_lo, k_lo + k_stride, ..., k_hi: where a
// reduction x - k * step switches k (odd multiples of step / 2) or cancels most (multiples).
template <class T>
void append_near_multiples(std::vector<T>& xs, long double step, long k_lo, long k_hi,
                           long k_stride, int spread) {
    for (long k = k_lo; k <= k_hi; k += k_stride) {
        append_neighbours(xs, static_cast<T>(static_cast<long double>(k) * step), spread);
    }
}

const long double pi_l = std::acos(-1.0L);
const long double ln2_l = std::log(2.0L);

// Logistic function in long double: 64-bit significand, so rounding it to double or float is
// (but for rare near-halfway cases) the correctly rounded result. There is no std::sigmoid, and
// the same formula in double would carry up to ~1.5 ulp of its own error.
long double sigmoid_l(long double x) {
    return x >= 0 ? 1.0L / (1.0L + std::exp(-x)) : std::exp(x) / (1.0L + std::exp(x));
}

// Sweeps mine over xs against glibc's function (within glibc_limit ulp) and against the long
// double function rounded to T (within 1 ulp: that is the check that results are essentially
// correctly rounded, not merely close to glibc). std_function is a generic lambda over std::f.
template <class T, class Mine, class Std>
void check_function(const std::string& name, const std::vector<T>& xs, Mine mine,
                    Std std_function, std::uint64_t glibc_limit) {
    check_sweep((name + " vs std::").c_str(), sweep(xs, mine, [&](T x) { return std_function(x); }),
                glibc_limit);
    auto exact = [&](T x) { return static_cast<T>(std_function(static_cast<long double>(x))); };
    check_sweep((name + " vs long double").c_str(), sweep(xs, mine, exact), 1);
}

} // namespace

TEST_CASE("cmath: functions are usable in constant expressions", "[expr][cmath]") {
    STATIC_REQUIRE(cm::exp(0.0) == 1.0);
    STATIC_REQUIRE(cm::expm1(0.0) == 0.0);
    STATIC_REQUIRE(cm::log(1.0) == 0.0);
    STATIC_REQUIRE(cm::log1p(0.0) == 0.0);
    STATIC_REQUIRE(cm::sqrt(4.0) == 2.0);
    STATIC_REQUIRE(cm::sin(0.0) == 0.0);
    STATIC_REQUIRE(cm::cos(0.0) == 1.0);
    STATIC_REQUIRE(cm::tanh(0.0) == 0.0);
    STATIC_REQUIRE(cm::sigmoid(0.0) == 0.5);
    // Correctly rounded values (from mpmath), so the constant evaluation computes, not just folds.
    STATIC_REQUIRE(cm::exp(1.0) == 2.718281828459045);
    STATIC_REQUIRE(cm::log(2.0) == 0.6931471805599453);
    STATIC_REQUIRE(cm::sqrt(2.0) == 1.4142135623730951);
    STATIC_REQUIRE(cm::sin(1.0) == 0.8414709848078965);
    STATIC_REQUIRE(cm::exp(0.0f) == 1.0f);
    STATIC_REQUIRE(cm::sqrt(2.0f) == 1.41421354f);
    STATIC_REQUIRE(cm::sigmoid(0.0f) == 0.5f);
    STATIC_REQUIRE(cm::ldexp(1.0, -1074) == std::numeric_limits<double>::denorm_min());
    STATIC_REQUIRE(cm::frexp(std::numeric_limits<double>::denorm_min()).exponent == -1073);
    STATIC_REQUIRE(cm::frexp(std::numeric_limits<double>::denorm_min()).mantissa == 0.5);
}

TEST_CASE("cmath: constant evaluation gives the same bits as run-time calls", "[expr][cmath]") {
    constexpr int n = 24;
    constexpr int functions = 9;
    // +-1.37^i * 2^(3i - 30): from 1e-9 to 1e22, both signs.
    static constexpr auto args = [] {
        std::array<double, n> a{};
        for (int i = 0; i < n; ++i) {
            a[i] = (i % 2 == 0 ? 1.0 : -1.0) * cm::ldexp(1.0 + 0.37 * i, 3 * i - 30);
        }
        return a;
    }();
    // Each function on a transform of x that lands in its domain.
    constexpr auto evaluate = [](double x) {
        double bounded = x > 700.0 ? 700.0 : x < -700.0 ? -700.0 : x;
        return std::array<double, functions>{
            cm::exp(bounded), cm::expm1(bounded),          cm::log(cm::fabs(x)),
            cm::log1p(cm::fabs(x) - 0.5), cm::sqrt(cm::fabs(x)), cm::sin(x),
            cm::cos(x),       cm::tanh(x),                 cm::sigmoid(bounded)};
    };
    constexpr auto at_compile_time = [&] {
        std::array<std::array<double, functions>, n> t{};
        for (int i = 0; i < n; ++i) t[i] = evaluate(args[i]);
        return t;
    }();
    for (int i = 0; i < n; ++i) {
        volatile double opaque = args[i]; // keeps the optimiser from folding the run-time calls
        auto at_run_time = evaluate(opaque);
        for (int f = 0; f < functions; ++f) {
            CAPTURE(i, args[i], f, at_run_time[f], at_compile_time[i][f]);
            CHECK(std::bit_cast<std::uint64_t>(at_run_time[f]) ==
                  std::bit_cast<std::uint64_t>(at_compile_time[i][f]));
        }
    }
}

// Double sweeps: within 2 ulp of glibc and within 1 ulp of long double (see check_function).

TEST_CASE("cmath: exp and expm1 against std::", "[expr][cmath]") {
    engine rng(0x5eed0001);
    std::vector<double> xs;
    append_linspace(xs, -708.0, 709.78, 20001); // the whole range with normal results
    append_uniform(xs, -700.0, 700.0, 4000, rng);
    append_log_uniform(xs, -1074.0, 3.0, 3000, rng, true);   // near 0
    append_near_multiples(xs, ln2_l / 2, -2040, 2040, 3, 2); // k ln2 and (k + 1/2) ln2
    append_neighbours(xs, 709.782712893384, 3);              // overflow threshold
    check_function("exp", xs, [](double x) { return cm::exp(x); },
                   [](auto x) { return std::exp(x); }, 2);

    append_linspace(xs, -1.0, 1.0, 20001); // where expm1 differs most from exp - 1
    check_function("expm1", xs, [](double x) { return cm::expm1(x); },
                   [](auto x) { return std::expm1(x); }, 2);
}

TEST_CASE("cmath: log and log1p against std::", "[expr][cmath]") {
    engine rng(0x5eed0002);
    std::vector<double> xs;
    append_log_uniform(xs, -1074.0, 1024.0, 8000, rng, false); // every binade, subnormals too
    append_uniform(xs, 0.0, 1e300, 1000, rng);
    append_linspace(xs, 0.25, 4.0, 20001);
    append_neighbours(xs, 1.0, 2000); // log x ~ x - 1: no cancellation allowed
    for (int e = -1070; e <= 1020; e += 10) {
        // the mantissa switches between [sqrt(1/2), 1) and [1, sqrt 2) here
        append_neighbours(xs, static_cast<double>(std::ldexp(std::sqrt(0.5L), e)), 2);
    }
    check_function("log", xs, [](double x) { return cm::log(x); },
                   [](auto x) { return std::log(x); }, 2);

    std::vector<double> ys;
    append_linspace(ys, -0.999, 10.0, 20001);
    append_log_uniform(ys, -1074.0, 0.0, 6000, rng, true); // near 0, both signs
    std::uniform_real_distribution<double> distance_exp2(-53.0, 0.0);
    for (int i = 0; i < 2000; ++i) ys.push_back(-1.0 + std::exp2(distance_exp2(rng))); // near -1
    append_neighbours(ys, -1.0 + 0x1p-53, 50);
    append_log_uniform(ys, 0.0, 996.0, 4000, rng, false);        // up to 1e300
    append_near_multiples(ys, std::sqrt(0.5L) - 1, 1, 1, 1, 50); // 1 + x crosses the
    append_near_multiples(ys, std::sqrt(2.0L) - 1, 1, 1, 1, 50); // centring thresholds
    check_function("log1p", ys, [](double x) { return cm::log1p(x); },
                   [](auto x) { return std::log1p(x); }, 2);
}

TEST_CASE("cmath: sqrt is correctly rounded", "[expr][cmath]") {
    engine rng(0x5eed0003);
    std::vector<double> xs;
    append_log_uniform(xs, -1074.0, 1024.0, 20000, rng, false);
    append_uniform(xs, 0.0, 1e300, 1000, rng);
    append_linspace(xs, 0.0, 4.0, 10001);
    std::uniform_int_distribution<std::uint64_t> root(1, std::uint64_t{1} << 26);
    for (int i = 0; i < 3000; ++i) { // perfect squares and the values beside them
        auto k = static_cast<double>(root(rng));
        append_neighbours(xs, k * k, 1);
        append_neighbours(xs, std::ldexp(k * k, -1074 + 52), 1); // and in the subnormal range
    }
    append_neighbours(xs, std::numeric_limits<double>::max(), 2);
    append_neighbours(xs, std::numeric_limits<double>::min(), 2);
    append_neighbours(xs, std::numeric_limits<double>::denorm_min(), 2);
    // std::sqrt is IEEE 754's correctly rounded square root, so 0 ulp means correctly rounded.
    check_sweep("sqrt vs std::", sweep(xs, [](double x) { return cm::sqrt(x); },
                                       [](double x) { return std::sqrt(x); }), 0);
}

TEST_CASE("cmath: sin and cos against std::", "[expr][cmath]") {
    engine rng(0x5eed0004);
    std::vector<double> xs;
    append_linspace(xs, -1e4, 1e4, 40001);
    append_uniform(xs, -1e4, 1e4, 4000, rng);
    append_log_uniform(xs, -1074.0, 13.28, 4000, rng, true);  // |x| from subnormal to 1e4
    append_near_multiples(xs, pi_l / 4, -12732, 12732, 3, 2); // quadrant switches and zeros
    check_function("sin", xs, [](double x) { return cm::sin(x); },
                   [](auto x) { return std::sin(x); }, 2);
    check_function("cos", xs, [](double x) { return cm::cos(x); },
                   [](auto x) { return std::cos(x); }, 2);

    // Beyond the required range: the header promises about 1 ulp up to 2^30 for any argument.
    std::vector<double> big;
    append_log_uniform(big, 13.28, 30.0, 4000, rng, true);
    append_near_multiples(big, pi_l / 2, 100000000, 600000000, 50000001, 2);
    check_function("sin, 1e4 < |x| < 2^30,", big, [](double x) { return cm::sin(x); },
                   [](auto x) { return std::sin(x); }, 2);
    check_function("cos, 1e4 < |x| < 2^30,", big, [](double x) { return cm::cos(x); },
                   [](auto x) { return std::cos(x); }, 2);
}

TEST_CASE("cmath: tanh against std::", "[expr][cmath]") {
    engine rng(0x5eed0005);
    std::vector<double> xs;
    append_linspace(xs, -30.0, 30.0, 20001);
    append_uniform(xs, -30.0, 30.0, 4000, rng);
    append_log_uniform(xs, -1074.0, 4.9, 4000, rng, true); // near 0, where expm1 matters
    append_neighbours(xs, 22.0, 3);
    append_neighbours(xs, -22.0, 3);
    append_neighbours(xs, 0x1p-27, 3);
    check_function("tanh", xs, [](double x) { return cm::tanh(x); },
                   [](auto x) { return std::tanh(x); }, 2);
}

TEST_CASE("cmath: sigmoid against long double", "[expr][cmath]") {
    engine rng(0x5eed0006);
    std::vector<double> xs;
    append_linspace(xs, -700.0, 700.0, 20001);
    append_uniform(xs, -700.0, 700.0, 4000, rng);
    append_log_uniform(xs, -1074.0, 9.45, 4000, rng, true);
    append_neighbours(xs, 40.0, 3);
    check_sweep("sigmoid vs long double",
                sweep(xs, [](double x) { return cm::sigmoid(x); },
                      [](double x) { return static_cast<double>(sigmoid_l(x)); }), 1);
}

// Float overloads: within 1 ulp of glibc's float functions and of the long double value rounded
// to float, 0 ulp for sqrt. The exception is tanhf, which glibc documents as up to 2 ulp off
// (libm-test-ulps) and which is 2 ulp off at x = -0x1.160418p-1 (-0.543f), where the exact tanh
// (mpmath) rounds to our -0.49525547f; there the 1 ulp bound holds against long double and only
// glibc's own 2 ulp against glibc.

TEST_CASE("cmath: float overloads against std::", "[expr][cmath]") {
    engine rng(0x5eed0007);

    std::vector<float> e;
    append_linspace(e, -87.0, 88.0, 20001);
    append_uniform(e, -87.0, 88.0, 4000, rng);
    append_log_uniform(e, -149.0, 3.0, 3000, rng, true);
    check_function("exp(float)", e, [](float x) { return cm::exp(x); },
                   [](auto x) { return std::exp(x); }, 1);
    check_function("expm1(float)", e, [](float x) { return cm::expm1(x); },
                   [](auto x) { return std::expm1(x); }, 1);

    std::vector<float> l;
    append_log_uniform(l, -149.0, 128.0, 8000, rng, false);
    append_linspace(l, 0.25, 4.0, 20001);
    append_neighbours(l, 1.0f, 500);
    check_function("log(float)", l, [](float x) { return cm::log(x); },
                   [](auto x) { return std::log(x); }, 1);
    check_sweep("sqrt(float) vs std::", sweep(l, [](float x) { return cm::sqrt(x); },
                                              [](float x) { return std::sqrt(x); }), 0);

    std::vector<float> l1;
    append_linspace(l1, -0.999, 10.0, 20001);
    append_log_uniform(l1, -149.0, 0.0, 4000, rng, true);
    append_log_uniform(l1, 0.0, 127.9, 4000, rng, false);
    check_function("log1p(float)", l1, [](float x) { return cm::log1p(x); },
                   [](auto x) { return std::log1p(x); }, 1);

    std::vector<float> t;
    append_linspace(t, -1e4, 1e4, 40001);
    append_uniform(t, -1e4, 1e4, 4000, rng);
    append_log_uniform(t, -149.0, 13.28, 4000, rng, true);
    append_near_multiples(t, pi_l / 4, -12732, 12732, 7, 2);
    check_function("sin(float)", t, [](float x) { return cm::sin(x); },
                   [](auto x) { return std::sin(x); }, 1);
    check_function("cos(float)", t, [](float x) { return cm::cos(x); },
                   [](auto x) { return std::cos(x); }, 1);

    std::vector<float> h;
    append_linspace(h, -30.0, 30.0, 20001);
    append_log_uniform(h, -149.0, 4.9, 4000, rng, true);
    check_function("tanh(float)", h, [](float x) { return cm::tanh(x); },
                   [](auto x) { return std::tanh(x); }, 2);

    std::vector<float> s;
    append_linspace(s, -80.0, 80.0, 20001);
    append_log_uniform(s, -149.0, 6.3, 4000, rng, true);
    check_sweep("sigmoid(float) vs long double",
                sweep(s, [](float x) { return cm::sigmoid(x); },
                      [](float x) { return static_cast<float>(sigmoid_l(x)); }), 1);
}

TEST_CASE("cmath: special values", "[expr][cmath]") {
    constexpr double denorm_min = std::numeric_limits<double>::denorm_min();
    constexpr double max = std::numeric_limits<double>::max();

    // In constant expressions first, since that is where the engine meets them; then again at
    // run time, with the facts that need std:: or std::nextafter to state.
    STATIC_REQUIRE(cm::exp(-inf) == 0.0);
    STATIC_REQUIRE(cm::exp(inf) == inf);
    STATIC_REQUIRE(cm::exp(710.0) == inf);            // overflow
    STATIC_REQUIRE(cm::exp(-746.0) == 0.0);           // underflow
    STATIC_REQUIRE(cm::exp(709.782712893384) < inf);  // the largest finite case
    STATIC_REQUIRE(cm::exp(-0.0) == 1.0);
    STATIC_REQUIRE(is_nan(cm::exp(qnan)));
    STATIC_REQUIRE(cm::expm1(-inf) == -1.0);
    STATIC_REQUIRE(cm::expm1(inf) == inf);
    STATIC_REQUIRE(cm::expm1(710.0) == inf);
    STATIC_REQUIRE(is_negative_zero(cm::expm1(-0.0)));
    STATIC_REQUIRE(is_nan(cm::expm1(qnan)));
    STATIC_REQUIRE(cm::log(0.0) == -inf);
    STATIC_REQUIRE(cm::log(-0.0) == -inf);
    STATIC_REQUIRE(is_nan(cm::log(-1.0)));
    STATIC_REQUIRE(is_nan(cm::log(-inf)));
    STATIC_REQUIRE(cm::log(inf) == inf);
    STATIC_REQUIRE(is_nan(cm::log(qnan)));
    STATIC_REQUIRE(cm::log1p(-1.0) == -inf);
    STATIC_REQUIRE(is_nan(cm::log1p(-2.0)));
    STATIC_REQUIRE(cm::log1p(inf) == inf);
    STATIC_REQUIRE(is_negative_zero(cm::log1p(-0.0)));
    STATIC_REQUIRE(is_nan(cm::log1p(qnan)));
    STATIC_REQUIRE(is_nan(cm::sqrt(-1.0)));
    STATIC_REQUIRE(is_nan(cm::sqrt(-inf)));
    STATIC_REQUIRE(is_negative_zero(cm::sqrt(-0.0)));
    STATIC_REQUIRE(cm::sqrt(inf) == inf);
    STATIC_REQUIRE(is_nan(cm::sqrt(qnan)));
    STATIC_REQUIRE(is_nan(cm::sin(inf)));
    STATIC_REQUIRE(is_nan(cm::sin(-inf)));
    STATIC_REQUIRE(is_nan(cm::cos(inf)));
    STATIC_REQUIRE(is_nan(cm::cos(-inf)));
    STATIC_REQUIRE(is_negative_zero(cm::sin(-0.0)));
    STATIC_REQUIRE(is_nan(cm::sin(qnan)));
    STATIC_REQUIRE(is_nan(cm::cos(qnan)));
    STATIC_REQUIRE(cm::tanh(inf) == 1.0);
    STATIC_REQUIRE(cm::tanh(-inf) == -1.0);
    STATIC_REQUIRE(is_negative_zero(cm::tanh(-0.0)));
    STATIC_REQUIRE(is_nan(cm::tanh(qnan)));
    STATIC_REQUIRE(cm::sigmoid(inf) == 1.0);
    STATIC_REQUIRE(cm::sigmoid(-inf) == 0.0);
    STATIC_REQUIRE(cm::sigmoid(800.0) == 1.0);
    STATIC_REQUIRE(cm::sigmoid(-800.0) == 0.0);
    STATIC_REQUIRE(is_nan(cm::sigmoid(qnan)));
    STATIC_REQUIRE(cm::sin(1e300) >= -1.0); // huge arguments: inaccurate but bounded and constant
    STATIC_REQUIRE(cm::sin(1e300) <= 1.0);
    STATIC_REQUIRE(cm::cos(-max) <= 1.0);

    STATIC_REQUIRE(cm::exp(100.0f) == inf_f);
    STATIC_REQUIRE(cm::exp(-200.0f) == 0.0f);
    STATIC_REQUIRE(cm::log(0.0f) == -inf_f);
    STATIC_REQUIRE(is_nan(cm::sqrt(-1.0f)));
    STATIC_REQUIRE(is_nan(cm::sin(qnan_f)));
    // Rounding to float at the top of its range: halfway to 2^128 ties to infinity.
    STATIC_REQUIRE(cm::to_float(0x1.ffffffp127) == inf_f);
    STATIC_REQUIRE(cm::to_float(-0x1.ffffffp127) == -inf_f);
    STATIC_REQUIRE(cm::to_float(0x1.fffffefffffffp127) == std::numeric_limits<float>::max());

    CHECK(cm::exp(-inf) == 0.0);
    CHECK(cm::exp(inf) == inf);
    CHECK(cm::exp(710.0) == inf);
    CHECK(cm::exp(-746.0) == 0.0);
    CHECK(cm::exp(std::nextafter(709.782712893384, inf)) == inf);
    CHECK(cm::exp(709.782712893384) == std::exp(709.782712893384));
    CHECK(cm::exp(-745.1332191019412) == 0.0);
    CHECK(cm::exp(std::nextafter(-745.1332191019412, 0.0)) == denorm_min);
    CHECK(is_nan(cm::exp(qnan)));
    CHECK(cm::expm1(-inf) == -1.0);
    CHECK(cm::expm1(inf) == inf);
    CHECK(is_negative_zero(cm::expm1(-0.0)));
    CHECK(cm::expm1(denorm_min) == denorm_min);
    CHECK(cm::log(0.0) == -inf);
    CHECK(is_nan(cm::log(-1.0)));
    CHECK(cm::log(inf) == inf);
    CHECK(cm::log(denorm_min) == std::log(denorm_min));
    CHECK(cm::log(max) == std::log(max));
    CHECK(cm::log1p(-1.0) == -inf);
    CHECK(is_nan(cm::log1p(-2.0)));
    CHECK(cm::log1p(denorm_min) == denorm_min);
    CHECK(cm::log1p(max) == std::log1p(max));
    CHECK(is_nan(cm::sqrt(-1.0)));
    CHECK(is_negative_zero(cm::sqrt(-0.0)));
    CHECK(cm::sqrt(denorm_min) == std::sqrt(denorm_min));
    CHECK(is_nan(cm::sin(inf)));
    CHECK(is_nan(cm::cos(-inf)));
    CHECK(cm::tanh(-inf) == -1.0);
    CHECK(cm::sigmoid(-inf) == 0.0);
    CHECK(is_nan(cm::sigmoid(qnan)));
    CHECK(cm::exp(89.0f) == inf_f);
    CHECK(cm::log(-0.0f) == -inf_f);
}

TEST_CASE("cmath: ldexp and frexp agree with std::", "[expr][cmath]") {
    engine rng(0x5eed0008);
    std::vector<double> xs;
    append_log_uniform(xs, -1074.0, 1024.0, 5000, rng, true);
    std::uniform_int_distribution<int> scale(-1100, 1100);
    int mismatches = 0;
    std::ostringstream first;
    first << std::setprecision(17);
    for (double x : xs) {
        auto f = cm::frexp(x);
        int e = 0;
        double m = std::frexp(x, &e);
        // k is kept clear of overflow, which the header's ldexp leaves undefined (not constexpr).
        int k = std::min(scale(rng), 1024 - e);
        if (f.mantissa != m || f.exponent != e || cm::ldexp(m, k) != std::ldexp(m, k)) {
            if (mismatches++ == 0) first << "first at x = " << x << ", k = " << k;
        }
    }
    INFO(first.str());
    CHECK(mismatches == 0);
}
