// fold-batchnorm: Folds an inference BatchNormalization with constant statistics into the
// Conv or Gemm before it (constant weights, output read only by the BN) by
// scaling the weights and bias. A BatchNormalization after anything else stays.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The fold-batchnorm pass.
class FoldBatchNorm : public Pass {
 public:
  const char* name() const override { return "fold-batchnorm"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
