// attention-layouts: Folds the Transposes that split a projection's heads off
// ([B, L, H, D] to [B, H, L, D]) into the kiln:Attention that reads them, and
// the one that merges its heads back, into how it writes Y (attributes
// q_bshd, k_bshd, v_bshd, y_bshd). The fused attention kernel reads and
// writes those layouts directly, so the copies disappear.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The attention-layouts pass (on for GPU builds that allow FP16, where the
/// fused attention kernel runs).
class AttentionLayouts : public Pass {
 public:
  const char* name() const override { return "attention-layouts"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
