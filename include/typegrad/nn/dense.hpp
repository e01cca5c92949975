#pragma once
// dense<In, Out>: y = x W^T + b, with W of Out x In and b of Out (PyTorch's nn.Linear layout).
// Its backward is derived from this expression: one GEMM each for dW (with db) and dx.

#include <cstddef>

#include <typegrad/nn/graph/build.hpp>
#include <typegrad/nn/graph/node.hpp>
#include <typegrad/nn/parameters.hpp>

namespace typegrad::nn {

template <std::size_t In, std::size_t Out>
struct dense {
    static_assert(In > 0 && Out > 0, "typegrad::nn::dense<In, Out>: both sizes must be at least 1");
    static constexpr std::size_t in_features = In;
    static constexpr std::size_t out_features = Out;

    using weight = graph::param<"weight", Out, In>;
    using bias = graph::param<"bias", 1, Out>;
    using parameters = parameter_list<weight, bias>;

    static constexpr auto forward(graph::input<In> x) noexcept { return x * transpose(weight{}) + bias{}; }
};

}  // namespace typegrad::nn
