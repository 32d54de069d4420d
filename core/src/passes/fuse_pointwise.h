// fuse-pointwise: Fuses maximal chains of two or more elementwise layers, each read only by
// the next, into one kiln:Pointwise layer.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The fuse-pointwise pass.
class FusePointwise : public Pass {
 public:
  const char* name() const override { return "fuse-pointwise"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
