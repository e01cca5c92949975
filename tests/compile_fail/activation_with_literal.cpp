// expect: Expr must be known from its type
// An activation whose constant is a plain number, whose value its type cannot carry.
#include <typegrad/nn/activation.hpp>

namespace tg = typegrad;

constexpr tg::var<0> x;

int main() {
#ifndef TYPEGRAD_MUST_COMPILE
    tg::nn::activation<decltype(0.5 * x)> half;
#else
    tg::nn::activation<decltype(tg::constant<0.5>{} * x)> half;
#endif
    (void)half;
}
