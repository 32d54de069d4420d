#include <cfloat>
#include <type_traits>

#include "cuda/gather.cuh"

namespace kiln::kernels::cuda {

namespace {

template <class T>
constexpr bool kNarrow = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

// Reads a stored value as A (narrow floats through float).
template <class A, class T>
__device__ inline A loadAs(T v) {
  if constexpr (kNarrow<T>) return A(toFloat(v));
  else return A(v);
}
// Stores a computed value as T (narrow floats through float, as the reference does).
template <class T, class A>
__device__ inline T storeAs(A v) {
  if constexpr (kNarrow<T>) return fromFloat<T>(float(v));
  else return T(v);
}

#define KILN_GRID_STRIDE(k, n) \
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < (n); k += int64_t(gridDim.x) * blockDim.x)

template <class T, class I>
__global__ void gatherKernel(GatherParams p, int64_t n, const T* __restrict__ data, const I* __restrict__ indices,
                             T* __restrict__ out) {
  KILN_GRID_STRIDE(k, n) {
    const int64_t r = k % p.inner;
    const int64_t i = (k / p.inner) % p.numIndices;
    const int64_t o = k / (p.inner * p.numIndices);
    int64_t idx = int64_t(indices[i]);
    if (idx < 0) idx += p.axisSize;
    out[k] = idx >= 0 && idx < p.axisSize ? data[(o * p.axisSize + idx) * p.inner + r] : T(0);
  }
}

template <class T, class I>
__global__ void gatherElementsKernel(GatherElementsParams p, int64_t n, const T* __restrict__ data,
                                     const I* __restrict__ indices, T* __restrict__ out) {
  KILN_GRID_STRIDE(k, n) {
    int64_t idx = int64_t(indices[k]);
    if (idx < 0) idx += p.axisSize;
    if (idx < 0 || idx >= p.axisSize) {
      out[k] = T(0);
      continue;
    }
    int64_t flat = k, off = 0;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t c = flat % p.dims[d];
      flat /= p.dims[d];
      off += (d == p.axis ? idx : c) * p.dataStrides[d];
    }
    out[k] = data[off];
  }
}

template <class T>
__global__ void triluKernel(TriluParams p, int64_t n, const T* __restrict__ in, T* __restrict__ out) {
  KILN_GRID_STRIDE(k, n) {
    const int64_t c = k % p.cols;
    const int64_t r = (k / p.cols) % p.rows;
    const bool keep = p.upper ? c - r >= p.k : c - r <= p.k;
    out[k] = keep ? in[k] : T(0);
  }
}

template <class T, class A>
__global__ void cumSumKernel(CumSumParams p, int64_t lines, const T* __restrict__ in, T* __restrict__ out) {
  KILN_GRID_STRIDE(line, lines) {
    const int64_t o = line / p.inner, j = line % p.inner;
    A sum = A(0);
    for (int64_t s = 0; s < p.n; ++s) {
      const int64_t i = p.reverse ? p.n - 1 - s : s;
      const int64_t at = (o * p.n + i) * p.inner + j;
      const A v = loadAs<A>(in[at]);
      if (p.exclusive) {
        out[at] = storeAs<T>(sum);
        sum += v;
      } else {
        sum += v;
        out[at] = storeAs<T>(sum);
      }
    }
  }
}

// A TopK candidate: a value read as double and its index (-1: none).
struct Candidate {
  double v;
  int64_t i;
};

// True when a comes before b in the reference's stable order.
__device__ inline bool before(const Candidate& a, const Candidate& b, bool largest) {
  if (a.i < 0) return false;
  if (b.i < 0) return true;
  const bool an = isnan(a.v), bn = isnan(b.v);
  if (an != bn) return largest ? an : bn;
  if (!an && a.v != b.v) return largest ? a.v > b.v : a.v < b.v;
  return a.i < b.i;
}

constexpr int kTopKThreads = 256;

// One block per row: k rounds, each picking the first element (in the
// reference's order) after the one picked last.
template <class T>
__global__ void topKKernel(TopKParams p, const T* __restrict__ in, T* __restrict__ values, int64_t* __restrict__ indices) {
  __shared__ Candidate best[kTopKThreads];
  const int64_t rows = p.outer * p.inner;
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const int64_t o = row / p.inner, j = row % p.inner;
    const T* x = in + o * p.n * p.inner + j;
    Candidate last{0.0, -1};
    for (int64_t r = 0; r < p.k; ++r) {
      Candidate mine{0.0, -1};
      for (int64_t i = threadIdx.x; i < p.n; i += blockDim.x) {
        const Candidate c{loadAs<double>(x[i * p.inner]), i};
        if (last.i >= 0 && !before(last, c, p.largest)) continue;
        if (before(c, mine, p.largest)) mine = c;
      }
      best[threadIdx.x] = mine;
      __syncthreads();
      for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (int(threadIdx.x) < s && before(best[threadIdx.x + s], best[threadIdx.x], p.largest)) {
          best[threadIdx.x] = best[threadIdx.x + s];
        }
        __syncthreads();
      }
      last = best[0];
      __syncthreads();
      if (threadIdx.x == 0) {
        const int64_t dst = (o * p.k + r) * p.inner + j;
        const int64_t src = last.i < 0 ? 0 : last.i;
        values[dst] = x[src * p.inner];
        if (indices) indices[dst] = src;
      }
    }
  }
}

template <class T>
cudaError_t launchGather(const GatherParams& p, int64_t n, const void* data, const void* indices, void* out,
                         cudaStream_t stream) {
  if (p.indices64) {
    gatherKernel<T, int64_t><<<blocksFor(n), 256, 0, stream>>>(p, n, static_cast<const T*>(data),
                                                               static_cast<const int64_t*>(indices), static_cast<T*>(out));
  } else {
    gatherKernel<T, int32_t><<<blocksFor(n), 256, 0, stream>>>(p, n, static_cast<const T*>(data),
                                                               static_cast<const int32_t*>(indices), static_cast<T*>(out));
  }
  return cudaGetLastError();
}

template <class T>
cudaError_t launchGatherElements(const GatherElementsParams& p, int64_t n, const void* data, const void* indices,
                                 void* out, cudaStream_t stream) {
  if (p.indices64) {
    gatherElementsKernel<T, int64_t><<<blocksFor(n), 256, 0, stream>>>(
        p, n, static_cast<const T*>(data), static_cast<const int64_t*>(indices), static_cast<T*>(out));
  } else {
    gatherElementsKernel<T, int32_t><<<blocksFor(n), 256, 0, stream>>>(
        p, n, static_cast<const T*>(data), static_cast<const int32_t*>(indices), static_cast<T*>(out));
  }
  return cudaGetLastError();
}

template <class T>
cudaError_t launchTrilu(const TriluParams& p, int64_t n, const void* in, void* out, cudaStream_t stream) {
  triluKernel<T><<<blocksFor(n), 256, 0, stream>>>(p, n, static_cast<const T*>(in), static_cast<T*>(out));
  return cudaGetLastError();
}

template <class T, class A>
cudaError_t launchCumSum(const CumSumParams& p, const void* in, void* out, cudaStream_t stream) {
  const int64_t lines = p.outer * p.inner;
  cumSumKernel<T, A><<<blocksFor(lines), 256, 0, stream>>>(p, lines, static_cast<const T*>(in), static_cast<T*>(out));
  return cudaGetLastError();
}

template <class T>
cudaError_t launchTopK(const TopKParams& p, const void* in, void* values, int64_t* indices, cudaStream_t stream) {
  const int64_t rows = p.outer * p.inner;
  const unsigned blocks = unsigned(rows < 65535 * 8 ? rows : 65535 * 8);
  topKKernel<T><<<blocks, kTopKThreads, 0, stream>>>(p, static_cast<const T*>(in), static_cast<T*>(values), indices);
  return cudaGetLastError();
}

}  // namespace

cudaError_t gather(const GatherParams& p, const void* data, const void* indices, void* out, cudaStream_t stream) {
  const int64_t n = p.outer * p.numIndices * p.inner;
  if (n <= 0) return cudaSuccess;
  if (p.axisSize < 0) return cudaErrorInvalidValue;
  switch (p.elemBytes) {
    case 1: return launchGather<uint8_t>(p, n, data, indices, out, stream);
    case 2: return launchGather<uint16_t>(p, n, data, indices, out, stream);
    case 4: return launchGather<uint32_t>(p, n, data, indices, out, stream);
    case 8: return launchGather<uint64_t>(p, n, data, indices, out, stream);
    default: return cudaErrorInvalidValue;
  }
}

cudaError_t gatherElements(const GatherElementsParams& p, const void* data, const void* indices, void* out,
                           cudaStream_t stream) {
  if (p.rank < 1 || p.rank > kMaxRank || p.axis < 0 || p.axis >= p.rank) return cudaErrorInvalidValue;
  int64_t n = 1;
  for (int d = 0; d < p.rank; ++d) n *= p.dims[d];
  if (n <= 0) return cudaSuccess;
  switch (p.elemBytes) {
    case 1: return launchGatherElements<uint8_t>(p, n, data, indices, out, stream);
    case 2: return launchGatherElements<uint16_t>(p, n, data, indices, out, stream);
    case 4: return launchGatherElements<uint32_t>(p, n, data, indices, out, stream);
    case 8: return launchGatherElements<uint64_t>(p, n, data, indices, out, stream);
    default: return cudaErrorInvalidValue;
  }
}

cudaError_t trilu(const TriluParams& p, const void* in, void* out, cudaStream_t stream) {
  const int64_t n = p.matrices * p.rows * p.cols;
  if (n <= 0) return cudaSuccess;
  switch (p.elemBytes) {
    case 1: return launchTrilu<uint8_t>(p, n, in, out, stream);
    case 2: return launchTrilu<uint16_t>(p, n, in, out, stream);
    case 4: return launchTrilu<uint32_t>(p, n, in, out, stream);
    case 8: return launchTrilu<uint64_t>(p, n, in, out, stream);
    default: return cudaErrorInvalidValue;
  }
}

cudaError_t cumSum(const CumSumParams& p, const void* in, void* out, cudaStream_t stream) {
  if (p.outer * p.n * p.inner <= 0) return cudaSuccess;
  switch (p.type) {
    case ElemType::kF32: return launchCumSum<float, double>(p, in, out, stream);
    case ElemType::kF16: return launchCumSum<__half, double>(p, in, out, stream);
    case ElemType::kBF16: return launchCumSum<__nv_bfloat16, double>(p, in, out, stream);
    case ElemType::kF64: return launchCumSum<double, double>(p, in, out, stream);
    case ElemType::kI32: return launchCumSum<int32_t, int32_t>(p, in, out, stream);
    case ElemType::kI64: return launchCumSum<int64_t, int64_t>(p, in, out, stream);
    default: return cudaErrorInvalidValue;
  }
}

cudaError_t topK(const TopKParams& p, const void* in, void* values, int64_t* indices, cudaStream_t stream) {
  if (p.outer * p.inner <= 0 || p.k <= 0) return cudaSuccess;
  if (p.k > p.n) return cudaErrorInvalidValue;
  switch (p.type) {
    case ElemType::kF32: return launchTopK<float>(p, in, values, indices, stream);
    case ElemType::kF16: return launchTopK<__half>(p, in, values, indices, stream);
    case ElemType::kBF16: return launchTopK<__nv_bfloat16>(p, in, values, indices, stream);
    case ElemType::kF64: return launchTopK<double>(p, in, values, indices, stream);
    case ElemType::kI32: return launchTopK<int32_t>(p, in, values, indices, stream);
    case ElemType::kI64: return launchTopK<int64_t>(p, in, values, indices, stream);
    case ElemType::kI8: return launchTopK<int8_t>(p, in, values, indices, stream);
    case ElemType::kU8: return launchTopK<uint8_t>(p, in, values, indices, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace kiln::kernels::cuda
