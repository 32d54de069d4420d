// Shared pieces of the CUDA kernels: element types, launch shapes, and an
// N-d indexer for broadcasting and strided views.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace kiln::kernels::cuda {

/// Element types the kernels handle (a subset of kiln::DataType, same meaning).
enum class ElemType : int32_t {
  kF32 = 0,   ///< float
  kF16 = 1,   ///< __half
  kBF16 = 2,  ///< __nv_bfloat16
  kF64 = 3,   ///< double
  kI8 = 4,    ///< int8_t
  kU8 = 5,    ///< uint8_t
  kI32 = 6,   ///< int32_t
  kI64 = 7,   ///< int64_t
  kBool = 8,  ///< one byte, 0 or 1
};

/// Bytes per element.
inline __host__ __device__ int elemSize(ElemType t) {
  switch (t) {
    case ElemType::kF32: case ElemType::kI32: return 4;
    case ElemType::kF16: case ElemType::kBF16: return 2;
    case ElemType::kF64: case ElemType::kI64: return 8;
    default: return 1;
  }
}

/// The largest rank the kernels index.
constexpr int kMaxRank = 8;

/// Maps a flat output index to an input offset: `strides` are the input's
/// strides aligned to the output's dims (0 where the input broadcasts).
struct Indexer {
  int rank = 0;
  int64_t dims[kMaxRank] = {};     ///< output dims
  int64_t strides[kMaxRank] = {};  ///< input element strides per output dim

  __host__ __device__ int64_t offset(int64_t flat) const {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t i = flat % dims[d];
      flat /= dims[d];
      off += i * strides[d];
    }
    return off;
  }
};

/// Blocks for `n` threads of `threads` per block, capped for grid-stride loops.
inline unsigned blocksFor(int64_t n, int threads = 256) {
  int64_t b = (n + threads - 1) / threads;
  if (b < 1) b = 1;
  if (b > 65535 * 8) b = 65535 * 8;
  return unsigned(b);
}

/// Calls f(T{}) for T the C++ type of a float element type (f32, f16, bf16)
/// and returns its result; cudaErrorInvalidValue for other types.
template <class F>
cudaError_t withFloatType(ElemType t, F&& f) {
  switch (t) {
    case ElemType::kF32: return f(float{});
    case ElemType::kF16: return f(__half{});
    case ElemType::kBF16: return f(__nv_bfloat16{});
    default: return cudaErrorInvalidValue;
  }
}

/// Float conversions that work for every element type on the device.
template <class T> __device__ inline float toFloat(T v) { return float(v); }
template <> __device__ inline float toFloat<__half>(__half v) { return __half2float(v); }
template <> __device__ inline float toFloat<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }
template <class T> __device__ inline T fromFloat(float v) { return T(v); }
template <> __device__ inline __half fromFloat<__half>(float v) { return __float2half_rn(v); }
template <> __device__ inline __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

/// A flat thread index over [n][rows][cols][packs] (packs fastest, as the
/// channels of an NHWC tensor), split into its parts: consecutive threads
/// take consecutive channel packs of a pixel, so their accesses coalesce.
struct NhwcIndex {
  int n, row, col, pack;
};
__device__ inline NhwcIndex splitNhwcIndex(int i, int packs, int cols, int rows) {
  NhwcIndex x;
  x.pack = i % packs;
  i /= packs;
  x.col = i % cols;
  i /= cols;
  x.row = i % rows;
  x.n = i / rows;
  return x;
}

/// N consecutive elements of type T, loaded and stored as one access.
template <class T, int N>
struct alignas(sizeof(T) * N) Pack {
  static constexpr int kN = N;
  T v[N];
};

/// 16 bytes of elements of type T.
template <class T>
using Pack16 = Pack<T, 16 / int(sizeof(T))>;

/// True when `ptr` is a multiple of `bytes` (a power of two): it may be read as a Pack of that size.
__host__ __device__ inline bool alignedTo(const void* ptr, uintptr_t bytes) {
  return reinterpret_cast<uintptr_t>(ptr) % bytes == 0;
}

/// True when `ptr` may be read as Pack16.
__host__ __device__ inline bool aligned16(const void* ptr) { return alignedTo(ptr, 16); }

}  // namespace kiln::kernels::cuda
