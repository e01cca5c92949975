// expect: d\(e, x\): e must be an expression
// Differentiating something that is not an expression.
#include <typegrad/expr/derivative.hpp>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
#ifndef TYPEGRAD_MUST_COMPILE
    auto df = tg::d(2.0, x);
#else
    auto df = tg::d(tg::literal{2.0}, x);
#endif
    (void)df;
}
