// eliminate-dead-layers: Removes layers whose outputs no graph output depends on.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The eliminate-dead-layers pass.
class EliminateDeadLayers : public Pass {
 public:
  const char* name() const override { return "eliminate-dead-layers"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
