// expect: declares a parameter that its forward expression never uses
// expect-context: parameter_does_not_reach_the_output<typegrad::nn::graph::param<typegrad::nn::name<3>\{"W2"\}, 4, 8>, gated>
// A user's layer that declares W2 but forgets it in the forward.
#include <typegrad/nn/dense.hpp>
#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/parameters.hpp>
#include <typegrad/nn/sequential.hpp>

namespace tg = typegrad;
namespace graph = tg::nn::graph;

struct gated {
    static constexpr std::size_t in_features = 8, out_features = 4;
    using w1 = graph::param<"W1", 4, 8>;
    using w2 = graph::param<"W2", 4, 8>;
    using parameters = tg::nn::parameter_list<w1, w2>;
    static constexpr auto forward(graph::input<8> x) {
#ifndef TYPEGRAD_MUST_COMPILE
        return sigmoid(x * transpose(w1{})) * (x * transpose(w1{}));
#else
        return sigmoid(x * transpose(w1{})) * (x * transpose(w2{}));
#endif
    }
};

int main() {
    tg::nn::sequential<tg::nn::dense<3, 8>, gated> net;
    (void)net;
}
