// expect: too few arguments; the expression uses variable tg::var<I>
// Evaluating a function of two variables with one argument.
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/functions.hpp>
#include <typegrad/expr/operators.hpp>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
    constexpr tg::var<1> y;
#ifndef TYPEGRAD_MUST_COMPILE
    double v = tg::eval(tg::exp(x) * y, 1.0);
#else
    double v = tg::eval(tg::exp(x) * y, 1.0, 2.0);
#endif
    (void)v;
}
