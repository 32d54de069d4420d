// Host-side construction of the kernels' Indexer for a tensor broadcast onto
// an output shape (numpy rules, shapes aligned on the right).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::backend::cuda {

/// The Indexer mapping a flat index of `out` to an element offset of the
/// contiguous tensor `in` broadcast onto it. Adjacent dims that step through
/// `in` alike are merged, so ranks above kMaxRank often still fit. nullopt
/// when `in` does not broadcast onto `out` or more than kMaxRank dims remain.
std::optional<kernels::cuda::Indexer> broadcastIndexer(const std::vector<int64_t>& out,
                                                       const std::vector<int64_t>& in);

}  // namespace kiln::backend::cuda
