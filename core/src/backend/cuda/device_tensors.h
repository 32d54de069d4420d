// Building the DeviceTensors of a layer from a network at concrete shapes.
#pragma once

#include <string>
#include <vector>

#include "backend/cuda/cuda_tactic.h"
#include "build/host_values.h"

namespace kiln::backend::cuda {

/// The tactic name of layers the engine evaluates on the host (shape arithmetic).
inline constexpr const char* kHostValueTactic = "cuda.host-value";
/// The tactic that runs a layer on the host between device copies.
inline constexpr const char* kHostFallbackTactic = "cuda.host-fallback";

/// Descriptors (type, shape, host value where known; no device data) of the
/// tensors `names` of `network`, which must have concrete dims. Throws
/// Error(kUnsupportedOp) naming the tensor when a shape depends on data.
std::vector<DeviceTensor> describeTensors(const Network& network, const std::vector<std::string>& names,
                                          const build::HostEvaluation& host);

}  // namespace kiln::backend::cuda
