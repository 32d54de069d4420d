// Host-side preparation of elementwise kernel inputs: the kernels' element
// type for a DataType, and broadcast Operands with their dims merged so the
// kernels index as few dims as they can.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "backend/cuda/cuda_tactic.h"
#include "cuda/elementwise.cuh"

namespace kiln::backend::cuda {

/// The kernels' element type for `t`, or nullopt for types they do not handle
/// (fp8, 16-bit and unsigned 32/64-bit integers).
std::optional<kernels::cuda::ElemType> elemTypeOf(DataType t);

/// Broadcast shape of `shapes` (numpy rules); throws Error when they do not broadcast.
std::vector<int64_t> broadcastShapes(const std::vector<std::vector<int64_t>>& shapes);

/// One Operand per input shape, mapping every element of `out` onto the
/// input (numpy broadcasting, the input aligned to the output's last dims).
/// An input with as many elements as the output is contiguous. Dims are
/// merged where every input allows and size-1 dims dropped. Data pointers and
/// types are left for the caller. Throws Error when a shape does not broadcast
/// onto `out` or when more than kMaxRank dims remain.
std::vector<kernels::cuda::Operand> broadcastOperands(const std::vector<int64_t>& out,
                                                      const std::vector<std::vector<int64_t>>& inputs);

/// broadcastOperands for device tensors, with their data and element types filled in.
std::vector<kernels::cuda::Operand> broadcastOperands(const std::vector<int64_t>& out,
                                                      const std::vector<const DeviceTensor*>& inputs);

}  // namespace kiln::backend::cuda
