// The CPU reference executor: runs a Network operator by operator with simple,
// obviously correct kernels. Every other backend is tested against it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/network.h"
#include "kiln/types.h"

namespace kiln {

/// Named host tensors: inputs given to, or outputs returned by, an executor.
using TensorMap = std::map<std::string, HostTensor>;

/// Runs a network on the CPU. Shapes are resolved from the actual inputs, so
/// dynamic batch and spatial sizes and data-dependent shape chains work.
/// An executor keeps its own copy of the network; run() is const and may be
/// called from several threads at once.
class ReferenceExecutor {
 public:
  /// Prepares `network`. Throws Error listing every unsupported op.
  explicit ReferenceExecutor(Network network);

  /// Runs the network. Every graph input must be given, with the declared
  /// type and a shape that fits the declared one. Returns every graph output.
  /// Throws Error naming the failing layer on bad inputs.
  TensorMap run(const TensorMap& inputs) const;

  /// Runs the network and also returns every intermediate tensor in `all`.
  TensorMap runKeepingAll(const TensorMap& inputs) const;

  const Network& network() const noexcept { return network_; }

 private:
  TensorMap execute(const TensorMap& inputs, bool keepAll) const;

  Network network_;
  std::vector<std::vector<std::string>> freeAfter_;  // per layer: tensors last read there
};

/// Seeded random inputs for every graph input of `network`, with symbolic or
/// unknown dimensions taken from `shapes` (by input name) or set to 1.
/// Floats are uniform in [-1, 1), integers in [0, 10), bools random.
TensorMap makeRandomInputs(const Network& network,
                           const std::map<std::string, std::vector<int64_t>>& shapes,
                           uint64_t seed = 0);

}  // namespace kiln
