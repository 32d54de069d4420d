// recognise-softmax: Replaces Exp(x - ReduceMax(x)) / ReduceSum(Exp(...)) over one axis (also
// without the max) and ONNX Softmax (opset 13 and later, or over the last
// axis) by kiln:Softmax.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The recognise-softmax pass.
class RecogniseSoftmax : public Pass {
 public:
  const char* name() const override { return "recognise-softmax"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
