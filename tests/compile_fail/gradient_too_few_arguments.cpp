// expect: too few arguments; the expression uses variable tg::var<I>
// The gradient of a function of three variables at a point of two.
#include <typegrad/expr/gradient.hpp>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
    constexpr tg::var<2> z;
#ifndef TYPEGRAD_MUST_COMPILE
    auto g = tg::gradient(x * z, 1.0, 2.0);
#else
    auto g = tg::gradient(x * z, 1.0, 2.0, 3.0);
#endif
    (void)g;
}
