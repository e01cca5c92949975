// expect: in a \* w, a's number of columns must equal w's number of rows
// A layer multiplying its 8-wide input by a transposed 4 x 6 parameter.
#include <typegrad/nn/graph/build.hpp>

namespace graph = typegrad::nn::graph;

int main() {
    graph::input<8> x;
#ifndef TYPEGRAD_MUST_COMPILE
    auto y = x * transpose(graph::param<"W", 4, 6>{});
#else
    auto y = x * transpose(graph::param<"W", 4, 8>{});
#endif
    (void)y;
}
