// recognise-layernorm: Replaces the decomposed layer normalization (ReduceMean, Sub, Pow 2 or
// Mul self, ReduceMean, Add eps, Sqrt, Div, then optional Mul scale and Add
// bias, over the trailing axes) and ONNX LayerNormalization by kiln:LayerNorm.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The recognise-layernorm pass.
class RecogniseLayerNorm : public Pass {
 public:
  const char* name() const override { return "recognise-layernorm"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
