// Activation memory planning: tensors whose lifetimes do not overlap share
// bytes of one arena, and the output of a layer that only renames its input
// (a Reshape run as a copy) may take the input's bytes outright.
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
  /// When not empty: the tensor whose bytes this one shares (itself no alias,
  /// of at least this size, alive until this one's last reader).
  std::string aliasOf;
};

/// Places every tensor at an offset (aligned to `alignment`) so that tensors
/// alive at the same time never overlap; larger tensors are placed first, each
/// at the lowest offset that fits; an alias gets its tensor's offset. Fills
/// peak and naive sizes (the naive size counts aliases as separate buffers).
MemoryReport planMemory(const std::vector<Lifetime>& tensors, int64_t alignment = 256);

}  // namespace kiln::build
