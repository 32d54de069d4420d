// Conversion between a plan's engine (network, tactics, profiles, report) and
// the EngineDesc message. Constants' bytes live outside the message, in the
// weight blob; the message holds (offset, bytes) references into it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "kiln/plan.h"
#include "plan/plan.pb.h"

namespace kiln::plan {

/// Where one constant's bytes go in the weight blob.
struct WeightSlot {
  const HostTensor* data;  ///< points into the PlanContents being described
  int64_t offset;          ///< from the blob's start, a multiple of kPlanAlignment
};

/// An engine description and the blob layout it refers to.
struct DescribedEngine {
  EngineDesc desc;
  std::vector<WeightSlot> weights;  ///< in offset order
  int64_t blobBytes = 0;            ///< the blob's size, the last weight's end
};

/// Describes `plan`'s engine; tensors are sorted by name so that equal
/// contents give equal bytes. The slots point into `plan`, which must outlive
/// them. Throws Error(kInternal) when the contents are inconsistent (tactic
/// count, missing profile, a tensor attribute without a value).
DescribedEngine describeEngine(const PlanContents& plan);

/// Fills `plan`'s network, tactics, profiles and report from `desc`, copying
/// constants out of `blob`. Checks every reference and size first; throws
/// Error(kInvalidPlan, "corrupt plan: ...") without a location on any
/// inconsistency.
void restoreEngine(const EngineDesc& desc, std::string_view blob, PlanContents& plan);

}  // namespace kiln::plan
