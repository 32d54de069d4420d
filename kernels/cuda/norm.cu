#include "cuda/block_reduce.cuh"
#include "cuda/norm.cuh"

namespace kiln::kernels::cuda {

namespace {

using detail::groupReduce;
using detail::kGroupBlock;
using detail::loadAs;
using detail::storeAs;

template <class S>
__device__ inline void storeStat(void* p, int64_t i, float v) {
  static_cast<S*>(p)[i] = storeAs<S>(v);
}

__device__ inline void storeStatAs(ElemType t, void* p, int64_t i, float v) {
  switch (t) {
    case ElemType::kF16: storeStat<__half>(p, i, v); break;
    case ElemType::kBF16: storeStat<__nv_bfloat16>(p, i, v); break;
    default: storeStat<float>(p, i, v); break;
  }
}

// One block per normalized block; two passes over x for the statistics (the
// mean first, then the squared deviations, as the reference does).
template <class T>
__global__ void blockNormKernel(BlockNormParams p, const T* __restrict__ x, const T* __restrict__ scale,
                                const T* __restrict__ bias, T* __restrict__ y, void* mean, void* invStdDev) {
  __shared__ float scratch[32];
  for (int64_t b = blockIdx.x; b < p.blocks; b += gridDim.x) {
    const T* in = x + b * p.blockSize;
    T* out = y + b * p.blockSize;
    float s = 0.f;
    for (int64_t j = threadIdx.x; j < p.blockSize; j += blockDim.x) s += loadAs<float>(in[j]);
    const float m = groupReduce<kGroupBlock>(s, detail::SumOp(), scratch) / float(p.blockSize);
    float sq = 0.f;
    for (int64_t j = threadIdx.x; j < p.blockSize; j += blockDim.x) {
      const float d = loadAs<float>(in[j]) - m;
      sq += d * d;
    }
    const float var = groupReduce<kGroupBlock>(sq, detail::SumOp(), scratch) / float(p.blockSize);
    const float inv = 1.f / sqrtf(var + p.epsilon);
    const int64_t first = (b % p.period) * p.paramsPerPeriod;
    for (int64_t j = threadIdx.x; j < p.blockSize; j += blockDim.x) {
      float v = (loadAs<float>(in[j]) - m) * inv;
      if (scale) v *= loadAs<float>(scale[first + p.scaleIndex.offset(j)]);
      if (bias) v += loadAs<float>(bias[first + p.biasIndex.offset(j)]);
      out[j] = storeAs<T>(v);
    }
    if (threadIdx.x == 0) {
      if (mean) storeStatAs(p.statsType, mean, b, m);
      if (invStdDev) storeStatAs(p.statsType, invStdDev, b, inv);
    }
  }
}

template <class T, class P>
__global__ void batchNormKernel(BatchNormParams p, int64_t n, const T* __restrict__ x, const P* __restrict__ scale,
                                const P* __restrict__ bias, const P* __restrict__ mean, const P* __restrict__ var,
                                T* __restrict__ y) {
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = (k / p.inner) % p.channels;
    const float g = loadAs<float>(scale[c]) / sqrtf(loadAs<float>(var[c]) + p.epsilon);
    y[k] = storeAs<T>((loadAs<float>(x[k]) - loadAs<float>(mean[c])) * g + loadAs<float>(bias[c]));
  }
}

__device__ inline float warpSum(float v) { return groupReduce<32>(v, detail::SumOp(), static_cast<float*>(nullptr)); }

// One warp per normalized block of up to 32 * kChunks packs, held in
// registers: one read of x, one write of y, 16-byte accesses. For blocks
// whose affine parameters are contiguous (layer normalization over the last
// axes), of a size that is a multiple of the pack.
template <class T, int kChunks>
__global__ void rowNormKernel(BlockNormParams p, const T* __restrict__ x, const T* __restrict__ scale,
                              const T* __restrict__ bias, T* __restrict__ y, void* mean, void* invStdDev) {
  constexpr int V = Pack16<T>::kN;
  const int lane = threadIdx.x % 32;
  const int n = int(p.blockSize);
  const int64_t step = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t b = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; b < p.blocks; b += step) {
    const T* in = x + b * p.blockSize;
    T* out = y + b * p.blockSize;
    float v[kChunks][V];
    float s = 0.f;
#pragma unroll
    for (int c = 0; c < kChunks; ++c) {
      const int j = (c * 32 + lane) * V;
      if (j < n) {
        const Pack16<T> pk = *reinterpret_cast<const Pack16<T>*>(in + j);
#pragma unroll
        for (int k = 0; k < V; ++k) {
          v[c][k] = loadAs<float>(pk.v[k]);
          s += v[c][k];
        }
      }
    }
    const float m = warpSum(s) / float(n);
    float sq = 0.f;
#pragma unroll
    for (int c = 0; c < kChunks; ++c) {
      if ((c * 32 + lane) * V < n) {
#pragma unroll
        for (int k = 0; k < V; ++k) sq += (v[c][k] - m) * (v[c][k] - m);
      }
    }
    const float inv = 1.f / sqrtf(warpSum(sq) / float(n) + p.epsilon);
    const int64_t first = (b % p.period) * p.paramsPerPeriod;
#pragma unroll
    for (int c = 0; c < kChunks; ++c) {
      const int j = (c * 32 + lane) * V;
      if (j >= n) continue;
      Pack16<T> g, h, o;
      if (scale) g = *reinterpret_cast<const Pack16<T>*>(scale + first + j);
      if (bias) h = *reinterpret_cast<const Pack16<T>*>(bias + first + j);
#pragma unroll
      for (int k = 0; k < V; ++k) {
        float r = (v[c][k] - m) * inv;
        if (scale) r *= loadAs<float>(g.v[k]);
        if (bias) r += loadAs<float>(h.v[k]);
        o.v[k] = storeAs<T>(r);
      }
      *reinterpret_cast<Pack16<T>*>(out + j) = o;
    }
    if (lane == 0) {
      if (mean) storeStatAs(p.statsType, mean, b, m);
      if (invStdDev) storeStatAs(p.statsType, invStdDev, b, inv);
    }
  }
}

// True when the indexer maps j to j for j < n (row-major strides, or no dims).
bool contiguous(const Indexer& ix, int64_t n) {
  int64_t expect = 1, total = 1;
  for (int d = ix.rank - 1; d >= 0; --d) {
    if (ix.dims[d] != 1 && ix.strides[d] != expect) return false;
    expect *= ix.dims[d];
    total *= ix.dims[d];
  }
  return total == n;
}

// Launches rowNormKernel when the layout allows it; false when it does not.
template <class T>
bool launchRowNorm(const BlockNormParams& p, const void* x, const void* scale, const void* bias, void* y, void* mean,
                   void* invStdDev, cudaStream_t stream, cudaError_t* err) {
  constexpr int V = Pack16<T>::kN;
  const int64_t n = p.blockSize;
  if (n % V != 0 || n > 32 * V * 8 || !aligned16(x) || !aligned16(y) || (scale && !aligned16(scale)) ||
      (bias && !aligned16(bias)) || (p.period > 1 && p.paramsPerPeriod % V != 0) ||
      (scale && !contiguous(p.scaleIndex, n)) || (bias && !contiguous(p.biasIndex, n))) {
    return false;
  }
  constexpr int kWarps = 4;
  const int64_t want = (p.blocks + kWarps - 1) / kWarps;
  const unsigned blocks = unsigned(want < 65535 * 8 ? want : 65535 * 8);
  const auto* xs = static_cast<const T*>(x);
  const auto* g = static_cast<const T*>(scale);
  const auto* h = static_cast<const T*>(bias);
  auto* ys = static_cast<T*>(y);
  const int64_t chunks = (n + 32 * V - 1) / (32 * V);
  if (chunks <= 1) {
    rowNormKernel<T, 1><<<blocks, kWarps * 32, 0, stream>>>(p, xs, g, h, ys, mean, invStdDev);
  } else if (chunks <= 2) {
    rowNormKernel<T, 2><<<blocks, kWarps * 32, 0, stream>>>(p, xs, g, h, ys, mean, invStdDev);
  } else if (chunks <= 4) {
    rowNormKernel<T, 4><<<blocks, kWarps * 32, 0, stream>>>(p, xs, g, h, ys, mean, invStdDev);
  } else {
    rowNormKernel<T, 8><<<blocks, kWarps * 32, 0, stream>>>(p, xs, g, h, ys, mean, invStdDev);
  }
  *err = cudaGetLastError();
  return true;
}

template <class T>
cudaError_t launchBlockNorm(const BlockNormParams& p, const void* x, const void* scale, const void* bias, void* y,
                            void* mean, void* invStdDev, cudaStream_t stream) {
  if (cudaError_t err; launchRowNorm<T>(p, x, scale, bias, y, mean, invStdDev, stream, &err)) return err;
  const unsigned blocks = unsigned(p.blocks < 65535 * 8 ? p.blocks : 65535 * 8);
  blockNormKernel<T><<<blocks, kGroupBlock, 0, stream>>>(p, static_cast<const T*>(x), static_cast<const T*>(scale),
                                                         static_cast<const T*>(bias), static_cast<T*>(y), mean,
                                                         invStdDev);
  return cudaGetLastError();
}

template <class T, class P>
cudaError_t launchBatchNorm(const BatchNormParams& p, int64_t n, const void* x, const void* scale, const void* bias,
                            const void* mean, const void* var, void* y, cudaStream_t stream) {
  batchNormKernel<T, P><<<blocksFor(n), 256, 0, stream>>>(
      p, n, static_cast<const T*>(x), static_cast<const P*>(scale), static_cast<const P*>(bias),
      static_cast<const P*>(mean), static_cast<const P*>(var), static_cast<T*>(y));
  return cudaGetLastError();
}

template <class T>
cudaError_t batchNormFor(const BatchNormParams& p, int64_t n, const void* x, const void* scale, const void* bias,
                         const void* mean, const void* var, void* y, cudaStream_t stream) {
  switch (p.paramType) {
    case ElemType::kF32: return launchBatchNorm<T, float>(p, n, x, scale, bias, mean, var, y, stream);
    case ElemType::kF16: return launchBatchNorm<T, __half>(p, n, x, scale, bias, mean, var, y, stream);
    case ElemType::kBF16: return launchBatchNorm<T, __nv_bfloat16>(p, n, x, scale, bias, mean, var, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace

cudaError_t blockNorm(const BlockNormParams& p, const void* x, const void* scale, const void* bias, void* y,
                      void* mean, void* invStdDev, cudaStream_t stream) {
  if (p.blocks <= 0) return cudaSuccess;
  if (p.blockSize <= 0 || p.period <= 0) return cudaErrorInvalidValue;
  switch (p.type) {
    case ElemType::kF32: return launchBlockNorm<float>(p, x, scale, bias, y, mean, invStdDev, stream);
    case ElemType::kF16: return launchBlockNorm<__half>(p, x, scale, bias, y, mean, invStdDev, stream);
    case ElemType::kBF16: return launchBlockNorm<__nv_bfloat16>(p, x, scale, bias, y, mean, invStdDev, stream);
    default: return cudaErrorInvalidValue;
  }
}

cudaError_t batchNorm(const BatchNormParams& p, const void* x, const void* scale, const void* bias, const void* mean,
                      const void* var, void* y, cudaStream_t stream) {
  const int64_t n = p.batch * p.channels * p.inner;
  if (n <= 0) return cudaSuccess;
  switch (p.type) {
    case ElemType::kF32: return batchNormFor<float>(p, n, x, scale, bias, mean, var, y, stream);
    case ElemType::kF16: return batchNormFor<__half>(p, n, x, scale, bias, mean, var, y, stream);
    case ElemType::kBF16: return batchNormFor<__nv_bfloat16>(p, n, x, scale, bias, mean, var, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace kiln::kernels::cuda
