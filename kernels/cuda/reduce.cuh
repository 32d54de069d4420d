// Reductions over any set of axes (ReduceSum, ReduceMean, ... and the global
// pools) and ArgMax/ArgMin. Floats only for the reductions (f32, f16, bf16),
// accumulated in float.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {

/// What a reduction computes (the same set as the reference's ReduceOp).
enum class ReduceKind : int32_t {
  kSum = 0,
  kMean = 1,
  kMax = 2,
  kMin = 3,
  kProd = 4,
  kL1 = 5,
  kL2 = 6,
  kLogSum = 7,
  kLogSumExp = 8,
  kSumSquare = 9,
};

/// A reduction: output element o reads the input at kept.offset(o) +
/// reduced.offset(r) for r in [0, count). `kept` has the output's dims (the
/// non-reduced input dims, in order) with their input strides; `reduced` the
/// reduced dims with theirs.
struct ReduceParams {
  Indexer kept;
  Indexer reduced;
  int64_t numOutputs = 1;
  int64_t count = 1;
  ReduceKind kind = ReduceKind::kSum;
  ElemType type = ElemType::kF32;  ///< f32, f16 or bf16 (input and output)
};

cudaError_t reduce(const ReduceParams& p, const void* x, void* y, cudaStream_t stream);

/// ArgMax/ArgMin along the middle axis of [outer, axis, inner] into int64
/// [outer, inner]: the first extreme (or the last with selectLast); a NaN in
/// the first position wins, later NaNs never do, as in the reference.
struct ArgReduceParams {
  int64_t outer = 1;
  int64_t axis = 1;
  int64_t inner = 1;
  bool max = true;
  bool selectLast = false;
  ElemType type = ElemType::kF32;  ///< f32, f16, bf16, f64, i32, i64, i8 or u8
};

cudaError_t argReduce(const ArgReduceParams& p, const void* x, int64_t* y, cudaStream_t stream);

}  // namespace kiln::kernels::cuda
