#include "cuda/softmax_rows.cuh"

#include <cfloat>

namespace kiln::kernels::cuda {

namespace {

constexpr int kThreads = 256;  // a multiple of the warp size
constexpr int kWarps = kThreads / 32;

// Reduces one value per thread across the block; every thread gets the result.
// `scratch` holds kWarps floats; the block must call this uniformly.
template <bool kMax>
__device__ float blockReduce(float v, float* scratch) {
  for (int o = 16; o > 0; o >>= 1) {
    const float other = __shfl_xor_sync(0xffffffffu, v, o);
    v = kMax ? fmaxf(v, other) : v + other;
  }
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // scratch may still be read by a previous reduction
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  float r = scratch[0];
  for (int w = 1; w < kWarps; ++w) r = kMax ? fmaxf(r, scratch[w]) : r + scratch[w];
  return r;
}

template <class M>
__device__ inline float scoreAt(const SoftmaxRowsParams& p, const M* mask, int64_t flat) {
  float s = p.scores[flat] * p.scale;
  if (mask) s += toFloat(mask[p.maskIndex.offset(flat)]);
  return s;
}

// The mask has the type of the probabilities.
template <class P>
__global__ static void __launch_bounds__(kThreads) softmaxRowsKernel(SoftmaxRowsParams p) {
  using M = P;
  __shared__ float scratch[kWarps];
  const M* mask = static_cast<const M*>(p.mask);
  P* probs = static_cast<P*>(p.probs);
  for (int64_t row = blockIdx.x; row < p.rows; row += gridDim.x) {
    const int64_t base = row * p.cols;
    float top = -INFINITY;
    for (int64_t j = threadIdx.x; j < p.cols; j += kThreads) top = fmaxf(top, scoreAt<M>(p, mask, base + j));
    top = blockReduce<true>(top, scratch);
    float sum = 0.f;
    for (int64_t j = threadIdx.x; j < p.cols; j += kThreads) sum += expf(scoreAt<M>(p, mask, base + j) - top);
    sum = blockReduce<false>(sum, scratch);
    const float inv = 1.f / sum;
    for (int64_t j = threadIdx.x; j < p.cols; j += kThreads) {
      probs[base + j] = fromFloat<P>(expf(scoreAt<M>(p, mask, base + j) - top) * inv);
    }
  }
}

template <class P>
cudaError_t launchTyped(const SoftmaxRowsParams& p, cudaStream_t stream) {
  const int64_t blocks = p.rows < 65535 * 16 ? p.rows : 65535 * 16;
  softmaxRowsKernel<P><<<unsigned(blocks), kThreads, 0, stream>>>(p);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launchSoftmaxRows(const SoftmaxRowsParams& p, cudaStream_t stream) {
  if (p.rows < 0 || p.cols < 0) return cudaErrorInvalidValue;
  if (p.rows == 0 || p.cols == 0) return cudaSuccess;
  if (!p.scores || !p.probs) return cudaErrorInvalidValue;
  if (p.mask && (p.maskType != p.probsType || p.maskIndex.rank < 0 || p.maskIndex.rank > kMaxRank)) {
    return cudaErrorInvalidValue;
  }
  return withFloatType(p.probsType, [&](auto tag) { return launchTyped<decltype(tag)>(p, stream); });
}

}  // namespace kiln::kernels::cuda
