// recognise-attention: Replaces MatMul(Q, K^T), an optional Mul or Div by a constant scale, an
// optional Add of a mask, a softmax over the last axis and MatMul(., V) by
// kiln:Attention. A Transpose swapping K's last two dims is absorbed.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The recognise-attention pass.
class RecogniseAttention : public Pass {
 public:
  const char* name() const override { return "recognise-attention"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
