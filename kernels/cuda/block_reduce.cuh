// Device-only helpers for the reduction, softmax, normalization and pooling
// kernels: group reductions (a warp or a whole block per output) and value
// conversions. Include from .cu files only.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <type_traits>

#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda::detail {

template <class T>
constexpr bool kNarrowFloat = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

/// Reads a stored value as A (narrow floats through float).
template <class A, class T>
__device__ inline A loadAs(T v) {
  if constexpr (kNarrowFloat<T>) return A(toFloat(v));
  else return A(v);
}

/// Stores a computed value as T (narrow floats through float, round to nearest).
template <class T, class A>
__device__ inline T storeAs(A v) {
  if constexpr (kNarrowFloat<T>) return fromFloat<T>(float(v));
  else return T(v);
}

/// Threads per block of the group kernels.
constexpr int kGroupBlock = 256;

/// Reduces v over a group of G threads (G = 32: one warp, shuffles only;
/// G = kGroupBlock: the whole block, through `scratch` of 32 entries) with
/// `op`; every thread of the group gets the result. For G = kGroupBlock all
/// threads of the block must call it.
template <int G, class V, class Op>
__device__ inline V groupReduce(V v, Op op, V* scratch) {
  for (int s = 16; s > 0; s >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, s));
  if constexpr (G == 32) {
    return v;
  } else {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    __syncthreads();  // scratch may still be read by an earlier call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    constexpr int kWarps = G / 32;
    v = scratch[0];
    for (int w = 1; w < kWarps; ++w) v = op(v, scratch[w]);
    return v;
  }
}

struct SumOp {
  __device__ float operator()(float a, float b) const { return a + b; }
};
/// Max that propagates NaN.
struct MaxOp {
  __device__ float operator()(float a, float b) const { return isnan(a) || isnan(b) ? a + b : (a > b ? a : b); }
};
/// Min that propagates NaN.
struct MinOp {
  __device__ float operator()(float a, float b) const { return isnan(a) || isnan(b) ? a + b : (a < b ? a : b); }
};
/// Max that ignores NaN (as comparisons with > do).
struct MaxIgnoreNanOp {
  __device__ float operator()(float a, float b) const { return b > a || isnan(a) ? b : a; }
};
struct ProdOp {
  __device__ float operator()(float a, float b) const { return a * b; }
};

}  // namespace kiln::kernels::cuda::detail
