// Reads the activation of Kiln's fused layers (kiln:ConvAct, kiln:GemmAct)
// from their attributes: string `activation`, floats `act_alpha`, `act_beta`.
#pragma once

#include "cpu/activation.h"
#include "ops/op.h"

namespace kiln::backend::cpu {

/// The activation a fused layer asks for. act_alpha is LeakyRelu's slope
/// (default 0.01) or Clip's minimum (default -inf); act_beta is Clip's
/// maximum (default +inf). Fails naming the layer for an unknown name.
kernels::cpu::ActivationParams readFusedActivation(const ops::NodeContext& ctx);

}  // namespace kiln::backend::cpu
