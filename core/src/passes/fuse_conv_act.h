// fuse-conv-act: Fuses Conv, Gemm or MatMul with a following bias Add, a residual Add
// (Conv: an operand of the output's shape) and an activation (Relu, Clip,
// Sigmoid, Tanh, LeakyRelu, HardSwish, Gelu) into kiln:ConvAct or
// kiln:GemmAct. MatMul fuses with the Add of a 1-D constant bias.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The fuse-conv-act pass.
class FuseConvAct : public Pass {
 public:
  const char* name() const override { return "fuse-conv-act"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
