// ODR link test, first TU: includes the umbrella header and defines one function.
// If a header defines a non-inline function or variable, linking a.o with b.o fails.
#include <typegrad/typegrad.hpp>

int typegrad_odr_a() { return 1; }
