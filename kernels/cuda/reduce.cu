#include <cfloat>

#include "cuda/block_reduce.cuh"
#include "cuda/reduce.cuh"

namespace kiln::kernels::cuda {

namespace {

using detail::groupReduce;
using detail::kGroupBlock;
using detail::loadAs;
using detail::storeAs;

// The value an element contributes before combining.
__device__ inline float prepare(ReduceKind k, float v) {
  switch (k) {
    case ReduceKind::kL1: return fabsf(v);
    case ReduceKind::kL2:
    case ReduceKind::kSumSquare: return v * v;
    default: return v;
  }
}

__device__ inline float initial(ReduceKind k) {
  switch (k) {
    case ReduceKind::kProd: return 1.f;
    case ReduceKind::kMax: return -INFINITY;
    case ReduceKind::kMin: return INFINITY;
    default: return 0.f;
  }
}

__device__ inline float combine(ReduceKind k, float a, float b) {
  switch (k) {
    case ReduceKind::kMax: return detail::MaxOp()(a, b);
    case ReduceKind::kMin: return detail::MinOp()(a, b);
    case ReduceKind::kProd: return a * b;
    default: return a + b;
  }
}

// One group of G threads per output element.
template <class T, int G>
__global__ void reduceKernel(ReduceParams p, const T* __restrict__ x, T* __restrict__ y) {
  __shared__ float scratch[32];
  const int groupsPerBlock = blockDim.x / G;
  const int lane = threadIdx.x % G;
  const int64_t first = int64_t(blockIdx.x) * groupsPerBlock + threadIdx.x / G;
  const int64_t step = int64_t(gridDim.x) * groupsPerBlock;
  // For G == kGroupBlock every thread runs the same number of iterations
  // (one group per block), so the block-wide reductions stay uniform.
  for (int64_t o = first; o < p.numOutputs; o += step) {
    const int64_t base = p.kept.offset(o);
    float result;
    if (p.kind == ReduceKind::kLogSumExp) {
      float m = -INFINITY;
      for (int64_t r = lane; r < p.count; r += G) m = detail::MaxOp()(m, loadAs<float>(x[base + p.reduced.offset(r)]));
      m = groupReduce<G>(m, detail::MaxOp(), scratch);
      float s = 0.f;
      for (int64_t r = lane; r < p.count; r += G) s += expf(loadAs<float>(x[base + p.reduced.offset(r)]) - m);
      s = groupReduce<G>(s, detail::SumOp(), scratch);
      result = isinf(m) ? m : logf(s) + m;
    } else {
      float acc = initial(p.kind);
      for (int64_t r = lane; r < p.count; r += G) {
        acc = combine(p.kind, acc, prepare(p.kind, loadAs<float>(x[base + p.reduced.offset(r)])));
      }
      switch (p.kind) {
        case ReduceKind::kMax: acc = groupReduce<G>(acc, detail::MaxOp(), scratch); break;
        case ReduceKind::kMin: acc = groupReduce<G>(acc, detail::MinOp(), scratch); break;
        case ReduceKind::kProd: acc = groupReduce<G>(acc, detail::ProdOp(), scratch); break;
        default: acc = groupReduce<G>(acc, detail::SumOp(), scratch); break;
      }
      switch (p.kind) {
        case ReduceKind::kMean: result = acc / float(p.count); break;
        case ReduceKind::kL2: result = sqrtf(acc); break;
        case ReduceKind::kLogSum: result = logf(acc); break;
        default: result = acc; break;
      }
    }
    if (lane == 0) y[o] = storeAs<T>(result);
  }
}

template <class T>
cudaError_t launchReduce(const ReduceParams& p, const void* x, void* y, cudaStream_t stream) {
  // A whole block per output for long reductions, a warp otherwise.
  if (p.count >= 2048) {
    const unsigned blocks = unsigned(p.numOutputs < 65535 * 8 ? p.numOutputs : 65535 * 8);
    reduceKernel<T, kGroupBlock><<<blocks, kGroupBlock, 0, stream>>>(p, static_cast<const T*>(x), static_cast<T*>(y));
  } else {
    constexpr int kPerBlock = kGroupBlock / 32;
    const int64_t want = (p.numOutputs + kPerBlock - 1) / kPerBlock;
    const unsigned blocks = unsigned(want < 65535 * 8 ? want : 65535 * 8);
    reduceKernel<T, 32><<<blocks, kGroupBlock, 0, stream>>>(p, static_cast<const T*>(x), static_cast<T*>(y));
  }
  return cudaGetLastError();
}

// An ArgMax/ArgMin candidate; i < 0: none.
struct ArgCandidate {
  double v;
  int64_t i;
};

__device__ inline bool better(const ArgCandidate& a, const ArgCandidate& b, bool max, bool selectLast) {
  if (a.i < 0) return false;
  if (b.i < 0) return true;
  if (isnan(a.v)) return true;  // only the first element may be a NaN candidate
  if (isnan(b.v)) return false;
  if (a.v != b.v) return max ? a.v > b.v : a.v < b.v;
  return selectLast ? a.i > b.i : a.i < b.i;
}

// One warp per output.
template <class T>
__global__ void argReduceKernel(ArgReduceParams p, const T* __restrict__ x, int64_t* __restrict__ y) {
  const int lane = threadIdx.x % 32;
  const int64_t numOut = p.outer * p.inner;
  const int warpsPerBlock = blockDim.x / 32;
  for (int64_t o = int64_t(blockIdx.x) * warpsPerBlock + threadIdx.x / 32; o < numOut;
       o += int64_t(gridDim.x) * warpsPerBlock) {
    const T* row = x + (o / p.inner) * p.axis * p.inner + o % p.inner;
    ArgCandidate best{0.0, -1};
    for (int64_t k = lane; k < p.axis; k += 32) {
      const ArgCandidate c{loadAs<double>(row[k * p.inner]), k};
      if (k > 0 && isnan(c.v)) continue;
      if (better(c, best, p.max, p.selectLast)) best = c;
    }
    for (int s = 16; s > 0; s >>= 1) {
      const ArgCandidate other{__shfl_xor_sync(0xffffffffu, best.v, s), __shfl_xor_sync(0xffffffffu, best.i, s)};
      if (better(other, best, p.max, p.selectLast)) best = other;
    }
    if (lane == 0) y[o] = best.i < 0 ? 0 : best.i;
  }
}

template <class T>
cudaError_t launchArg(const ArgReduceParams& p, const void* x, int64_t* y, cudaStream_t stream) {
  constexpr int kPerBlock = kGroupBlock / 32;
  const int64_t want = (p.outer * p.inner + kPerBlock - 1) / kPerBlock;
  const unsigned blocks = unsigned(want < 65535 * 8 ? want : 65535 * 8);
  argReduceKernel<T><<<blocks, kGroupBlock, 0, stream>>>(p, static_cast<const T*>(x), y);
  return cudaGetLastError();
}

}  // namespace

cudaError_t reduce(const ReduceParams& p, const void* x, void* y, cudaStream_t stream) {
  if (p.numOutputs <= 0) return cudaSuccess;
  if (p.count < 0 || p.kept.rank > kMaxRank || p.reduced.rank > kMaxRank) return cudaErrorInvalidValue;
  switch (p.type) {
    case ElemType::kF32: return launchReduce<float>(p, x, y, stream);
    case ElemType::kF16: return launchReduce<__half>(p, x, y, stream);
    case ElemType::kBF16: return launchReduce<__nv_bfloat16>(p, x, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

cudaError_t argReduce(const ArgReduceParams& p, const void* x, int64_t* y, cudaStream_t stream) {
  if (p.outer * p.inner <= 0) return cudaSuccess;
  if (p.axis <= 0) return cudaErrorInvalidValue;
  switch (p.type) {
    case ElemType::kF32: return launchArg<float>(p, x, y, stream);
    case ElemType::kF16: return launchArg<__half>(p, x, y, stream);
    case ElemType::kBF16: return launchArg<__nv_bfloat16>(p, x, y, stream);
    case ElemType::kF64: return launchArg<double>(p, x, y, stream);
    case ElemType::kI32: return launchArg<int32_t>(p, x, y, stream);
    case ElemType::kI64: return launchArg<int64_t>(p, x, y, stream);
    case ElemType::kI8: return launchArg<int8_t>(p, x, y, stream);
    case ElemType::kU8: return launchArg<uint8_t>(p, x, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace kiln::kernels::cuda
