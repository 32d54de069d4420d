// Facts about a network for `kiln inspect` and the studio: I/O, opsets, op
// histogram, parameters and a FLOP estimate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kiln/network.h"

namespace kiln {

/// A summary of a network, computed once in core and shown everywhere.
struct NetworkSummary {
  std::map<std::string, int64_t> opHistogram;  ///< layer count by op type
  int64_t layerCount = 0;                      ///< number of layers
  int64_t parameterCount = 0;                  ///< elements in constants
  int64_t parameterBytes = 0;                  ///< bytes in constants
  int64_t flops = 0;                           ///< multiply-adds count twice; known dims only
  bool flopsComplete = true;                   ///< false when some layer's shape was unknown
  std::vector<std::string> unsupportedOps;     ///< ops Kiln cannot run
};

/// Summarizes `network` (after shape inference).
NetworkSummary summarize(const Network& network);

/// Estimated floating-point operations of one layer from static shapes, or -1
/// when its shapes are unknown.
int64_t estimateFlops(const Network& network, const Layer& layer);

}  // namespace kiln
