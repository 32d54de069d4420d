// The activations of fused layers on the device: the formulas of
// kernels/cpu/activation.h, in float.
#pragma once

#include <cuda_runtime.h>

#include "cpu/activation.h"

namespace kiln::kernels::cuda {

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

}  // namespace kiln::kernels::cuda
