// simplify-shuffles: Composes Transpose after Transpose (removing both when they cancel) and
// turns chains of Reshape, Squeeze, Unsqueeze and Flatten with a static result
// shape into one Reshape (or nothing, when the shape does not change).
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The simplify-shuffles pass.
class SimplifyShuffles : public Pass {
 public:
  const char* name() const override { return "simplify-shuffles"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
