#include "cuda/epilogue.cuh"

namespace kiln::kernels::cuda {

namespace {

// The formulas of kernels/cpu/activation.h, in float on the device.
__device__ inline float activateDevice(cpu::Activation kind, float alpha, float beta, float x) {
  switch (kind) {
    case cpu::Activation::kNone: return x;
    case cpu::Activation::kRelu: return x > 0.f ? x : 0.f;
    case cpu::Activation::kClip: return fminf(fmaxf(x, alpha), beta);
    case cpu::Activation::kSigmoid: return 1.f / (1.f + expf(-x));
    case cpu::Activation::kTanh: return tanhf(x);
    case cpu::Activation::kLeakyRelu: return x >= 0.f ? x : alpha * x;
    case cpu::Activation::kHardSwish: return x * fminf(1.f, fmaxf(0.f, x / 6.f + 0.5f));
    case cpu::Activation::kGelu: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
    case cpu::Activation::kGeluTanh: {
      const float inner = 0.79788456080286536f * (x + 0.044715f * x * x * x);
      return 0.5f * x * (1.f + tanhf(inner));
    }
  }
  return x;
}

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
  switch (p.type) {
    case ElemType::kF32: return launchTyped<float>(p, stream);
    case ElemType::kF16: return launchTyped<__half>(p, stream);
    case ElemType::kBF16: return launchTyped<__nv_bfloat16>(p, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace kiln::kernels::cuda
