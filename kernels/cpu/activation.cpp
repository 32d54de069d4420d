#include "cpu/activation.h"

namespace kiln::kernels::cpu {

std::optional<Activation> activationFromName(std::string_view name) {
  if (name.empty()) return Activation::kNone;
  if (name == "Relu") return Activation::kRelu;
  if (name == "Clip") return Activation::kClip;
  if (name == "Sigmoid") return Activation::kSigmoid;
  if (name == "Tanh") return Activation::kTanh;
  if (name == "LeakyRelu") return Activation::kLeakyRelu;
  if (name == "HardSwish") return Activation::kHardSwish;
  if (name == "Gelu") return Activation::kGelu;
  if (name == "GeluTanh") return Activation::kGeluTanh;
  return std::nullopt;
}

void applyActivation(const ActivationParams& p, float* y, int64_t n) {
  if (p.kind == Activation::kNone) return;
  for (int64_t i = 0; i < n; ++i) y[i] = activate(p, y[i]);
}

}  // namespace kiln::kernels::cpu
