#include "cuda/block_reduce.cuh"
#include "cuda/pool.cuh"

namespace kiln::kernels::cuda {

namespace {

using detail::loadAs;
using detail::storeAs;

template <class T>
__global__ void poolKernel(PoolParams p, int64_t n, const T* __restrict__ x, T* __restrict__ y,
                           int64_t* __restrict__ indices) {
  int64_t inPlane = 1, outPlane = 1, taps = 1;
  for (int d = 0; d < p.rank; ++d) {
    inPlane *= p.inSize[d];
    outPlane *= p.outSize[d];
    taps *= p.kernel[d];
  }
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t plane = k / outPlane;
    int64_t o[kMaxPoolDims] = {0, 0, 0};
    for (int64_t rest = k % outPlane, d = p.rank - 1; d >= 0; --d) {
      o[d] = rest % p.outSize[d];
      rest /= p.outSize[d];
    }
    const T* in = x + plane * inPlane;
    float best = 0.f, sum = 0.f;
    int64_t bestIndex = -1, count = 0, padded = 0;
    for (int64_t t = 0; t < taps; ++t) {
      bool inside = true, insidePadded = true;
      int64_t row = 0, col = 0, rowStride = 1, colStride = 1;
      int64_t tap = t;
      for (int d = p.rank - 1; d >= 0; --d) {
        const int64_t kd = tap % p.kernel[d];
        tap /= p.kernel[d];
        const int64_t pos = o[d] * p.stride[d] + kd * p.dilation[d] - p.padBegin[d];
        inside = inside && pos >= 0 && pos < p.inSize[d];
        insidePadded = insidePadded && pos < p.inSize[d] + p.padEnd[d];
        row += pos * rowStride;
        rowStride *= p.inSize[d];
      }
      if (p.columnMajorIndices) {
        tap = t;
        int64_t pos[kMaxPoolDims] = {0, 0, 0};
        for (int d = p.rank - 1; d >= 0; --d) {
          pos[d] = o[d] * p.stride[d] + (tap % p.kernel[d]) * p.dilation[d] - p.padBegin[d];
          tap /= p.kernel[d];
        }
        for (int d = 0; d < p.rank; ++d) {
          col += pos[d] * colStride;
          colStride *= p.inSize[d];
        }
      }
      padded += insidePadded;
      if (!inside) continue;
      const float v = loadAs<float>(in[row]);
      ++count;
      sum += v;
      if (bestIndex < 0 || v > best) {
        best = v;
        bestIndex = p.columnMajorIndices ? col : row;
      }
    }
    if (p.max) {
      y[k] = storeAs<T>(bestIndex < 0 ? 0.f : best);
      if (indices) indices[k] = plane * inPlane + bestIndex;
    } else {
      const int64_t divisor = p.countIncludePad ? padded : count;
      y[k] = storeAs<T>(divisor > 0 ? sum / float(divisor) : 0.f);
    }
  }
}

template <class T>
cudaError_t launchPool(const PoolParams& p, int64_t n, const void* x, void* y, int64_t* indices, cudaStream_t stream) {
  poolKernel<T><<<blocksFor(n), 256, 0, stream>>>(p, n, static_cast<const T*>(x), static_cast<T*>(y), indices);
  return cudaGetLastError();
}

}  // namespace

cudaError_t pool(const PoolParams& p, const void* x, void* y, int64_t* indices, cudaStream_t stream) {
  if (p.rank < 1 || p.rank > kMaxPoolDims) return cudaErrorInvalidValue;
  int64_t n = p.planes;
  for (int d = 0; d < p.rank; ++d) {
    if (p.kernel[d] <= 0 || p.stride[d] <= 0 || p.dilation[d] <= 0) return cudaErrorInvalidValue;
    n *= p.outSize[d];
  }
  if (n <= 0) return cudaSuccess;
  if (!p.max && (p.type == ElemType::kI8 || p.type == ElemType::kU8)) return cudaErrorInvalidValue;
  switch (p.type) {
    case ElemType::kF32: return launchPool<float>(p, n, x, y, indices, stream);
    case ElemType::kF16: return launchPool<__half>(p, n, x, y, indices, stream);
    case ElemType::kBF16: return launchPool<__nv_bfloat16>(p, n, x, y, indices, stream);
    case ElemType::kI8: return launchPool<int8_t>(p, n, x, y, indices, stream);
    case ElemType::kU8: return launchPool<uint8_t>(p, n, x, y, indices, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace kiln::kernels::cuda
