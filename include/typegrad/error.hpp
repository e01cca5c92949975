#pragma once
// The one exception type typegrad throws for bad run-time input (sizes, files, labels,
// checkpoints). Messages name what was wrong and where; a failed operation leaves its target
// unchanged.

#include <stdexcept>
#include <string>

namespace typegrad {

class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace typegrad
