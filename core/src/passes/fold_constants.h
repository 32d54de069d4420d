// fold-constants: Evaluates layers whose inputs are all constants (and Shape
// or Size of a static shape) with the reference kernels and turns their
// outputs into constants, up to a size limit. Layers that write a graph
// output, and quantize/dequantize layers, are kept.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The fold-constants pass.
class FoldConstants : public Pass {
 public:
  /// Folds layers whose outputs hold at most `maxElements` elements each.
  explicit FoldConstants(int64_t maxElements = int64_t(1) << 20) : maxElements_(maxElements) {}
  const char* name() const override { return "fold-constants"; }
  std::vector<PassChange> run(Network& network) override;

 private:
  int64_t maxElements_;
};

}  // namespace kiln::passes
