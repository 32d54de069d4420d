// The activations that fused convolution and GEMM layers apply to their
// result, in float, so every fused tactic shares one definition of each.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kiln::kernels::cpu {

/// An activation a fused layer applies to its output.
enum class Activation : int32_t {
  kNone = 0,       ///< identity
  kRelu = 1,       ///< max(x, 0)
  kClip = 2,       ///< min(max(x, alpha), beta)
  kSigmoid = 3,    ///< 1 / (1 + e^-x)
  kTanh = 4,       ///< tanh(x)
  kLeakyRelu = 5,  ///< x, or alpha * x below zero
  kHardSwish = 6,  ///< x * clamp(x / 6 + 1/2, 0, 1)
  kGelu = 7,       ///< x * Phi(x), with erf
  kGeluTanh = 8,   ///< the tanh approximation of Gelu
};

/// An activation and its parameters.
struct ActivationParams {
  Activation kind = Activation::kNone;
  float alpha = 0.f;  ///< LeakyRelu slope; Clip minimum
  float beta = 0.f;   ///< Clip maximum
};

/// The activation named by a fused layer's `activation` attribute ("" is
/// kNone, otherwise the ONNX op name, or "GeluTanh"); nullopt for any other.
std::optional<Activation> activationFromName(std::string_view name);

/// The activation of one value.
inline float activate(const ActivationParams& p, float x) {
  switch (p.kind) {
    case Activation::kNone: return x;
    case Activation::kRelu: return x > 0.f ? x : 0.f;
    case Activation::kClip: return std::fmin(std::fmax(x, p.alpha), p.beta);
    case Activation::kSigmoid: return 1.f / (1.f + std::exp(-x));
    case Activation::kTanh: return std::tanh(x);
    case Activation::kLeakyRelu: return x >= 0.f ? x : p.alpha * x;
    case Activation::kHardSwish: return x * std::fmin(1.f, std::fmax(0.f, x / 6.f + 0.5f));
    case Activation::kGelu: return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f));
    case Activation::kGeluTanh: {
      const float inner = 0.79788456080286536f * (x + 0.044715f * x * x * x);  // sqrt(2/pi)
      return 0.5f * x * (1.f + std::tanh(inner));
    }
  }
  return x;
}

/// Applies the activation in place to n values.
void applyActivation(const ActivationParams& p, float* y, int64_t n);

}  // namespace kiln::kernels::cpu
