// channels-last: Runs 2-D convolutions in NHWC, the layout the GPU's tensor
// cores read. Each Conv or kiln:ConvAct whose weights are constant becomes a
// channels-last kiln:ConvAct (attribute channels_last, weights stored as
// [M, R, S, C/group]) between a Transpose to NHWC and one back; a Transpose
// back followed by one to NHWC cancels, so a chain of convolutions (with
// their residuals) stays NHWC and only its ends reformat.
#pragma once

#include "passes/pass.h"

namespace kiln::passes {

/// The channels-last pass (on for GPU builds that allow FP16).
class ChannelsLast : public Pass {
 public:
  const char* name() const override { return "channels-last"; }
  std::vector<PassChange> run(Network& network) override;
};

}  // namespace kiln::passes
