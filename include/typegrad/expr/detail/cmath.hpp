#pragma once

// constexpr elementary functions for the expression engine to call when
// std::is_constant_evaluated() is true: <cmath> is not constexpr in C++20 (GCC folds some calls
// as an extension, other compilers do not), and Debian packages no well-kept constexpr math
// library, so the few functions the engine needs are written here.
//
// Method: each argument is reduced with an error far below 2^-53 relative (exactly for log and
// sqrt), the function is evaluated in double-double arithmetic (~106 bits) from its Taylor series
// in Horner form, and the result is rounded once. Results are therefore within about 0.5 ulp of
// the exact value (correctly rounded but for rare near-halfway cases); sqrt is always correctly
// rounded. The float overloads compute in double and round once to float. A call costs on the
// order of a millisecond of constant evaluation with GCC 12. Limits:
//   - exp, expm1 and sigmoid results in the subnormal range are rounded twice (to 53 bits, then
//     into the subnormal range), so they may be 1 ulp off.
//   - sin and cos carry pi/2 to ~160 bits, so the reduced argument r = x - n pi/2 has an absolute
//     error of about |x| 2^-157. Up to |x| = 2^30 (~1e9) that is below 2^-65 relative even for the
//     doubles closest to a multiple of pi/2 (|r| ~ 2^-62), and typical arguments stay within
//     1 ulp up to ~2^90; beyond that accuracy falls off, and past |x| ~ 2^150 the result means
//     nothing (though it stays in [-1, 1]). Exact reduction of every double would need
//     Payne-Hanek with ~1100 bits of 2/pi.
//   - The error-free transformations need IEEE binary64 arithmetic rounded to nearest with every
//     operation rounded as written, which constant evaluation guarantees. At run time they break
//     under -ffast-math. FMA contraction (GCC's default with -march=native) is handled: see split
//     and two_prod.
//   - exp and expm1 return +infinity on overflow. ldexp with a result beyond the double range is
//     not a constant expression (nothing here calls it so).

#include <bit>
#include <cstdint>
#include <limits>

namespace typegrad::detail::cmath {

inline constexpr double infinity = std::numeric_limits<double>::infinity();
inline constexpr double quiet_nan = std::numeric_limits<double>::quiet_NaN();

constexpr bool is_nan(double x) noexcept { return x != x; }

constexpr bool is_inf(double x) noexcept { return x == infinity || x == -infinity; }

// Bit operations rather than comparisons so that -0.0 and NaN keep or take the sign like std::.
constexpr double fabs(double x) noexcept {
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) & ~(std::uint64_t{1} << 63));
}

constexpr double copysign(double magnitude, double sign) noexcept {
    constexpr std::uint64_t sign_bit = std::uint64_t{1} << 63;
    return std::bit_cast<double>((std::bit_cast<std::uint64_t>(magnitude) & ~sign_bit) |
                                 (std::bit_cast<std::uint64_t>(sign) & sign_bit));
}

// 2^k for k in [-1022, 1023], built from its encoding so that it is exact by construction.
constexpr double pow2(int k) noexcept {
    return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}

// x * 2^k. Multiplying by a power of two is exact while the result stays normal, so a large |k| is
// applied in steps that keep the intermediate in range; only the last step can round (into the
// subnormal range). A result beyond the double range is not a constant expression.
constexpr double ldexp(double x, int k) noexcept {
    if (k > 1023) {
        x *= 0x1p1023;
        k -= 1023;
        if (k > 1023) {
            x *= 0x1p1023;
            k -= 1023;
            if (k > 1023) k = 1023;
        }
    } else if (k < -1022) {
        // 2^-1022 * 2^53: a normal x keeps all 53 bits, so this step does not round.
        x *= 0x1p-969;
        k += 969;
        if (k < -1022) {
            x *= 0x1p-969;
            k += 969;
            if (k < -1022) k = -1022;
        }
    }
    return x * pow2(k);
}

struct frexp_result {
    double mantissa; // in [0.5, 1) for finite nonzero x, else x itself
    int exponent;    // x == mantissa * 2^exponent
};

// Same contract as std::frexp.
constexpr frexp_result frexp(double x) noexcept {
    if (x == 0.0 || is_nan(x) || is_inf(x)) return {x, 0};
    int adjust = 0;
    if (fabs(x) < std::numeric_limits<double>::min()) {
        // A subnormal has no implicit leading bit; scaling it into the normal range first lets
        // the exponent field be read directly.
        x *= 0x1p54;
        adjust = -54;
    }
    constexpr std::uint64_t exponent_mask = std::uint64_t{0x7ff} << 52;
    auto bits = std::bit_cast<std::uint64_t>(x);
    int exponent = static_cast<int>((bits & exponent_mask) >> 52) - 1022 + adjust;
    bits = (bits & ~exponent_mask) | (std::uint64_t{1022} << 52);
    return {std::bit_cast<double>(bits), exponent};
}

// The nearest integer to y (ties may go either way), as a double. Never converts a value that
// does not fit in int64_t.
constexpr double nearest_integer(double y) noexcept {
    if (!(fabs(y) < 0x1p52)) return y; // already an integer (or NaN/inf)
    auto t = static_cast<double>(static_cast<std::int64_t>(y)); // truncation, exact
    double f = y - t;                                            // exact: same binade or smaller
    if (f >= 0.5) t += 1.0;
    if (f <= -0.5) t -= 1.0;
    return t;
}

// Double-double arithmetic: a value hi + lo with |lo| <= ulp(hi) / 2, good to about 2^-104
// relative. Algorithms from Dekker (1971) and Knuth (TAOCP vol. 2, 4.2.2), as in Hida, Li and
// Bailey's QD library.
namespace dd {

struct value {
    double hi;
    double lo;
};

// a + b == s + err exactly, for any a and b (Knuth).
constexpr value two_sum(double a, double b) noexcept {
    double s = a + b;
    double bb = s - a;
    double err = (a - (s - bb)) + (b - bb);
    return {s, err};
}

// a + b == s + err exactly, provided |a| >= |b| or a == 0 (Dekker).
constexpr value fast_two_sum(double a, double b) noexcept {
    double s = a + b;
    return {s, b - (s - a)};
}

// a == hi + lo with both halves at most 26 significant bits, so that products of halves are exact.
// Rounding the bit pattern to its top 26 significand bits does what Veltkamp's
// (2^27 + 1) * a trick does, but cannot overflow for large a and cannot be broken by a compiler
// contracting that multiplication into an FMA at run time.
constexpr value split(double a) noexcept {
    constexpr std::uint64_t low_bits = (std::uint64_t{1} << 27) - 1;
    auto bits = std::bit_cast<std::uint64_t>(a);
    bits = (bits + (std::uint64_t{1} << 26)) & ~low_bits; // round half up on the magnitude
    double hi = std::bit_cast<double>(bits);
    return {hi, a - hi}; // a - hi is exact: at most 2^26 units in the last place of a
}

// a * b == p + err exactly unless the product over- or underflows (Dekker).
constexpr value two_prod(double a, double b) noexcept {
    double p = a * b;
    // An infinite product has no error term (the formula below would give NaN). The test matters
    // for a second reason: it gives p a use other than addition, and GCC contracts a product into
    // FMAs only when all its uses are additions. Contracting p into the caller's two_sum would
    // make that sum see the exact product while err corrects the rounded one; with -march=native
    // that cost hundreds of ulp before this line was added.
    if (!(p > -infinity && p < infinity)) return {p, 0.0};
    value as = split(a);
    value bs = split(b);
    double err = ((as.hi * bs.hi - p) + as.hi * bs.lo + as.lo * bs.hi) + as.lo * bs.lo;
    return {p, err};
}

constexpr value neg(value a) noexcept { return {-a.hi, -a.lo}; }

// Accurate addition: keeps ~2^-104 relative to the result even under heavy cancellation, which
// argument reduction relies on.
constexpr value add(value a, value b) noexcept {
    value s = two_sum(a.hi, b.hi);
    value t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = fast_two_sum(s.hi, s.lo);
    s.lo += t.lo;
    return fast_two_sum(s.hi, s.lo);
}

constexpr value add(value a, double b) noexcept {
    value s = two_sum(a.hi, b);
    s.lo += a.lo;
    return fast_two_sum(s.hi, s.lo);
}

constexpr value mul(value a, value b) noexcept {
    value p = two_prod(a.hi, b.hi);
    p.lo += a.hi * b.lo + a.lo * b.hi;
    return fast_two_sum(p.hi, p.lo);
}

constexpr value mul(value a, double b) noexcept {
    value p = two_prod(a.hi, b);
    p.lo += a.lo * b;
    return fast_two_sum(p.hi, p.lo);
}

// Long division: each quotient digit q_i is a double, the remainder is exact up to ~2^-106.
constexpr value div(value a, value b) noexcept {
    double q1 = a.hi / b.hi;
    value r = add(a, neg(mul(b, q1)));
    double q2 = r.hi / b.hi;
    r = add(r, neg(mul(b, q2)));
    double q3 = r.hi / b.hi;
    return add(fast_two_sum(q1, q2), q3);
}

constexpr value div(value a, double b) noexcept {
    double q1 = a.hi / b;
    value p = two_prod(q1, b);
    value r = two_sum(a.hi, -p.hi);
    r.lo += a.lo - p.lo;
    double q2 = (r.hi + r.lo) / b;
    return fast_two_sum(q1, q2);
}

// Exact unless a part leaves the normal range.
constexpr value scale(value a, int k) noexcept { return {ldexp(a.hi, k), ldexp(a.lo, k)}; }

// hi is already the correctly rounded sum after normalisation; adding lo keeps that true for a
// value built without it.
constexpr double to_double(value a) noexcept { return a.hi + a.lo; }

} // namespace dd

namespace kernel {

// Constants as the sum of three doubles (c0 = RN(c), c1 = RN(c - c0), c2 = RN(c - c0 - c1),
// computed with mpmath at 400 bits), so that x - n * c is exact to ~2^-160 absolute times n.
// Hexadecimal because their exact bit patterns are the point.
inline constexpr double ln2_parts[3] = {0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56,
                                        0x1.7b57a079a1934p-111};
inline constexpr double half_pi_parts[3] = {0x1.921fb54442d18p+0, 0x1.1a62633145c07p-54,
                                            -0x1.f1976b7ed8fbcp-110};
// Only used to pick the integer n of a reduction; their rounding error just moves r slightly.
inline constexpr double inv_ln2 = 1.4426950408889634;     // RN(1 / ln 2)
inline constexpr double two_over_pi = 0.6366197723675814; // RN(2 / pi)
inline constexpr double sqrt_half = 0.7071067811865476;   // RN(sqrt(1/2)), a threshold only

// Largest double x with e^x below DBL_MAX + ulp/2 (so RN(e^x) is finite), and the largest with
// e^x <= 2^-1075 (so RN(e^x) == 0); found with mpmath.
inline constexpr double exp_overflow = 709.782712893384;    // 0x1.62e42fefa39efp+9
inline constexpr double exp_underflow = -745.1332191019412; // -0x1.74910d52d3052p+9

// r - n * (c0 + c1 + c2) in double-double. Each n * c_i is formed exactly, so the only errors are
// the double-double additions (~2^-106 of the running value) and the ~2^-160 * n truncation of c.
constexpr dd::value subtract_multiple(dd::value r, double n, const double (&c)[3]) noexcept {
    // For n near the top of the double range the partial products inside two_prod overflow
    // although n * c[0] does not; forming the product of n * 2^-64 and scaling back is exact.
    auto exact_product = [](double a, double b) {
        if (!(fabs(a) > 0x1p960)) return dd::two_prod(a, b);
        dd::value p = dd::two_prod(a * 0x1p-64, b);
        return dd::value{p.hi * 0x1p64, p.lo * 0x1p64};
    };
    r = dd::add(r, dd::neg(exact_product(n, c[0])));
    r = dd::add(r, dd::neg(exact_product(n, c[1])));
    return dd::add(r, -(n * c[2]));
}

// e^r - 1 for |r| <= ~0.35, from the Taylor series in nested form
//     r (1 + r/2 (1 + r/3 (1 + ... (1 + r/19)))),
// whose coefficients are the exact integers 2..19, so no coefficient table is needed. The first
// omitted term, r^20 / 20!, is below 2^-84 |r|. Computing e^r - 1 rather than e^r keeps full
// relative accuracy for expm1 of small arguments.
constexpr dd::value expm1_taylor(dd::value r) noexcept {
    dd::value p{1.0, 0.0};
    for (int k = 19; k >= 2; --k) p = dd::add(dd::div(dd::mul(r, p), static_cast<double>(k)), 1.0);
    return dd::mul(r, p);
}

struct ln2_reduction {
    dd::value r; // x - k ln 2, |r| <= ~ln(2) / 2
    int k;
};

// x = k ln 2 + r, for |x| < ~750 (the domain of exp) so that k is a small int.
constexpr ln2_reduction reduce_ln2(double x) noexcept {
    double k = nearest_integer(x * inv_ln2);
    return {subtract_multiple({x, 0.0}, k, ln2_parts), static_cast<int>(k)};
}

struct exp_parts {
    dd::value m; // e^x == m * 2^k, m in [~0.7, ~1.42]
    int k;
};

// For exp_underflow < x <= exp_overflow.
constexpr exp_parts exp_split(double x) noexcept {
    ln2_reduction red = reduce_ln2(x);
    return {dd::add(expm1_taylor(red.r), 1.0), red.k};
}

// e^x - 1 in double-double, for -40 <= x <= 700.
constexpr dd::value expm1_dd(double x) noexcept {
    ln2_reduction red = reduce_ln2(x);
    dd::value e = expm1_taylor(red.r);
    if (red.k == 0) return e;
    // 2^k (1 + e) - 1 == (2^k - 1) + 2^k e; both parts are exact and |result| >= 0.29, so the
    // sum cannot cancel badly.
    return dd::add(dd::two_sum(pow2(red.k), -1.0), dd::scale(e, red.k));
}

// log(m * 2^e) in double-double, for m (a double-double) in [~1/sqrt(2), ~sqrt(2)]. With
// s = (m - 1) / (m + 1), |s| <= 0.1716,
//     log m = 2 atanh s = 2 s (1 + s^2/3 + s^4/5 + ... + s^30/31),
// the Taylor series of atanh evaluated by Horner in s^2; the coefficients are the reciprocals of
// the exact odd integers 3..31, formed in double-double. The first omitted term is below
// 2^-81 |s|.
constexpr dd::value log_dd(dd::value m, int e) noexcept {
    dd::value num = dd::add(dd::two_sum(m.hi, -1.0), m.lo); // m - 1, exact
    dd::value den = dd::add(dd::two_sum(m.hi, 1.0), m.lo);
    dd::value s = dd::div(num, den);
    dd::value s2 = dd::mul(s, s);
    dd::value p{0.0, 0.0};
    for (int j = 15; j >= 1; --j) {
        dd::value coefficient = dd::div(dd::value{1.0, 0.0}, static_cast<double>(2 * j + 1));
        p = dd::mul(dd::add(p, coefficient), s2);
    }
    dd::value log_m = dd::mul(s, dd::add(p, 1.0));
    log_m = {2.0 * log_m.hi, 2.0 * log_m.lo};
    if (e == 0) return log_m;
    // e * ln2: the first product is exact, the second is off by 2^-53 of at most 2^-45, and the
    // omitted e * ln2_parts[2] is below 2^-100: far below what the final rounding of a result
    // >= ln(sqrt 2) can see.
    auto ed = static_cast<double>(e);
    dd::value e_ln2 = dd::add(dd::two_prod(ed, ln2_parts[0]), ed * ln2_parts[1]);
    return dd::add(e_ln2, log_m);
}

// sin r for |r| <= 0.8: r (1 - r^2/(2*3) (1 - r^2/(4*5) (1 - ... (1 - r^2/(22*23))))), the Taylor
// series in nested form with exact integer denominators; the first omitted term, r^25 / 25!, is
// below 2^-88 |r|.
constexpr dd::value sin_taylor(dd::value r) noexcept {
    dd::value r2 = dd::mul(r, r);
    dd::value p{1.0, 0.0};
    for (int j = 11; j >= 1; --j) {
        p = dd::add(dd::neg(dd::div(dd::mul(r2, p), static_cast<double>((2 * j) * (2 * j + 1)))),
                    1.0);
    }
    return dd::mul(r, p);
}

// cos r for |r| <= 0.8: 1 - r^2/(1*2) (1 - r^2/(3*4) (1 - ... (1 - r^2/(21*22)))); the first
// omitted term, r^24 / 24!, is below 2^-85.
constexpr dd::value cos_taylor(dd::value r) noexcept {
    dd::value r2 = dd::mul(r, r);
    dd::value p{1.0, 0.0};
    for (int j = 11; j >= 1; --j) {
        p = dd::add(dd::neg(dd::div(dd::mul(r2, p), static_cast<double>((2 * j - 1) * (2 * j)))),
                    1.0);
    }
    return p;
}

// n mod 4 for an integer-valued double n.
constexpr int mod4(double n) noexcept {
    if (fabs(n) >= 0x1p54) return 0; // spacing of doubles is >= 4 here: n is a multiple of 4
    return static_cast<int>(static_cast<std::int64_t>(n) & 3);
}

struct half_pi_reduction {
    dd::value r;  // x - n pi/2, |r| <= 0.8
    int quadrant; // n mod 4
};

// Cody-Waite reduction by pi/2 carried in three parts. For |x| < 2^52 one pass gives |r| <= ~pi/4;
// beyond that n = RN(x * 2/pi) is itself inexact, and further passes on the remainder (at most
// ~21 for the largest doubles) bring r back into range. Any integer n gives a valid identity, so
// the only accuracy loss is the ~|x| * 2^-157 absolute error described at the top of the file.
// 0.8 rather than pi/4 as the bound so that a remainder sitting at +-pi/4 cannot loop.
constexpr half_pi_reduction reduce_half_pi(double x) noexcept {
    dd::value r{x, 0.0};
    int quadrant = 0;
    for (int pass = 0; pass < 64 && fabs(r.hi) > 0.8; ++pass) {
        double n = nearest_integer(r.hi * two_over_pi);
        quadrant += mod4(n);
        r = subtract_multiple(r, n, half_pi_parts);
    }
    return {r, quadrant & 3};
}

} // namespace kernel

constexpr double exp(double x) noexcept {
    if (is_nan(x)) return x;
    if (x > kernel::exp_overflow) return infinity;
    if (x <= kernel::exp_underflow) return 0.0;
    kernel::exp_parts e = kernel::exp_split(x);
    return ldexp(dd::to_double(e.m), e.k);
}

constexpr double expm1(double x) noexcept {
    if (is_nan(x)) return x;
    if (x > kernel::exp_overflow) return infinity;
    // e^x < 2^-57 here, and half an ulp below 1 is 2^-54: -1 + e^x rounds to -1.
    if (x < -40.0) return -1.0;
    // expm1 x = x (1 + x/2 + ...): the correction is far below half an ulp of x. Also keeps
    // subnormal x out of the double-double code, whose low parts would underflow.
    if (fabs(x) < 0x1p-60) return x;
    // The -1 is below 2^-900 ulp of e^x here, and 2^k no longer fits a double near the top.
    if (x > 700.0) return exp(x);
    return dd::to_double(kernel::expm1_dd(x));
}

constexpr double log(double x) noexcept {
    if (is_nan(x)) return x;
    if (x < 0.0) return quiet_nan;
    if (x == 0.0) return -infinity;
    if (x == infinity) return x;
    frexp_result f = frexp(x);
    // Centre the mantissa on 1 so that |s| in log_dd stays <= 0.1716.
    if (f.mantissa < kernel::sqrt_half) {
        f.mantissa *= 2.0;
        --f.exponent;
    }
    return dd::to_double(kernel::log_dd({f.mantissa, 0.0}, f.exponent));
}

constexpr double log1p(double x) noexcept {
    if (is_nan(x)) return x;
    if (x < -1.0) return quiet_nan;
    if (x == -1.0) return -infinity;
    if (x == infinity) return x;
    // log1p x = x (1 - x/2 + ...): the correction is far below half an ulp of x.
    if (fabs(x) < 0x1p-60) return x;
    // 1 + x exactly, as a double-double, so that no bit of a small x is lost before the log.
    dd::value u = dd::two_sum(1.0, x);
    frexp_result f = frexp(u.hi);
    double lo = ldexp(u.lo, -f.exponent);
    if (f.mantissa < kernel::sqrt_half) {
        f.mantissa *= 2.0;
        lo *= 2.0;
        --f.exponent;
    }
    return dd::to_double(kernel::log_dd({f.mantissa, lo}, f.exponent));
}

// Correctly rounded for every double, by exact integer arithmetic on the significand rather than
// Newton's method in floating point: the digit-by-digit square root yields floor(sqrt) of an
// integer and its remainder exactly, which settles the rounding without needing to square
// candidate neighbours (that would need 106-bit products).
constexpr double sqrt(double x) noexcept {
    if (is_nan(x)) return x;
    if (x < 0.0) return quiet_nan;
    if (x == 0.0 || x == infinity) return x; // keeps the sign of -0.0, as IEEE 754 requires
    auto bits = std::bit_cast<std::uint64_t>(x);
    auto mant = bits & ((std::uint64_t{1} << 52) - 1);
    auto biased = static_cast<int>(bits >> 52);
    int e = 0; // x == mant * 2^e with mant in [2^52, 2^53)
    if (biased == 0) {
        int shift = std::countl_zero(mant) - 11;
        mant <<= shift;
        e = -1074 - shift;
    } else {
        mant |= std::uint64_t{1} << 52;
        e = biased - 1075;
    }
    if (e % 2 != 0) { // make the exponent even so that it halves exactly; mant < 2^54 now
        mant <<= 1;
        --e;
    }
    // q = floor(sqrt(mant * 2^54)), a 54-bit integer in [2^53, 2^54), one bit per step: the
    // invariant is rem == (the bits of mant * 2^54 consumed so far) - q^2, and rem <= 2q < 2^55
    // keeps everything in 64 bits. mant * 2^54 is read two bits at a time from the top (27 pairs
    // of mant, then 27 pairs of zeros).
    std::uint64_t q = 0;
    std::uint64_t rem = 0;
    for (int i = 0; i < 54; ++i) {
        std::uint64_t pair = i < 27 ? (mant >> (52 - 2 * i)) & 3 : 0;
        rem = (rem << 2) | pair;
        std::uint64_t trial = (q << 2) | 1; // (2q + 1)^2 - (2q)^2
        q <<= 1;
        if (rem >= trial) {
            rem -= trial;
            q |= 1;
        }
    }
    // Keep 53 bits and round on the 54th. A tie would need sqrt(mant * 2^54) == q exactly with q
    // odd, but then q^2 == mant * 2^54 would be odd: impossible, so no sticky bit is needed.
    std::uint64_t rounded = (q >> 1) + (q & 1); // <= 2^53, exact as a double
    // sqrt(x) ~ q 2^(e/2 - 27) = (q / 2) 2^(e/2 - 26), and it is normal for every positive double
    // x, so the scaling is exact.
    return static_cast<double>(rounded) * pow2(e / 2 - 26);
}

constexpr double sin(double x) noexcept {
    if (is_nan(x)) return x;
    if (is_inf(x)) return quiet_nan;
    // sin x = x (1 - x^2/6 + ...): for |x| < 2^-27 the correction is below half an ulp of x.
    if (fabs(x) < 0x1p-27) return x;
    kernel::half_pi_reduction red = kernel::reduce_half_pi(x);
    switch (red.quadrant) {
    case 0: return dd::to_double(kernel::sin_taylor(red.r));
    case 1: return dd::to_double(kernel::cos_taylor(red.r));
    case 2: return -dd::to_double(kernel::sin_taylor(red.r));
    default: return -dd::to_double(kernel::cos_taylor(red.r));
    }
}

constexpr double cos(double x) noexcept {
    if (is_nan(x)) return x;
    if (is_inf(x)) return quiet_nan;
    // cos x = 1 - x^2/2 + ...: for |x| < 2^-27 the correction is below half an ulp under 1.
    if (fabs(x) < 0x1p-27) return 1.0;
    kernel::half_pi_reduction red = kernel::reduce_half_pi(x);
    switch (red.quadrant) {
    case 0: return dd::to_double(kernel::cos_taylor(red.r));
    case 1: return -dd::to_double(kernel::sin_taylor(red.r));
    case 2: return -dd::to_double(kernel::cos_taylor(red.r));
    default: return dd::to_double(kernel::sin_taylor(red.r));
    }
}

constexpr double tanh(double x) noexcept {
    if (is_nan(x)) return x;
    double a = fabs(x);
    // 1 - tanh 22 = 2 / (e^44 + 1) < 2^-62, below half an ulp under 1.
    if (a > 22.0) return copysign(1.0, x);
    // tanh x = x (1 - x^2/3 + ...): for |x| < 2^-27 the correction is below half an ulp of x.
    if (a < 0x1p-27) return x;
    // tanh a = (e^2a - 1) / (e^2a + 1); expm1 keeps the numerator accurate as a -> 0.
    dd::value e = kernel::expm1_dd(2.0 * a);
    return copysign(dd::to_double(dd::div(e, dd::add(e, 2.0))), x);
}

// 1 / (1 + e^-x), evaluated through e^-|x| so that the exponential never overflows and, for
// x < 0, the small result e^x / (1 + e^x) keeps its relative accuracy.
constexpr double sigmoid(double x) noexcept {
    if (is_nan(x)) return x;
    if (x >= 0.0) {
        // e^-x < 2^-57, below half an ulp under 1.
        if (x > 40.0) return 1.0;
        kernel::exp_parts e = kernel::exp_split(-x);
        dd::value t = dd::scale(e.m, e.k);
        return dd::to_double(dd::div(dd::value{1.0, 0.0}, dd::add(t, 1.0)));
    }
    if (x <= kernel::exp_underflow) return 0.0; // below e^x itself, which already rounds to 0
    kernel::exp_parts e = kernel::exp_split(x);
    // e^x == m 2^k. Divide first and scale last, so that a subnormal result is rounded only in
    // the final scaling; below 2^-120 the e^x in the denominator cannot affect the quotient.
    dd::value den = e.k < -120 ? dd::value{1.0, 0.0} : dd::add(dd::scale(e.m, e.k), 1.0);
    return ldexp(dd::to_double(dd::div(e.m, den)), e.k);
}

// float overloads: evaluate in double and round once. The double result is within ~0.5 double
// ulp of the exact value, so the float result is the correctly rounded one unless the exact value
// lies within ~2^-29 float ulp of a midpoint between two floats. sqrt is always correctly rounded:
// rounding a square root to 53 and then to 24 bits equals rounding it to 24 bits directly.

// static_cast<float> of a double outside the float range is undefined behaviour (and not a
// constant expression), so apply round-to-nearest's overflow rule explicitly: from halfway between
// FLT_MAX and 2^128 (2^128 - 2^103, which ties to the even 2^128) up, the result is infinity.
constexpr float to_float(double x) noexcept {
    constexpr double float_max = std::numeric_limits<float>::max();
    if (fabs(x) >= 0x1.ffffffp127) {
        return x > 0.0 ? std::numeric_limits<float>::infinity()
                       : -std::numeric_limits<float>::infinity();
    }
    if (fabs(x) > float_max) return x > 0.0 ? std::numeric_limits<float>::max()
                                            : -std::numeric_limits<float>::max();
    return static_cast<float>(x);
}

constexpr float exp(float x) noexcept { return to_float(exp(static_cast<double>(x))); }
constexpr float expm1(float x) noexcept { return to_float(expm1(static_cast<double>(x))); }
constexpr float log(float x) noexcept { return to_float(log(static_cast<double>(x))); }
constexpr float log1p(float x) noexcept { return to_float(log1p(static_cast<double>(x))); }
constexpr float sqrt(float x) noexcept { return to_float(sqrt(static_cast<double>(x))); }
constexpr float sin(float x) noexcept { return to_float(sin(static_cast<double>(x))); }
constexpr float cos(float x) noexcept { return to_float(cos(static_cast<double>(x))); }
constexpr float tanh(float x) noexcept { return to_float(tanh(static_cast<double>(x))); }
constexpr float sigmoid(float x) noexcept { return to_float(sigmoid(static_cast<double>(x))); }

} // namespace typegrad::detail::cmath
