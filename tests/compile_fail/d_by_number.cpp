// expect: d\(e, x\): x must be a variable
// Differentiating by a number (a slip for tg::var<1>).
#include <typegrad/expr/derivative.hpp>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
#ifndef TYPEGRAD_MUST_COMPILE
    auto df = tg::d(x * x, 1);
#else
    auto df = tg::d(x * x, tg::var<1>{});
#endif
    (void)df;
}
