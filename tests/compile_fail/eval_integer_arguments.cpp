// expect: evaluated on float, double, or xsimd::batch
// Evaluating on integers.
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/operators.hpp>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
#ifndef TYPEGRAD_MUST_COMPILE
    auto v = tg::eval(x * x, 3);
#else
    auto v = tg::eval(x * x, 3.0);
#endif
    (void)v;
}
