// recognise-hardswish: Replaces x * clip(x + 3, 0, 6) / 6 (the division also as a product by
// 1/6, before or after the product with x), x * HardSigmoid(x) with alpha 1/6
// and beta 1/2, and ONNX HardSwish by kiln:HardSwish.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The recognise-hardswish pass.
class RecogniseHardSwish : public Pass {
 public:
  const char* name() const override { return "recognise-hardswish"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
