// expect: d\(e, x\): x must be a variable
// Differentiating by a subexpression instead of a variable.
#include <typegrad/expr/derivative.hpp>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
#ifndef TYPEGRAD_MUST_COMPILE
    auto df = tg::d(tg::sin(x), x * x);
#else
    auto df = tg::d(tg::sin(x), x);
#endif
    (void)df;
}
