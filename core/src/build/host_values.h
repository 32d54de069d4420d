// Small integer tensors the engine computes on the host once the input
// shapes are known (shape arithmetic: Shape → Gather → Concat → Reshape),
// so device layers get them as host values and enqueue never waits for them.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>

#include "kiln/network.h"

namespace kiln::build {

/// The layers evaluated on the host and the values they produced.
struct HostEvaluation {
  std::set<size_t> layers;                              ///< indices into network.layers()
  std::unordered_map<std::string, HostTensor> values;   ///< their outputs
};

/// Evaluates, in order, every layer whose inputs are all known on the host
/// (constants, outputs of earlier host layers, or — for Shape and Size — any
/// tensor of known dims) and whose outputs are integer tensors of at most
/// `maxElements` elements. `network` must have concrete input dims.
HostEvaluation evaluateOnHost(const Network& network, int64_t maxElements = 4096);

}  // namespace kiln::build
