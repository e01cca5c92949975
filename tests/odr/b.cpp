// ODR link test, second TU: the same header, another function.
#include <typegrad/typegrad.hpp>

int typegrad_odr_b() { return 2; }
