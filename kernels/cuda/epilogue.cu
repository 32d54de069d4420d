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

template <class T>
cudaError_t launchTyped(const EpilogueParams& p, cudaStream_t stream) {
  constexpr int kThreads = 256;
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
