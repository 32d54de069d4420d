#include <cfloat>

#include "cuda/block_reduce.cuh"
#include "cuda/softmax.cuh"

namespace kiln::kernels::cuda {

namespace {

using detail::groupReduce;
using detail::kGroupBlock;
using detail::loadAs;
using detail::storeAs;

// The first index of the largest value above -inf (NaN ignored), or 0.
struct FirstMax {
  float v;
  int64_t i;
};

__device__ inline FirstMax pickFirstMax(FirstMax a, FirstMax b) {
  if (b.v > a.v || (b.v == a.v && b.i < a.i)) return b;
  return a;
}

// One group of G threads per row. The maximum ignores NaN (as the reference's
// comparison does); a NaN still reaches the sum and so the whole row.
template <class T, int G>
__global__ void softmaxKernel(SoftmaxParams p, const T* __restrict__ x, T* __restrict__ y) {
  __shared__ float scratch[32];
  const int groupsPerBlock = blockDim.x / G;
  const int lane = threadIdx.x % G;
  const int64_t rows = p.outer * p.inner;
  for (int64_t row = int64_t(blockIdx.x) * groupsPerBlock + threadIdx.x / G; row < rows;
       row += int64_t(gridDim.x) * groupsPerBlock) {
    const int64_t base = (row / p.inner) * p.axis * p.inner + row % p.inner;
    const T* in = x + base;
    T* out = y + base;
    if (p.kind == SoftmaxKind::kHardmax) {
      FirstMax best{-INFINITY, 0};
      for (int64_t k = lane; k < p.axis; k += G) best = pickFirstMax(best, FirstMax{loadAs<float>(in[k * p.inner]), k});
      // Two reductions: the value, then the first index holding it.
      const float m = groupReduce<G>(best.v, detail::MaxIgnoreNanOp(), scratch);
      int64_t first = p.axis;
      for (int64_t k = lane; k < p.axis; k += G) {
        if (loadAs<float>(in[k * p.inner]) == m && k < first) first = k;
      }
      float firstF = float(first);  // exact: axis sizes stay far below 2^24 in practice
      firstF = groupReduce<G>(firstF, detail::MinOp(), scratch);
      const int64_t at = m == -INFINITY ? 0 : int64_t(firstF);
      for (int64_t k = lane; k < p.axis; k += G) out[k * p.inner] = storeAs<T>(k == at ? 1.f : 0.f);
      continue;
    }
    float m = -INFINITY;
    for (int64_t k = lane; k < p.axis; k += G) m = detail::MaxIgnoreNanOp()(m, loadAs<float>(in[k * p.inner]));
    m = groupReduce<G>(m, detail::MaxIgnoreNanOp(), scratch);
    float s = 0.f;
    for (int64_t k = lane; k < p.axis; k += G) s += expf(loadAs<float>(in[k * p.inner]) - m);
    s = groupReduce<G>(s, detail::SumOp(), scratch);
    const float logSum = logf(s);
    const float inv = 1.f / s;
    for (int64_t k = lane; k < p.axis; k += G) {
      const float v = loadAs<float>(in[k * p.inner]) - m;
      out[k * p.inner] = storeAs<T>(p.kind == SoftmaxKind::kLogSoftmax ? v - logSum : expf(v) * inv);
    }
  }
}

template <class T>
cudaError_t launchSoftmax(const SoftmaxParams& p, const void* x, void* y, cudaStream_t stream) {
  const int64_t rows = p.outer * p.inner;
  if (p.axis >= 1024) {
    const unsigned blocks = unsigned(rows < 65535 * 8 ? rows : 65535 * 8);
    softmaxKernel<T, kGroupBlock><<<blocks, kGroupBlock, 0, stream>>>(p, static_cast<const T*>(x), static_cast<T*>(y));
  } else {
    constexpr int kPerBlock = kGroupBlock / 32;
    const int64_t want = (rows + kPerBlock - 1) / kPerBlock;
    const unsigned blocks = unsigned(want < 65535 * 8 ? want : 65535 * 8);
    softmaxKernel<T, 32><<<blocks, kGroupBlock, 0, stream>>>(p, static_cast<const T*>(x), static_cast<T*>(y));
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t softmax(const SoftmaxParams& p, const void* x, void* y, cudaStream_t stream) {
  if (p.outer * p.axis * p.inner <= 0) return cudaSuccess;
  switch (p.type) {
    case ElemType::kF32: return launchSoftmax<float>(p, x, y, stream);
    case ElemType::kF16: return launchSoftmax<__half>(p, x, y, stream);
    case ElemType::kBF16: return launchSoftmax<__nv_bfloat16>(p, x, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace kiln::kernels::cuda
