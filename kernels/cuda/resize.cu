#include <limits>

#include "cuda/block_reduce.cuh"
#include "cuda/resize.cuh"

namespace kiln::kernels::cuda {

namespace {

using detail::loadAs;

constexpr int kMaxTaps = 4;

__device__ inline double inputCoordinate(const ResizeParams& p, int axis, int64_t x) {
  const double in = double(p.inShape[axis]);
  const double s = p.scales[axis];
  const double outLen = s * in;
  const double xr = double(x);
  switch (p.coord) {
    case ResizeCoord::kHalfPixel: return (xr + 0.5) / s - 0.5;
    case ResizeCoord::kHalfPixelSymmetric: {
      const double adjustment = double(p.outShape[axis]) / outLen;
      return in / 2 * (1 - adjustment) + (xr + 0.5) / s - 0.5;
    }
    case ResizeCoord::kPytorchHalfPixel: return outLen > 1 ? (xr + 0.5) / s - 0.5 : 0.0;
    case ResizeCoord::kAlignCorners: return outLen == 1 ? 0.0 : xr * (in - 1) / (outLen - 1);
    case ResizeCoord::kAsymmetric: return xr / s;
    case ResizeCoord::kTfHalfPixelForNn: return (xr + 0.5) / s;
    case ResizeCoord::kTfCropAndResize: {
      const double start = p.roi[axis];
      const double end = p.roi[axis + p.rank];
      if (outLen == 1) return (end - start) * (in - 1) / 2 + start * (in - 1);
      return xr * (end - start) * (in - 1) / (outLen - 1) + start * (in - 1);
    }
  }
  return 0.0;
}

__device__ inline int64_t nearestIndex(ResizeNearest mode, double x, double scale) {
  const double fl = floor(x);
  if (x == fl) return int64_t(fl);
  const double frac = x - fl;
  switch (mode) {
    case ResizeNearest::kRoundPreferFloor: return int64_t(frac <= 0.5 ? fl : fl + 1);
    case ResizeNearest::kRoundPreferCeil: return int64_t(frac < 0.5 ? fl : fl + 1);
    case ResizeNearest::kFloor: return int64_t(fl);
    case ResizeNearest::kCeil: return int64_t(fl + 1);
    case ResizeNearest::kSimple: return int64_t(scale < 1 ? fl + 1 : fl);
  }
  return int64_t(fl);
}

__device__ inline double filterAt(const ResizeParams& p, double t) {
  t = fabs(t);
  if (p.mode == ResizeMode::kLinear) return 1 - t > 0 ? 1 - t : 0.0;
  const double a = p.cubicA;
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0.0;
}

__device__ inline int64_t clampIndex(int64_t i, int64_t n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

// The taps of output coordinate x along one axis, zero weights dropped
// (keeping one); false when x maps outside the region of interest.
__device__ inline bool axisTaps(const ResizeParams& p, int axis, int64_t x, int64_t* index, double* weight, int* count) {
  const int64_t inLen = p.inShape[axis];
  const double xo = inputCoordinate(p, axis, x);
  if (p.coord == ResizeCoord::kTfCropAndResize && (xo < 0 || xo > double(inLen - 1))) return false;
  if (p.mode == ResizeMode::kNearest) {
    index[0] = clampIndex(nearestIndex(p.nearest, xo, p.scales[axis]), inLen);
    weight[0] = 1.0;
    *count = 1;
    return true;
  }
  double base = floor(xo);
  double ratio = xo - base;
  if (ratio == 0) {
    base -= 1;
    ratio = 1;
  }
  const int64_t start = p.mode == ResizeMode::kLinear ? 0 : -1;
  const int64_t taps = 2 - 2 * start;
  double w[kMaxTaps];
  int64_t at[kMaxTaps];
  double sum = 0;
  for (int64_t k = 0; k < taps; ++k) {
    const int64_t idx = int64_t(base) + start + k;
    double wk = filterAt(p, double(start + k) - ratio);
    if (p.excludeOutside && (idx < 0 || idx >= inLen)) wk = 0;
    at[k] = clampIndex(idx, inLen);
    w[k] = wk;
    sum += wk;
  }
  int n = 0;
  for (int64_t k = 0; k < taps; ++k) {
    const double wk = p.excludeOutside ? w[k] / sum : w[k];
    if (wk == 0) continue;
    index[n] = at[k];
    weight[n] = wk;
    ++n;
  }
  if (n == 0) {
    index[0] = at[0];
    weight[0] = 0.0;
    n = 1;
  }
  *count = n;
  return true;
}

template <class T>
__device__ inline T storeValue(double v) {
  if constexpr (detail::kNarrowFloat<T>) {
    return fromFloat<T>(float(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    return T(v);
  } else {
    const double r = nearbyint(v);
    if constexpr (sizeof(T) < 8) {
      const double lo = double(std::numeric_limits<T>::lowest()), hi = double(std::numeric_limits<T>::max());
      return T(r < lo ? lo : (r > hi ? hi : r));
    } else {
      return T(r);
    }
  }
}

template <class T>
__global__ void resizeKernel(ResizeParams p, int64_t n, const T* __restrict__ x, T* __restrict__ y) {
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    int64_t index[kMaxRank][kMaxTaps];
    double weight[kMaxRank][kMaxTaps];
    int count[kMaxRank];
    bool outside = false;
    int64_t rest = k;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t o = rest % p.outShape[d];
      rest /= p.outShape[d];
      outside = outside || !axisTaps(p, d, o, index[d], weight[d], &count[d]);
    }
    if (outside) {
      y[k] = storeValue<T>(p.extrapolation);
      continue;
    }
    int64_t combos = 1;
    for (int d = 0; d < p.rank; ++d) combos *= count[d];
    double acc = 0;
    for (int64_t c = 0; c < combos; ++c) {
      int64_t off = 0, stride = 1, r = c;
      double w = 1;
      for (int d = p.rank - 1; d >= 0; --d) {
        const int t = int(r % count[d]);
        r /= count[d];
        off += index[d][t] * stride;
        stride *= p.inShape[d];
        w *= weight[d][t];
      }
      acc += w * loadAs<double>(x[off]);
    }
    y[k] = storeValue<T>(acc);
  }
}

template <class T>
cudaError_t launchResize(const ResizeParams& p, int64_t n, const void* x, void* y, cudaStream_t stream) {
  resizeKernel<T><<<blocksFor(n, 128), 128, 0, stream>>>(p, n, static_cast<const T*>(x), static_cast<T*>(y));
  return cudaGetLastError();
}

}  // namespace

cudaError_t resize(const ResizeParams& p, const void* x, void* y, cudaStream_t stream) {
  if (p.rank < 1 || p.rank > kMaxRank) return cudaErrorInvalidValue;
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) {
    if (p.inShape[d] <= 0 && p.outShape[d] > 0) return cudaErrorInvalidValue;
    n *= p.outShape[d];
  }
  if (n <= 0) return cudaSuccess;
  switch (p.type) {
    case ElemType::kF32: return launchResize<float>(p, n, x, y, stream);
    case ElemType::kF16: return launchResize<__half>(p, n, x, y, stream);
    case ElemType::kBF16: return launchResize<__nv_bfloat16>(p, n, x, y, stream);
    case ElemType::kF64: return launchResize<double>(p, n, x, y, stream);
    case ElemType::kI32: return launchResize<int32_t>(p, n, x, y, stream);
    case ElemType::kI64: return launchResize<int64_t>(p, n, x, y, stream);
    case ElemType::kI8: return launchResize<int8_t>(p, n, x, y, stream);
    case ElemType::kU8: return launchResize<uint8_t>(p, n, x, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace kiln::kernels::cuda
