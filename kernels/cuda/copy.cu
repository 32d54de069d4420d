#include "cuda/copy.cuh"

namespace kiln::kernels::cuda {

namespace {

// The source offset of one output element (in elements), or -1 for the fill value.
__device__ inline int64_t sourceOffset(const MapCopyParams& p, int64_t flat, int64_t* dstOff) {
  int64_t src = p.srcOffset;
  int64_t dst = p.dstOffset;
  bool pad = false;
  for (int d = p.rank - 1; d >= 0; --d) {
    const AxisMap& a = p.axes[d];
    const int64_t j = flat % a.size;
    flat /= a.size;
    dst += j * p.dstStrides[d];
    int64_t i;
    switch (a.mode) {
      case AxisMode::kLinear: i = a.start + j * a.step; break;
      case AxisMode::kTile: i = j % a.inSize; break;
      default: i = padSourceIndex(a.mode, j, a.inSize, a.padBegin, a.padEnd); break;
    }
    pad = pad || i < 0;
    src += i * a.stride;
  }
  *dstOff = dst;
  return pad ? -1 : src;
}

template <class T>
__global__ void mapCopyKernel(MapCopyParams p, int64_t n, const T* __restrict__ src, T* __restrict__ dst) {
  const T fill = static_cast<T>(p.fill);
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    int64_t d = 0;
    const int64_t s = sourceOffset(p, k, &d);
    dst[d] = s < 0 ? fill : src[s];
  }
}

template <class T>
__global__ void fillKernel(T* dst, int64_t n, T value) {
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    dst[k] = value;
  }
}

template <class T>
__global__ void rangeKernel(T* dst, int64_t n, double start, double delta, int64_t startInt, int64_t deltaInt,
                            bool integer) {
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    dst[k] = integer ? T(startInt + k * deltaInt) : T(start + double(k) * delta);
  }
}

template <class T>
cudaError_t launchMapCopy(const MapCopyParams& p, int64_t n, const void* src, void* dst, cudaStream_t stream) {
  mapCopyKernel<T><<<blocksFor(n), 256, 0, stream>>>(p, n, static_cast<const T*>(src), static_cast<T*>(dst));
  return cudaGetLastError();
}

}  // namespace

cudaError_t mapCopy(const MapCopyParams& p, const void* src, void* dst, cudaStream_t stream) {
  if (p.rank < 0 || p.rank > kMaxRank) return cudaErrorInvalidValue;
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) {
    if (p.axes[d].size < 0) return cudaErrorInvalidValue;
    if (p.axes[d].mode == AxisMode::kTile && p.axes[d].inSize <= 0 && p.axes[d].size > 0) return cudaErrorInvalidValue;
    n *= p.axes[d].size;
  }
  if (n == 0) return cudaSuccess;
  switch (p.elemBytes) {
    case 1: return launchMapCopy<uint8_t>(p, n, src, dst, stream);
    case 2: return launchMapCopy<uint16_t>(p, n, src, dst, stream);
    case 4: return launchMapCopy<uint32_t>(p, n, src, dst, stream);
    case 8: return launchMapCopy<uint64_t>(p, n, src, dst, stream);
    default: return cudaErrorInvalidValue;
  }
}

cudaError_t fillElements(void* dst, int64_t numel, int elemBytes, uint64_t value, cudaStream_t stream) {
  if (numel <= 0) return cudaSuccess;
  const unsigned blocks = blocksFor(numel);
  switch (elemBytes) {
    case 1: fillKernel<uint8_t><<<blocks, 256, 0, stream>>>(static_cast<uint8_t*>(dst), numel, uint8_t(value)); break;
    case 2: fillKernel<uint16_t><<<blocks, 256, 0, stream>>>(static_cast<uint16_t*>(dst), numel, uint16_t(value)); break;
    case 4: fillKernel<uint32_t><<<blocks, 256, 0, stream>>>(static_cast<uint32_t*>(dst), numel, uint32_t(value)); break;
    case 8: fillKernel<uint64_t><<<blocks, 256, 0, stream>>>(static_cast<uint64_t*>(dst), numel, value); break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

cudaError_t rangeFill(void* dst, int64_t numel, ElemType type, double start, double delta, int64_t startInt,
                      int64_t deltaInt, cudaStream_t stream) {
  if (numel <= 0) return cudaSuccess;
  const unsigned blocks = blocksFor(numel);
  switch (type) {
    case ElemType::kF32:
      rangeKernel<float><<<blocks, 256, 0, stream>>>(static_cast<float*>(dst), numel, start, delta, 0, 0, false);
      break;
    case ElemType::kF64:
      rangeKernel<double><<<blocks, 256, 0, stream>>>(static_cast<double*>(dst), numel, start, delta, 0, 0, false);
      break;
    case ElemType::kI32:
      rangeKernel<int32_t><<<blocks, 256, 0, stream>>>(static_cast<int32_t*>(dst), numel, 0, 0, startInt, deltaInt, true);
      break;
    case ElemType::kI64:
      rangeKernel<int64_t><<<blocks, 256, 0, stream>>>(static_cast<int64_t*>(dst), numel, 0, 0, startInt, deltaInt, true);
      break;
    default: return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

}  // namespace kiln::kernels::cuda
