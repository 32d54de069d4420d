// Activation memory planning: tensors whose lifetimes do not overlap share
// bytes of one arena.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/report.h"

namespace kiln::build {

/// One activation to place.
struct Lifetime {
  std::string tensor;
  int64_t bytes = 0;
  int32_t first = 0;  ///< the layer that writes it
  int32_t last = 0;   ///< the last layer that reads it
};

/// Places every tensor at an offset (aligned to `alignment`) so that tensors
/// alive at the same time never overlap; larger tensors are placed first, each
/// at the lowest offset that fits. Fills peak and naive sizes.
MemoryReport planMemory(const std::vector<Lifetime>& tensors, int64_t alignment = 256);

}  // namespace kiln::build
