// A derivative derived at compile time, evaluated on SIMD lanes.
//
// The loss of a one-neuron tanh regression, (tanh(w x + b) - t)^2, is written once as an
// expression. The compiler derives its gradient in w and b; we check a value of it with
// static_assert, print it, then fit w and b to noisy samples of tanh(1.5 x - 0.5) by gradient
// descent, evaluating the gradient for 16 samples at a time on AVX-512 lanes (or whatever
// batch width this machine has).

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <typegrad/typegrad.hpp>

namespace tg = typegrad;

namespace {

constexpr tg::var<0> w;
constexpr tg::var<1> b;
constexpr tg::var<2> x;
constexpr tg::var<3> t;

constexpr auto loss = tg::pow<2>(tg::tanh(w * x + b) - t);

// d loss / dw at w = 0, b = 0, x = 2, t = 1 is 2 (tanh 0 - 1) * 2 (1 - tanh^2 0) = -4, derived and
// evaluated entirely by the compiler.
static_assert(tg::eval(tg::d(loss, w), 0.0, 0.0, 2.0, 1.0) == -4.0);

}  // namespace

int main() {
    std::printf("loss        = %s\n", tg::to_string(loss).c_str());
    std::printf("d loss / dw = %s\n", tg::to_string(tg::d(loss, w)).c_str());
    std::printf("d loss / db = %s\n\n", tg::to_string(tg::d(loss, b)).c_str());

    using batch = xsimd::batch<float>;
    constexpr std::size_t samples = 4096;
    static_assert(samples % batch::size == 0);

    std::mt19937_64 engine(42);
    std::uniform_real_distribution<float> input(-2.0f, 2.0f);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::vector<float> xs(samples), ts(samples);
    for (std::size_t i = 0; i < samples; ++i) {
        xs[i] = input(engine);
        ts[i] = std::tanh(1.5f * xs[i] - 0.5f) + noise(engine);
    }

    float weight = 0.1f, bias = 0.0f;
    constexpr float learning_rate = 0.5f;
    float mean_loss = 0.0f;
    for (int step = 0; step <= 300; ++step) {
        batch gw(0.0f), gb(0.0f), l(0.0f);
        batch const wv(weight), bv(bias);
        for (std::size_t i = 0; i < samples; i += batch::size) {
            batch const xv = batch::load_unaligned(&xs[i]);
            batch const tv = batch::load_unaligned(&ts[i]);
            auto const g = tg::gradient(loss, wv, bv, xv, tv);  // one lane per sample
            gw += g[0];
            gb += g[1];
            l += tg::eval(loss, wv, bv, xv, tv);
        }
        mean_loss = xsimd::hadd(l) / samples;
        weight -= learning_rate * xsimd::hadd(gw) / samples;
        bias -= learning_rate * xsimd::hadd(gb) / samples;
        if (step % 50 == 0) std::printf("step %3d  loss %.5f  w %+.4f  b %+.4f\n", step, mean_loss, weight, bias);
    }

    std::printf("\nfitted w = %.3f, b = %.3f (data made with 1.5, -0.5) on %zu-lane batches\n", weight, bias,
                batch::size);
    bool const fitted = std::abs(weight - 1.5f) < 0.05f && std::abs(bias + 0.5f) < 0.05f && mean_loss < 0.004f;
    return fitted ? 0 : 1;
}
