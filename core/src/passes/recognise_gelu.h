// recognise-gelu: Replaces x * 0.5 * (1 + erf(x / sqrt 2)) in its exported groupings, the
// tanh form 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) and ONNX Gelu by
// kiln:Gelu.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The recognise-gelu pass.
class RecogniseGelu : public Pass {
 public:
  const char* name() const override { return "recognise-gelu"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
