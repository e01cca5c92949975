// Consumer of an installed typegrad: must find the headers and dependencies through
// typegrad::typegrad alone, and use the library the way an application does.
#include <typegrad/typegrad.hpp>

#include <array>
#include <cstddef>

namespace tg = typegrad;

int main() {
    constexpr tg::var<0> x;
    constexpr tg::var<1> y;
    constexpr auto f = tg::sin(x) * y + tg::exp(x);
    static_assert(tg::eval(tg::d(f, x), 0.0, 2.0) == 3.0);

    using batch = xsimd::batch<float>;
    auto const g = tg::gradient(f, batch(0.0f), batch(2.0f));
    std::array<float, batch::size> out{};
    g[0].store_unaligned(out.data());
    for (float v : out)
        if (v != 3.0f) return 1;
    return tg::to_string(tg::d(f, x)) == "cos(x0) * x1 + exp(x0)" ? 0 : 1;
}
