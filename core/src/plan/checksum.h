// The plan file's checksum: xxHash64, written out here because it is small,
// fast enough for gigabytes of weights, and has published test vectors.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kiln::plan {

/// xxHash64 of `size` bytes at `data` (the reference algorithm, seed 0 by default).
uint64_t xxhash64(const void* data, size_t size, uint64_t seed = 0) noexcept;

}  // namespace kiln::plan
