// expect: all arguments must have the same type
// Mixing float and double arguments.
#include <typegrad/expr/eval.hpp>
#include <typegrad/expr/operators.hpp>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
    constexpr tg::var<1> y;
#ifndef TYPEGRAD_MUST_COMPILE
    auto v = tg::eval(x + y, 1.0, 2.0f);
#else
    auto v = tg::eval(x + y, 1.0, 2.0);
#endif
    (void)v;
}
