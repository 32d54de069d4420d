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

template <class T>
cudaError_t launchBlockNorm(const BlockNormParams& p, const void* x, const void* scale, const void* bias, void* y,
                            void* mean, void* invStdDev, cudaStream_t stream) {
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
