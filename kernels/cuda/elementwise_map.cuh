// The one kernel of the elementwise family (device code; for kernels/cuda/*.cu
// only): a grid-stride loop writing y[i] = op(inputs, i). The functor `Op`
// reads the inputs it needs through Operands and says how to combine them;
// everything that differs between ops is that template parameter.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "cuda/elementwise.cuh"
#include "kiln/kernels/cuda/common.cuh"

namespace kiln::kernels::cuda {
namespace {

/// The inputs of one launch, passed by value as a kernel parameter.
template <int N>
struct Operands {
  Operand op[N];

  /// Element of input k that output element i reads.
  template <class T>
  __device__ __forceinline__ T load(int k, int64_t i) const {
    const Operand& o = op[k];
    return static_cast<const T*>(o.data)[o.contiguous ? i : o.index.offset(i)];
  }
};

template <class Op, class Out, int N>
__global__ void mapKernel(Op fn, Out* __restrict__ y, Operands<N> in, int64_t n) {
  const int64_t stride = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) y[i] = fn(in, i);
}

constexpr int kMapThreads = 256;

/// Launches mapKernel over n outputs (nothing for n == 0) and returns the launch error.
template <class Out, int N, class Op>
cudaError_t launchMap(const Op& fn, void* y, const Operand* inputs, int64_t n, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  Operands<N> in;
  for (int k = 0; k < N; ++k) in.op[k] = inputs[k];
  mapKernel<Op, Out, N><<<blocksFor(n, kMapThreads), kMapThreads, 0, stream>>>(fn, static_cast<Out*>(y), in, n);
  return cudaGetLastError();
}

/// A contiguous operand over `data`, for single-input ops.
inline Operand flat(const void* data, ElemType type) {
  Operand o;
  o.data = data;
  o.type = type;
  o.contiguous = true;
  return o;
}

template <class T>
struct TypeTag {
  using type = T;
};

/// Storage type of each element type (bool is one byte, 0 or 1).
template <ElemType E> struct StorageOf;
template <> struct StorageOf<ElemType::kF32> { using type = float; };
template <> struct StorageOf<ElemType::kF16> { using type = __half; };
template <> struct StorageOf<ElemType::kBF16> { using type = __nv_bfloat16; };
template <> struct StorageOf<ElemType::kF64> { using type = double; };
template <> struct StorageOf<ElemType::kI8> { using type = int8_t; };
template <> struct StorageOf<ElemType::kU8> { using type = uint8_t; };
template <> struct StorageOf<ElemType::kI32> { using type = int32_t; };
template <> struct StorageOf<ElemType::kI64> { using type = int64_t; };
template <> struct StorageOf<ElemType::kBool> { using type = uint8_t; };
template <ElemType E> using Storage = typename StorageOf<E>::type;

template <ElemType E>
inline constexpr bool kIsFloatType = E == ElemType::kF32 || E == ElemType::kF16 || E == ElemType::kBF16 ||
                                     E == ElemType::kF64;
template <ElemType E>
inline constexpr bool kIsIntType = E == ElemType::kI8 || E == ElemType::kU8 || E == ElemType::kI32 ||
                                   E == ElemType::kI64;

/// Calls f(std::integral_constant<ElemType, E>{}) for the runtime type t if
/// it is one of Es...; returns false when it is not.
template <ElemType... Es, class F>
bool dispatchType(ElemType t, F&& f) {
  return ((t == Es ? (f(std::integral_constant<ElemType, Es>{}), true) : false) || ...);
}

}  // namespace
}  // namespace kiln::kernels::cuda
