#include "backend/cpu/fused_activation.h"

#include <limits>

namespace kiln::backend::cpu {

kernels::cpu::ActivationParams readFusedActivation(const ops::NodeContext& ctx) {
  using kernels::cpu::Activation;
  const std::string name = ctx.attrString("activation", "");
  const auto kind = kernels::cpu::activationFromName(name);
  if (!kind) ctx.fail("unknown activation '" + name + "'");
  kernels::cpu::ActivationParams p;
  p.kind = *kind;
  if (p.kind == Activation::kLeakyRelu) p.alpha = ctx.attrFloat("act_alpha", 0.01f);
  if (p.kind == Activation::kClip) {
    constexpr float kInf = std::numeric_limits<float>::infinity();
    p.alpha = ctx.attrFloat("act_alpha", -kInf);
    p.beta = ctx.attrFloat("act_beta", kInf);
  }
  return p;
}

}  // namespace kiln::backend::cpu
