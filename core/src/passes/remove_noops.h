// remove-noops: Removes layers that pass their input through unchanged: Identity,
// inference Dropout, Add or Sub of 0, Mul or Div by 1, Cast to the same type,
// Reshape to the same static shape, Transpose with the identity perm.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The remove-noops pass.
class RemoveNoops : public Pass {
 public:
  const char* name() const override { return "remove-noops"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
