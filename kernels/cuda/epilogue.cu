#include "cuda/epilogue.cuh"

#include "cuda/activation.cuh"

namespace kiln::kernels::cuda {

namespace {

template <class T>
__global__ static void epilogueKernel(T* y, int64_t count, const T* addend, Indexer addIndex, float addScale,
                                      const T* residual, cpu::Activation kind, float alpha, float beta) {
  const int64_t stride = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    float v = toFloat(y[i]);
    if (addend) v += addScale * toFloat(addend[addIndex.offset(i)]);
    if (residual) v += toFloat(residual[i]);
    y[i] = fromFloat<T>(activateDevice(kind, alpha, beta, v));
  }
}

// Whole 16-byte packs of y, for an addend that is one row over y's last dim
// (a bias; rowLen elements) or none.
template <class T>
__global__ static void epiloguePackKernel(T* y, int64_t packs, const T* addend, int64_t rowLen, float addScale,
                                          const T* residual, cpu::Activation kind, float alpha, float beta) {
  constexpr int V = Pack16<T>::kN;
  const int64_t stride = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < packs; i += stride) {
    Pack16<T> yv = *reinterpret_cast<const Pack16<T>*>(y + i * V);
    Pack16<T> av, rv;
    if (addend) av = *reinterpret_cast<const Pack16<T>*>(addend + (i * V) % rowLen);
    if (residual) rv = *reinterpret_cast<const Pack16<T>*>(residual + i * V);
#pragma unroll
    for (int k = 0; k < V; ++k) {
      float v = toFloat(yv.v[k]);
      if (addend) v += addScale * toFloat(av.v[k]);
      if (residual) v += toFloat(rv.v[k]);
      yv.v[k] = fromFloat<T>(activateDevice(kind, alpha, beta, v));
    }
    *reinterpret_cast<Pack16<T>*>(y + i * V) = yv;
  }
}

// The length of the row the addend repeats along y (its strides are 1 on
// y's last dim and 0 elsewhere), or 0 when it is laid out otherwise.
int64_t rowAddend(const Indexer& ix) {
  int last = ix.rank - 1;
  while (last >= 0 && ix.dims[last] == 1) --last;
  if (last < 0) return 1;
  if (ix.strides[last] != 1) return 0;
  for (int d = 0; d < last; ++d) {
    if (ix.dims[d] != 1 && ix.strides[d] != 0) return 0;
  }
  return ix.dims[last];
}

template <class T>
cudaError_t launchTyped(const EpilogueParams& p, cudaStream_t stream) {
  constexpr int kThreads = 256;
  constexpr int V = Pack16<T>::kN;
  const int64_t rowLen = p.addend ? rowAddend(p.addIndex) : V;
  if (p.count % V == 0 && rowLen > 0 && rowLen % V == 0 && aligned16(p.y) && (!p.addend || aligned16(p.addend)) &&
      (!p.residual || aligned16(p.residual))) {
    const int64_t packs = p.count / V;
    epiloguePackKernel<T><<<blocksFor(packs, kThreads), kThreads, 0, stream>>>(
        static_cast<T*>(p.y), packs, static_cast<const T*>(p.addend), rowLen, p.addScale,
        static_cast<const T*>(p.residual), p.activation.kind, p.activation.alpha, p.activation.beta);
    return cudaGetLastError();
  }
  epilogueKernel<T><<<blocksFor(p.count, kThreads), kThreads, 0, stream>>>(
      static_cast<T*>(p.y), p.count, static_cast<const T*>(p.addend), p.addIndex, p.addScale,
      static_cast<const T*>(p.residual), p.activation.kind, p.activation.alpha, p.activation.beta);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launchEpilogue(const EpilogueParams& p, cudaStream_t stream) {
  if (p.count < 0 || (p.count > 0 && !p.y)) return cudaErrorInvalidValue;
  if (p.addend && (p.addIndex.rank < 0 || p.addIndex.rank > kMaxRank)) return cudaErrorInvalidValue;
  if (p.count == 0) return cudaSuccess;
  if (!p.addend && !p.residual && p.activation.kind == cpu::Activation::kNone) return cudaSuccess;
  return withFloatType(p.type, [&](auto tag) { return launchTyped<decltype(tag)>(p, stream); });
}

}  // namespace kiln::kernels::cuda
