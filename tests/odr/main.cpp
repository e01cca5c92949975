// ODR link test: links a.cpp and b.cpp (both include <typegrad/typegrad.hpp>) into one program.
int typegrad_odr_a();
int typegrad_odr_b();

int main() { return typegrad_odr_a() + typegrad_odr_b() == 3 ? 0 : 1; }
