#include "cuda/copy.cuh"

#include <algorithm>

namespace kiln::kernels::cuda {

namespace {

// The source offset of one output element (in elements), or -1 for the fill
// value, in index type I (int32_t where every offset fits).
template <class I>
__device__ inline I sourceOffset(const MapCopyParams& p, I flat, I* dstOff) {
  I src = I(p.srcOffset);
  I dst = I(p.dstOffset);
  bool pad = false;
  for (int d = p.rank - 1; d >= 0; --d) {
    const AxisMap& a = p.axes[d];
    const I size = I(a.size);
    const I j = flat % size;
    flat /= size;
    dst += j * I(p.dstStrides[d]);
    I i;
    switch (a.mode) {
      case AxisMode::kLinear: i = I(a.start) + j * I(a.step); break;
      case AxisMode::kTile: i = j % I(a.inSize); break;
      default: i = I(padSourceIndex(a.mode, j, a.inSize, a.padBegin, a.padEnd)); break;
    }
    pad = pad || i < 0;
    src += i * I(a.stride);
  }
  *dstOff = dst;
  return pad ? I(-1) : src;
}

template <class T>
__device__ inline T fillOf(uint64_t bits) {
  return static_cast<T>(bits);
}
template <>
__device__ inline uint4 fillOf<uint4>(uint64_t) {  // 16-byte copies have no pad axes
  return make_uint4(0, 0, 0, 0);
}

template <class T, class I>
__global__ void mapCopyKernel(MapCopyParams p, I n, const T* __restrict__ src, T* __restrict__ dst) {
  const T fill = fillOf<T>(p.fill);
  for (I k = I(blockIdx.x) * I(blockDim.x) + I(threadIdx.x); k < n; k += I(gridDim.x) * I(blockDim.x)) {
    I d = 0;
    const I s = sourceOffset<I>(p, k, &d);
    dst[d] = s < 0 ? fill : src[s];
  }
}

bool isPad(AxisMode m) { return m != AxisMode::kLinear && m != AxisMode::kTile; }

// Copies whose last axis is contiguous in both tensors move up to 16 bytes
// at a time: the copy is rewritten over wider elements. Returns p unchanged
// where the sizes, offsets or pointers do not allow it.
MapCopyParams widen(MapCopyParams p, const void* src, const void* dst) {
  if (p.rank < 1) return p;
  for (int d = 0; d < p.rank; ++d) {
    AxisMap& a = p.axes[d];
    if (isPad(a.mode)) return p;
    if (a.size == 1 && a.mode == AxisMode::kLinear) {  // a fixed index: part of the offset
      p.srcOffset += a.start * a.stride;
      a.start = 0;
      a.stride = 0;
    }
  }
  const AxisMap& last = p.axes[p.rank - 1];
  if (last.mode != AxisMode::kLinear || last.step != 1 || last.stride != 1 || p.dstStrides[p.rank - 1] != 1) return p;
  for (int width = 16; width > p.elemBytes; width /= 2) {
    if (width % p.elemBytes != 0) continue;
    const int64_t v = width / p.elemBytes;
    bool ok = last.size % v == 0 && last.start % v == 0 && p.srcOffset % v == 0 && p.dstOffset % v == 0 &&
              reinterpret_cast<uintptr_t>(src) % width == 0 && reinterpret_cast<uintptr_t>(dst) % width == 0;
    for (int d = 0; ok && d + 1 < p.rank; ++d) ok = p.axes[d].stride % v == 0 && p.dstStrides[d] % v == 0;
    if (!ok) continue;
    MapCopyParams w = p;
    AxisMap& wl = w.axes[w.rank - 1];
    wl.size /= v;
    wl.start /= v;
    for (int d = 0; d + 1 < w.rank; ++d) {
      w.axes[d].stride /= v;
      w.dstStrides[d] /= v;
    }
    w.srcOffset /= v;
    w.dstOffset /= v;
    w.elemBytes = width;
    return w;
  }
  return p;
}

// True when every offset the copy computes fits in int32 (a generous bound).
bool fitsInt32(const MapCopyParams& p, int64_t n) {
  constexpr int64_t kMax = INT32_MAX / 2;
  if (n > kMax) return false;
  auto mag = [](int64_t v) { return v < 0 ? -v : v; };
  int64_t src = mag(p.srcOffset), dst = mag(p.dstOffset);
  for (int d = 0; d < p.rank; ++d) {
    const AxisMap& a = p.axes[d];
    int64_t extent = mag(a.start) + mag(a.step) * a.size;
    extent = std::max(extent, std::max(a.inSize, a.size)) + mag(a.padBegin) + mag(a.padEnd);
    if (extent > kMax || mag(a.stride) > kMax || mag(p.dstStrides[d]) > kMax) return false;
    src += extent * mag(a.stride);
    dst += a.size * mag(p.dstStrides[d]);
    if (src > kMax || dst > kMax) return false;
  }
  return true;
}

// A copy that moves the input's contiguous axis off the last, with few
// elements along the last: out[b][s][r] = in[b * sB + s + r * sR] for r < R,
// where R <= kInnerMax (NCHW to NHWC with three channels is the common case).
// The element-per-output map reads such a copy scattered; one thread per
// (b, s) reads each r coalesced across the warp and writes R neighbours.
struct InnerTranspose {
  int64_t batches = 1, s = 1, r = 1;  // sizes
  int64_t srcB = 0, srcR = 0;         // input strides (s has stride 1)
  int64_t dstB = 0, dstS = 0, dstR = 0;
  int64_t srcOffset = 0, dstOffset = 0;
};

constexpr int64_t kInnerMax = 16;

bool asInnerTranspose(const MapCopyParams& p, InnerTranspose* t) {
  struct Axis {
    int64_t size, src, dst;
  };
  Axis axes[kMaxRank];
  int n = 0;
  int64_t srcOffset = p.srcOffset;
  for (int d = 0; d < p.rank; ++d) {
    const AxisMap& a = p.axes[d];
    if (a.mode != AxisMode::kLinear) return false;
    srcOffset += a.start * a.stride;
    if (a.size == 1) continue;
    Axis x{a.size, a.step * a.stride, p.dstStrides[d]};
    if (n > 0 && axes[n - 1].src == x.src * x.size && axes[n - 1].dst == x.dst * x.size) {
      axes[n - 1] = Axis{axes[n - 1].size * x.size, x.src, x.dst};  // one axis in both tensors
    } else {
      axes[n++] = x;
    }
  }
  if (n < 2 || n > 3) return false;
  const Axis& r = axes[n - 1];
  const Axis& s = axes[n - 2];
  if (s.src != 1 || r.size > kInnerMax || r.src == 1) return false;
  t->r = r.size;
  t->s = s.size;
  t->srcR = r.src;
  t->dstR = r.dst;
  t->dstS = s.dst;
  if (n == 3) {
    t->batches = axes[0].size;
    t->srcB = axes[0].src;
    t->dstB = axes[0].dst;
  }
  t->srcOffset = srcOffset;
  t->dstOffset = p.dstOffset;
  return true;
}

template <class T, class I>
__global__ void innerTransposeKernel(InnerTranspose t, I n, const T* __restrict__ src, T* __restrict__ dst) {
  const I s = I(t.s), r = I(t.r);
  for (I k = I(blockIdx.x) * I(blockDim.x) + I(threadIdx.x); k < n; k += I(gridDim.x) * I(blockDim.x)) {
    const I b = k / s, j = k - b * s;
    const T* in = src + (I(t.srcOffset) + b * I(t.srcB) + j);
    T* out = dst + (I(t.dstOffset) + b * I(t.dstB) + j * I(t.dstS));
    for (I i = 0; i < r; ++i) out[i * I(t.dstR)] = in[i * I(t.srcR)];
  }
}

template <class T>
cudaError_t launchInnerTranspose(const InnerTranspose& t, bool int32, const void* src, void* dst,
                                 cudaStream_t stream) {
  const int64_t n = t.batches * t.s;
  if (int32) {
    innerTransposeKernel<T, int32_t><<<blocksFor(n), 256, 0, stream>>>(t, int32_t(n), static_cast<const T*>(src),
                                                                      static_cast<T*>(dst));
  } else {
    innerTransposeKernel<T, int64_t><<<blocksFor(n), 256, 0, stream>>>(t, n, static_cast<const T*>(src),
                                                                      static_cast<T*>(dst));
  }
  return cudaGetLastError();
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
  if (fitsInt32(p, n)) {
    mapCopyKernel<T, int32_t><<<blocksFor(n), 256, 0, stream>>>(p, int32_t(n), static_cast<const T*>(src),
                                                                static_cast<T*>(dst));
  } else {
    mapCopyKernel<T, int64_t><<<blocksFor(n), 256, 0, stream>>>(p, n, static_cast<const T*>(src), static_cast<T*>(dst));
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t mapCopy(const MapCopyParams& given, const void* src, void* dst, cudaStream_t stream) {
  if (given.rank < 0 || given.rank > kMaxRank) return cudaErrorInvalidValue;
  int64_t n = 1;
  for (int d = 0; d < given.rank; ++d) {
    if (given.axes[d].size < 0) return cudaErrorInvalidValue;
    if (given.axes[d].mode == AxisMode::kTile && given.axes[d].inSize <= 0 && given.axes[d].size > 0) {
      return cudaErrorInvalidValue;
    }
    n *= given.axes[d].size;
  }
  if (n == 0) return cudaSuccess;
  if (given.elemBytes != 1 && given.elemBytes != 2 && given.elemBytes != 4 && given.elemBytes != 8) {
    return cudaErrorInvalidValue;
  }
  const MapCopyParams p = widen(given, src, dst);
  n = n / (p.elemBytes / given.elemBytes);
  if (InnerTranspose t; p.elemBytes == given.elemBytes && asInnerTranspose(p, &t)) {
    const bool int32 = fitsInt32(p, n);
    switch (p.elemBytes) {
      case 1: return launchInnerTranspose<uint8_t>(t, int32, src, dst, stream);
      case 2: return launchInnerTranspose<uint16_t>(t, int32, src, dst, stream);
      case 4: return launchInnerTranspose<uint32_t>(t, int32, src, dst, stream);
      case 8: return launchInnerTranspose<uint64_t>(t, int32, src, dst, stream);
      default: break;
    }
  }
  switch (p.elemBytes) {
    case 1: return launchMapCopy<uint8_t>(p, n, src, dst, stream);
    case 2: return launchMapCopy<uint16_t>(p, n, src, dst, stream);
    case 4: return launchMapCopy<uint32_t>(p, n, src, dst, stream);
    case 8: return launchMapCopy<uint64_t>(p, n, src, dst, stream);
    case 16: return launchMapCopy<uint4>(p, n, src, dst, stream);
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
