#pragma once
// The libtorch peer: the problem's network as a torch::nn::Sequential of Linear layers and
// activations, trained with torch::optim, in its own translation unit (torch_peer.cpp).

#include <memory>

#include "problem.hpp"

namespace typegrad_bench::compare {

class torch_trainer {
public:
    /// The network, optimiser and tensors, built from p (copies of its data and weights).
    explicit torch_trainer(problem const& p);
    ~torch_trainer();
    torch_trainer(torch_trainer const&) = delete;
    torch_trainer& operator=(torch_trainer const&) = delete;

    /// One training step (zero_grad, forward, loss, backward, optimiser step); returns the loss.
    float step();

private:
    struct state;
    std::unique_ptr<state> state_;
};

/// Sets libtorch's intra-op threads and, when libtorch's BLAS is OpenBLAS, OpenBLAS's threads
/// too (which torch::set_num_threads leaves alone): the GEMMs run on OpenBLAS's own pool.
void set_torch_threads(int threads);

/// "libtorch 1.13.1 (BLAS: OpenBLAS ...)"-like text for the report.
char const* torch_description();

}  // namespace typegrad_bench::compare
